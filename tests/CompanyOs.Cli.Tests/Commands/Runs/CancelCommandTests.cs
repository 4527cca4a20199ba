using System.Text.Json;

namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary><c>companyos cancel &lt;run&gt;</c>: ends a waiting run for good, from another process than the one that started it.</summary>
public sealed class CancelCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<CliResult> WaitingRunAsync()
    {
        var run = await _cli.Cli("run", "researcher", "Use read_file on README.md", "--autonomy", "manual", "--no-input");
        Assert.True(run.Exit == ExitCodes.AwaitingInput, run.All);
        return run;
    }

    [Fact]
    public async Task Cancel_ends_a_waiting_run_with_the_reason_and_exits_0()
    {
        var run = await WaitingRunAsync();

        var cancel = await _cli.Cli("cancel", run.RunId, "--reason", "not needed any more");

        Assert.True(cancel.Exit == ExitCodes.Success, cancel.All);
        Assert.Contains("cancelled: not needed any more", cancel.Out, StringComparison.Ordinal);
        Assert.Contains($"cancelled · run {run.RunId}", cancel.Out, StringComparison.Ordinal);
        var cancelled = Assert.Single(await _cli.EventsAsync(run.RunId), e => e.Type == "RunCancelled").Data;
        Assert.Equal("not needed any more", cancelled.GetProperty("reason").GetString());

        var listed = await _cli.Cli("runs", "--json");
        var only = JsonDocument.Parse(listed.Out).RootElement.EnumerateArray().Single();
        Assert.Equal("cancelled", only.GetProperty("status").GetString());
        Assert.Equal(0, only.GetProperty("pending").GetInt32());
    }

    [Fact]
    public async Task An_ended_run_cannot_be_cancelled_or_approved_and_both_say_so()
    {
        var run = await WaitingRunAsync();
        var approve = run.Command("companyos approve");
        Assert.Equal(ExitCodes.Success, (await _cli.Cli("cancel", run.RunId)).Exit);

        var again = await _cli.Cli("cancel", run.RunId);
        var approved = await _cli.Raw(approve, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.BadInput, again.Exit);
        Assert.Contains($"error: run '{run.RunId}' has already ended (cancelled); there is nothing to cancel.", again.Err, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, approved.Exit);
        Assert.Contains("has ended (cancelled)", approved.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_an_unknown_run_names_it_and_exits_2()
    {
        await WaitingRunAsync();

        var cancel = await _cli.Cli("cancel", "run_nope");

        Assert.Equal(ExitCodes.BadInput, cancel.Exit);
        Assert.Equal($"error: unknown run 'run_nope' in {_cli.Database}. List runs with: companyos runs", cancel.Err.Trim());
    }

    [Fact]
    public async Task Cancel_works_as_a_process()
    {
        var run = await WaitingRunAsync();

        var cancel = await CliProcess.RunAsync(_cli.WorkingDirectory, TimeSpan.FromSeconds(60), "cancel", run.RunId, "--db", _cli.Database);

        Assert.True(cancel.Exit == ExitCodes.Success, cancel.All);
        Assert.Contains("RunCancelled", await _cli.TypesAsync(run.RunId));
    }
}
