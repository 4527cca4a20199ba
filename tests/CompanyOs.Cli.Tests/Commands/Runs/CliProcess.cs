using System.Diagnostics;

namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary>
/// Runs the built <c>companyos</c> executable (copied next to the tests) as a real process: no API keys in its environment,
/// stdin empty (not a terminal), bounded by a timeout after which it is killed and the test fails.
/// </summary>
internal static class CliProcess
{
    private static readonly string[] KeyVariables = ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "COMPANYOS_DB", "BRAVE_API_KEY"];

    public static async Task<CliResult> RunAsync(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var executable = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "companyos.exe" : "companyos");
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in KeyVariables)
        {
            start.Environment.Remove(name);
        }

        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"companyos {string.Join(' ', args)} did not finish within {timeout}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
