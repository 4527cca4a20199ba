using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using OpenAI;
using OpenAI.Chat;

namespace CompanyOs.Cli.Tests.Commands.Serving;

/// <summary>What the serve, keys and emulator tests share: the built <c>companyos</c>, bounds, listening addresses and an OpenAI SDK client.</summary>
internal static partial class Serving
{
    public static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);

    /// <summary>SIGTERM to exit: the drain has nothing open to wait for, so this is start-up noise plus a margin.</summary>
    public static readonly TimeSpan StopBound = TimeSpan.FromSeconds(10);

    public static string Companyos => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "companyos.exe" : "companyos");

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The root URL from a "listening on http://127.0.0.1:N/" line, without the trailing '/'.</summary>
    public static string ListeningRoot(string output) =>
        ListeningPattern().Match(output) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"no 'listening on' in:\n{output}");

    /// <summary>The unmodified OpenAI .NET SDK pointed at <paramref name="root"/>/v1, no retries.</summary>
    public static ChatClient OpenAIChat(string root, string key = "no-key-needed") =>
        new("gpt-4o", new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(root + "/v1"),
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = TimeSpan.FromSeconds(30),
        });

    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"companyos-serving-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)/")]
    private static partial Regex ListeningPattern();
}
