using System.Diagnostics;
using System.Text;

namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary>
/// <c>companyos</c> under a pseudo-terminal (util-linux <c>script</c>), as a person at a terminal uses it: the approval
/// prompt appears, keys typed approve, Ctrl+C at the prompt lists the waiting run with its commands and exits 3.
/// </summary>
public sealed class TerminalTests : IDisposable
{
    private const string Script = "/usr/bin/script";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Keys_typed_at_the_prompt_approve_and_the_run_completes()
    {
        var (exit, screen) = await RunAtTerminalAsync("[s]kip?", "a\r");

        Assert.True(exit == ExitCodes.Success, $"exit {exit}:\n{screen}");
        Assert.Contains("approved toolu_", screen, StringComparison.Ordinal);
        Assert.Contains("completed · run", screen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_c_at_the_prompt_lists_the_waiting_run_with_its_commands_and_exits_3()
    {
        var (exit, screen) = await RunAtTerminalAsync("[s]kip?", "\u0003");

        Assert.True(exit == ExitCodes.AwaitingInput, $"exit {exit}:\n{screen}");
        Assert.Contains("waits for 1 decision(s)", screen, StringComparison.Ordinal);
        Assert.Contains("companyos approve run_", screen, StringComparison.Ordinal);
        Assert.Contains("awaiting_approval · run", screen, StringComparison.Ordinal);
    }

    /// <summary>
    /// The screen without terminal control characters (escape sequences, the typed Ctrl+C): they are not valid in XML, and
    /// a failure message carrying them made the test report (TRX) unreadable.
    /// </summary>
    private static string Printable(string screen) =>
        new([.. screen.Where(c => c is '\n' or '\t' || !char.IsControl(c))]);

    /// <summary>Starts a manual-autonomy run at a terminal, types <paramref name="keys"/> once <paramref name="prompt"/> is on screen.</summary>
    private async Task<(int Exit, string Screen)> RunAtTerminalAsync(string prompt, string keys)
    {
        Assert.True(File.Exists(Script), $"{Script} (util-linux) is needed for terminal tests");
        var companyos = Path.Combine(AppContext.BaseDirectory, "companyos");
        // exec: the CLI itself is the terminal's foreground process, as when a person types the command. Without it a
        // non-interactive /bin/sh (dash) sits in the same process group, dies of the Ctrl+C and reports 130 for the CLI.
        var command = $"exec '{companyos}' run researcher 'Use read_file on README.md' --autonomy manual --db '{_cli.Database}'";
        var start = new ProcessStartInfo(Script)
        {
            WorkingDirectory = _cli.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-q", "-e", "-c", command, "/dev/null" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("ANTHROPIC_API_KEY");
        start.Environment.Remove("OPENAI_API_KEY");
        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "200";
        using var process = Process.Start(start)!;
        var screen = new StringBuilder();
        var reading = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (screen)
                {
                    screen.Append(buffer, 0, read);
                }
            }
        });
        var errors = process.StandardError.ReadToEndAsync();
        string Screen()
        {
            lock (screen)
            {
                return screen.ToString();
            }
        }

        try
        {
            await Poll.UntilAsync(
                () => Screen().Contains(prompt, StringComparison.Ordinal) || process.HasExited, $"the prompt '{prompt}' on the terminal", Bound);
            Assert.True(Screen().Contains(prompt, StringComparison.Ordinal), $"exited before prompting:\n{Screen()}");

            await process.StandardInput.WriteAsync(keys);
            await process.StandardInput.FlushAsync(TestContext.Current.CancellationToken);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            bound.CancelAfter(Bound);
            await process.WaitForExitAsync(bound.Token);
            await reading.WaitAsync(Bound, TestContext.Current.CancellationToken);
            return (process.ExitCode, Printable(Screen() + await errors));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
