using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace CompanyOs.Server.Tests.Infrastructure;

/// <summary>Helpers for tests that run the server as a real child process (<c>dotnet CompanyOs.Server.dll …</c>).</summary>
internal static partial class ServerProcesses
{
    /// <summary>
    /// The address from the server's "listening on http://…" line, read from its standard output within
    /// <paramref name="bound"/>. Afterwards both pipes are drained in the background so the child never blocks on a full
    /// pipe (its standard output line by line to <paramref name="onLine"/> when given); a server that exits or stays silent
    /// fails the test with everything it printed.
    /// </summary>
    public static async Task<Uri> ListeningAddressAsync(Process server, TimeSpan bound, CancellationToken ct, Action<string>? onLine = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(bound);
        var seen = new StringBuilder();
        for (var lines = 0; lines < 200 && await server.StandardOutput.ReadLineAsync(timeout.Token) is { } line; lines++)
        {
            seen.AppendLine(line);
            if (Listening().Match(line) is { Success: true } match)
            {
                _ = onLine is null ? server.StandardOutput.ReadToEndAsync(ct) : ForwardAsync(server.StandardOutput, onLine, ct);
                _ = server.StandardError.ReadToEndAsync(ct);
                return new Uri(match.Groups[1].Value);
            }
        }

        throw new Xunit.Sdk.XunitException($"the server did not report its address: {seen}{await server.StandardError.ReadToEndAsync(ct)}");
    }

    private static async Task ForwardAsync(StreamReader output, Action<string> lines, CancellationToken ct)
    {
        while (await output.ReadLineAsync(ct) is { } line)
        {
            lines(line);
        }
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex Listening();
}
