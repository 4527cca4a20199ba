using System.Diagnostics;
using System.Security;

namespace CompanyOs.Emulator.Tests.Harness;

/// <summary>
/// scripts/test-summary.py, which turns the TRX files of a session into the last line of scripts/test.sh: skips are
/// reported with their reasons, and a skip that tests/skips-allowed.txt does not allow is a failure, so a suite that
/// skips itself when the emulator lacks a route cannot turn CI green.
/// </summary>
public sealed class TestSummaryTests : IDisposable
{
    private const string Project = "CompanyOs.Sample.Tests";

    private readonly string _dir = Directory.CreateTempSubdirectory("test-summary-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_skip_not_in_the_allow_list_is_listed_with_its_reason_and_counts_as_failed()
    {
        WriteTrx("a.trx", ("Sample.Passes", "Passed", null), ("Sample.Conformance.Streams", "NotExecuted", "the emulator does not serve POST /v1/messages"));

        var (exit, lines) = await Summarize(allowList: "");

        Assert.Equal(1, exit);
        Assert.Equal("1 passed, 1 failed, 0 skipped", lines[^1]);
        Assert.Contains("  [NOT ALLOWED] Sample.Conformance.Streams: the emulator does not serve POST /v1/messages", lines);
    }

    [Fact]
    public async Task A_skip_the_allow_list_justifies_is_counted_as_skipped()
    {
        WriteTrx("a.trx", ("Sample.Passes", "Passed", null), ("Sample.Theory(kind: 2)", "NotExecuted", "no cache on this wire"));

        var (exit, lines) = await Summarize(allowList: "# why each may skip\nSample.Theory | this wire format has no prompt cache\n");

        Assert.Equal(0, exit);
        Assert.Equal("1 passed, 0 failed, 1 skipped", lines[^1]);
        Assert.Contains("  [allowed] Sample.Theory(kind: 2): no cache on this wire", lines);
    }

    [Fact]
    public async Task An_allow_list_entry_without_a_reason_is_refused_with_its_line()
    {
        WriteTrx("a.trx", ("Sample.Skips", "NotExecuted", "why not"));

        var (exit, lines) = await Summarize(allowList: "Sample.Skips\n");

        Assert.Equal(1, exit);
        Assert.Contains(lines, l => l.EndsWith("skips-allowed.txt:1: expected 'Test.Name | reason why skipping it is right', got 'Sample.Skips'", StringComparison.Ordinal));
        Assert.Equal("0 passed, 2 failed, 0 skipped", lines[^1]);
    }

    [Fact]
    public async Task Failed_timed_out_and_aborted_results_all_count_as_failed()
    {
        WriteTrx("a.trx", ("Sample.A", "Passed", null), ("Sample.B", "Failed", null), ("Sample.C", "Timeout", null), ("Sample.D", "Aborted", null));

        var (exit, lines) = await Summarize(allowList: "");

        Assert.Equal(1, exit);
        Assert.Equal("1 passed, 3 failed, 0 skipped", lines[^1]);
    }

    [Fact]
    public async Task A_project_that_wrote_no_results_counts_as_failed_and_its_hang_log_is_shown()
    {
        WriteTrx("a.trx", ("Sample.Passes", "Passed", null));
        File.WriteAllText(Path.Combine(_dir, "CompanyOs.Hung.Tests_42_hang.log"), "[00:05:00] CompanyOs.Hung.Tests.Loop.Waits_forever\n");

        var (exit, lines) = await Summarize(allowList: "", extraProjects: "CompanyOs.Hung.Tests");

        Assert.Equal(1, exit);
        Assert.Contains("CompanyOs.Hung.Tests: no test results (its test host crashed, hung or did not start)", lines);
        Assert.Contains("    [00:05:00] CompanyOs.Hung.Tests.Loop.Waits_forever", lines);
        Assert.Equal("1 passed, 1 failed, 0 skipped", lines[^1]);
    }

    [Fact]
    public async Task A_failure_message_with_terminal_control_characters_still_counts_every_result()
    {
        // The test platform writes a failure message's ESC and Ctrl+C characters into the TRX as they are (invalid XML);
        // that once made a whole project's results "unreadable" and uncounted.
        WriteTrx("a.trx", ("Sample.Passes", "Passed", null), ("Sample.AtTerminal", "Failed", "screen: \u001b[?1h\u001b= prompt \u0003"));

        var (exit, lines) = await Summarize(allowList: "");

        Assert.Equal(1, exit);
        Assert.DoesNotContain(lines, l => l.Contains("unreadable TRX", StringComparison.Ordinal));
        Assert.Equal("1 passed, 1 failed, 0 skipped", lines[^1]);
    }

    [Fact]
    public async Task A_failing_runner_with_no_failed_test_still_fails()
    {
        WriteTrx("a.trx", ("Sample.Passes", "Passed", null));

        var (exit, lines) = await Summarize(allowList: "", runnerExit: 3);

        Assert.Equal(1, exit);
        Assert.Equal("1 passed, 1 failed, 0 skipped", lines[^1]);
    }

    private void WriteTrx(string name, params (string Test, string Outcome, string? Output)[] results)
    {
        const string Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        var storage = $"/repo/tests/{Project}/bin/Debug/net10.0/{Project}.dll";
        var body = string.Concat(results.Select(r =>
            $"<UnitTestResult testName=\"{SecurityElement.Escape(r.Test)}\" outcome=\"{r.Outcome}\">"
            + (r.Output is null ? string.Empty : $"<Output><StdOut>{SecurityElement.Escape(r.Output)}</StdOut></Output>")
            + "</UnitTestResult>"));
        var definitions = string.Concat(results.Select(r => $"<UnitTest name=\"{SecurityElement.Escape(r.Test)}\" storage=\"{storage}\" />"));
        File.WriteAllText(Path.Combine(_dir, name),
            $"<TestRun xmlns=\"{Ns}\"><Results>{body}</Results><TestDefinitions>{definitions}</TestDefinitions></TestRun>");
    }

    private async Task<(int Exit, string[] Lines)> Summarize(string allowList, string? extraProjects = null, int runnerExit = 0)
    {
        var allow = Path.Combine(_dir, "skips-allowed.txt");
        File.WriteAllText(allow, allowList);
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(RepoRoot(), "scripts", "test-summary.py"), "--runner-exit", $"{runnerExit}", _dir, allow, Project })
        {
            start.ArgumentList.Add(arg);
        }

        if (extraProjects is not null)
        {
            start.ArgumentList.Add(extraProjects);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start python3");
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.True(string.IsNullOrEmpty(await error), await error);
        return (process.ExitCode, (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "CompanyOs.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("CompanyOs.sln not found above the test directory.");
        }

        return dir;
    }
}
