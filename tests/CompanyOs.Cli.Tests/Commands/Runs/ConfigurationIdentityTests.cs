namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary>
/// A run records the configuration that started it; printed commands carry <c>-c</c> and <c>--db</c>, and a process whose
/// configuration lacks the run's tools refuses to decide or drive it instead of failing the approved call.
/// </summary>
public sealed class ConfigurationIdentityTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Printed_commands_carry_the_runs_config_and_database_and_work_as_printed()
    {
        var config = _cli.CopyConfiguration();
        var run = await _cli.Cli("run", "researcher", "Use read_file on the notes", "--autonomy", "manual", "--no-input", "-c", config);
        Assert.True(run.Exit == ExitCodes.AwaitingInput, run.All);

        var approve = run.Command("companyos approve");
        Assert.Equal(["-c", config, "--db", _cli.Database], approve[^4..]);
        Assert.Equal(["-c", config, "--db", _cli.Database], run.Command("companyos reject")[^4..]);
        var started = (await _cli.EventsAsync(run.RunId))[0].Data;
        Assert.Equal(config, started.GetProperty("config_path").GetString());
        Assert.Matches("^[0-9a-f]{64}$", started.GetProperty("tool_set_hash").GetString());

        var approved = await _cli.Raw(approve, cancellationToken: Ct);

        Assert.True(approved.Exit == ExitCodes.Success, approved.All);
        Assert.Contains("tool started: read_file", approved.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configuration_without_the_runs_tools_refuses_the_decision_and_names_the_config_to_use()
    {
        var config = _cli.CopyConfiguration();
        var run = await _cli.Cli("run", "researcher", "Use read_file on the notes", "--autonomy", "manual", "--no-input", "-c", config);
        Assert.True(run.Exit == ExitCodes.AwaitingInput, run.All);
        var call = run.Command("companyos approve")[2];
        var before = await _cli.TypesAsync(run.RunId);

        // Another configuration, as found from another directory: same agents, but no tools.yaml (so no read_file).
        var other = Path.Combine(_cli.WorkingDirectory, "elsewhere");
        Directory.CreateDirectory(Path.Combine(other, "config"));
        CopyDirectory(Path.Combine(_cli.WorkingDirectory, "config", "agents"), Path.Combine(other, "config", "agents"));
        CopyDirectory(Path.Combine(_cli.WorkingDirectory, "prompts"), Path.Combine(other, "prompts"));
        File.Copy(config, Path.Combine(other, "config", "llm.yaml"));
        var otherConfig = Path.Combine(other, "config", "llm.yaml");

        var refused = await _cli.Cli("approve", run.RunId, call, "-c", otherConfig, "--no-input");

        Assert.Equal(ExitCodes.BadInput, refused.Exit);
        Assert.Contains("needs tool(s) read_file", refused.Err, StringComparison.Ordinal);
        Assert.Contains($"started with configuration '{config}'", refused.Err, StringComparison.Ordinal);
        Assert.Contains("--allow-missing-tools", refused.Err, StringComparison.Ordinal);
        Assert.Equal(before, await _cli.TypesAsync(run.RunId));

        var resumed = await _cli.Cli("resume", run.RunId, "-c", otherConfig, "--no-input");
        Assert.Equal(ExitCodes.BadInput, resumed.Exit);
        Assert.Equal(before, await _cli.TypesAsync(run.RunId));

        // The explicit override drives it anyway: the approved call fails as unavailable, and that is what the run records.
        var forced = await _cli.Cli("approve", run.RunId, call, "-c", otherConfig, "--no-input", "--allow-missing-tools");
        Assert.True(forced.Exit is ExitCodes.Success or ExitCodes.AwaitingInput or ExitCodes.RunNotCompleted, forced.All);
        var events = await _cli.EventsAsync(run.RunId);
        Assert.Contains(events, e => e.Type == "ToolCallFailed" && e.Data.GetProperty("reason").GetString() == "unknown_tool");
    }

    [Fact]
    public async Task The_exit_5_note_and_the_interrupted_note_carry_config_and_database()
    {
        var config = _cli.CopyConfiguration();
        var run = await _cli.Cli("run", "researcher", "Use read_file on the notes", "--autonomy", "manual", "--no-input", "-c", config);
        Assert.True(run.Exit == ExitCodes.AwaitingInput, run.All);
        await using (var store = await CompanyOs.Events.Sqlite.SqliteEventStore.OpenAsync(
            new CompanyOs.Events.Sqlite.SqliteEventStoreOptions { DatabasePath = _cli.Database }, cancellationToken: Ct))
        {
            var other = new CompanyOs.Agents.Leases.RunLeases(store, "other-process", TimeSpan.FromMinutes(5), TimeProvider.System);
            Assert.NotNull((await other.TryAcquireAsync(run.RunId, null, Ct)).Lease);
        }

        var resumed = await _cli.Cli("resume", run.RunId, "-c", config);

        Assert.True(resumed.Exit == ExitCodes.DrivenElsewhere, resumed.All);
        Assert.Contains($"companyos resume {run.RunId} -c {config} --db {_cli.Database}", resumed.Err, StringComparison.Ordinal);
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
    }
}
