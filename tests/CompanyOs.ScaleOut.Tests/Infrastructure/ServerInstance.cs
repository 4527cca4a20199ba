using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace CompanyOs.ScaleOut.Tests.Infrastructure;

/// <summary>
/// One server instance: the real <c>CompanyOs.Server</c> executable, started as its own process on a free loopback port
/// (<c>--urls http://127.0.0.1:0</c>; the address is read from its start-up line), killed when the test ends.
/// </summary>
internal sealed partial class ServerInstance : IAsyncDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);

    private readonly ChildProcess _process;

    private ServerInstance(string name, ChildProcess process, Uri baseUri)
    {
        Name = name;
        _process = process;
        BaseUri = baseUri;
    }

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "CompanyOs.Server");

    public string Name { get; }

    public Uri BaseUri { get; }

    public int ProcessId => _process.Id;

    /// <summary>What the process printed so far (for failure messages).</summary>
    public string Output => $"--- {Name} stdout:\n{_process.Out}\n--- {Name} stderr:\n{_process.Err}";

    public bool HasExited => _process.HasExited;

    public static async Task<ServerInstance> StartAsync(string name, ScaleOutProject project, IReadOnlyDictionary<string, string> environment, params string[] extra)
    {
        var process = ChildProcess.Start(Executable, project.Root, environment,
            ["--urls", "http://127.0.0.1:0", "--contentRoot", project.Root, "--config", project.LlmConfig, "--Logging:LogLevel:Default=Warning", .. extra]);
        try
        {
            await process.WaitForOutputAsync("server listening on", StartBound);
            var baseUri = new Uri(Listening().Match(process.Out).Groups[1].Value);
            var instance = new ServerInstance(name, process, baseUri);
            using var http = instance.Client();
            await Poll.UntilAsync(
                async () =>
                {
                    try
                    {
                        // Ready, and connected to Redis: a starting instance enforces limit ÷ instances locally until it is.
                        using var ready = await http.GetAsync(new Uri("readyz", UriKind.Relative), TestContext.Current.CancellationToken);
                        return ready.IsSuccessStatusCode
                            && !(await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Contains("degraded", StringComparison.Ordinal);
                    }
                    catch (HttpRequestException)
                    {
                        return false;
                    }
                },
                $"instance {name} to be ready", StartBound);
            return instance;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of this instance; with <paramref name="key"/> it sends it as <c>Authorization: Bearer</c>.</summary>
    public HttpClient Client(string? key = null)
    {
        var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    /// <summary>SIGKILL: the process ends at once, nothing flushed, no lease released.</summary>
    public async Task KillAsync()
    {
        await _process.SignalAsync("KILL");
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"server listening on (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex Listening();
}
