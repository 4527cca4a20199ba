namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary>Ctrl+C leaves a resumable run; broken or missing tool configuration is reported, not hidden.</summary>
public sealed class DurabilityAndConfigTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Cancelling_mid_run_exits_130_and_resume_finishes_the_run()
    {
        using var cancel = new CancellationTokenSource();
        using var output = new CancelWhenWritten("tool requested: read_file", cancel);

        var run = await _cli.Raw(
            ["run", "researcher", "Use read_file on the notes", "--autonomy", "autonomous", "--db", _cli.Database], output, cancel.Token);

        Assert.True(run.Exit == ExitCodes.Interrupted, run.All);
        Assert.Contains($"companyos resume {run.RunId} -c ", run.Out, StringComparison.Ordinal);
        Assert.Contains($" --db {_cli.Database}", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("RunCompleted", await _cli.TypesAsync(run.RunId));

        var resumed = await _cli.Cli("resume", run.RunId);

        Assert.True(resumed.Exit == ExitCodes.Success, resumed.All);
        Assert.Contains($"completed · run {run.RunId}", resumed.Out, StringComparison.Ordinal);
        var types = await _cli.TypesAsync(run.RunId);
        Assert.Single(types, t => t == "RunStarted");
        Assert.Equal(["RunCompleted", "AgentReasoningCompleted"], types[^2..]);
    }

    [Fact]
    public async Task Ctrl_c_at_a_prompt_decides_nothing_and_lists_the_run_as_waiting()
    {
        using var cancel = new CancellationTokenSource();
        using var output = new CancelWhenWritten("[s]kip?", cancel);
        _cli.InputReader = new SilentReader();

        var run = await _cli.Raw(
            ["run", "researcher", "Use read_file on the notes", "--autonomy", "manual", "--interactive", "--db", _cli.Database], output, cancel.Token);

        Assert.True(run.Exit == ExitCodes.AwaitingInput, run.All);
        Assert.Contains($"companyos approve {run.RunId}", run.Out, StringComparison.Ordinal);
        Assert.Equal("ApprovalRequested", (await _cli.TypesAsync(run.RunId))[^1]);
    }

    [Fact]
    public async Task Invalid_tool_configuration_is_a_clear_error()
    {
        var config = _cli.CopyConfiguration();
        await File.WriteAllTextAsync(Path.Combine(Path.GetDirectoryName(config)!, "tools.yaml"), "web_search:\n  provider: bing\n", TestContext.Current.CancellationToken);

        var run = await _cli.Cli("run", "researcher", "x", "--config", config);

        Assert.Equal(ExitCodes.BadInput, run.Exit);
        Assert.Contains("the tool configuration could not be loaded", run.Err, StringComparison.Ordinal);
        Assert.Contains("web_search.provider", run.Err, StringComparison.Ordinal);
        Assert.Contains("bing", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_tool_configuration_runs_with_built_in_tools_only_and_says_so()
    {
        var config = _cli.CopyConfiguration();
        File.Delete(Path.Combine(Path.GetDirectoryName(config)!, "tools.yaml"));

        var run = await _cli.Cli("run", "researcher", "Summarise event sourcing, then complete_task", "--config", config);

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        Assert.Contains("no tool configuration at", run.Err, StringComparison.Ordinal);
        Assert.Contains("web_search, read_file, list_dir not available", run.Err, StringComparison.Ordinal);
        var events = await _cli.EventsAsync(run.RunId);
        Assert.Empty(events[0].Data.GetProperty("settings").GetProperty("tools").EnumerateArray());
        Assert.All(events.Where(e => e.Type == "ToolCallRequested"), e => Assert.Equal("complete_task", e.Data.GetProperty("tool_name").GetString()));
        Assert.Equal("RunCompleted", events[^2].Type);
    }

    [Fact]
    public async Task A_provider_that_is_down_fails_the_run_with_exit_4_and_no_key_in_the_output()
    {
        var config = _cli.CopyConfiguration();
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await File.WriteAllTextAsync(config, $"""
            default_provider: openai
            providers:
              openai:
                enabled: true
                api_key: "sk-test-not-real-123"
                base_url: "http://127.0.0.1:{closedPort}/v1"
                default_model: "gpt-4o"
                max_retries: 0
                timeout_seconds: 5
            """, TestContext.Current.CancellationToken);

        var run = await _cli.Cli("run", "researcher", "Summarise event sourcing", "--config", config);

        Assert.Equal(ExitCodes.RunNotCompleted, run.Exit);
        Assert.Contains("Provider 'openai' failed (ConnectionFailed)", run.Out, StringComparison.Ordinal);
        Assert.Contains($"failed · run {run.RunId}", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("EMULATED", run.All, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-test-not-real-123", run.All, StringComparison.Ordinal);
        Assert.Equal(["RunStarted", "RunFailed", "AgentReasoningCompleted"], await _cli.TypesAsync(run.RunId));
    }

    [Fact]
    public async Task Keys_in_the_environment_never_reach_the_output()
    {
        var config = _cli.CopyConfiguration();
        var run = await _cli.Cli("run", "researcher", "Summarise event sourcing", "--config", config, "--emulator", "--json");

        Assert.True(run.Exit == ExitCodes.Success, run.All);
        Assert.Contains("EMULATED: --emulator was given", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("emulator-key", run.All, StringComparison.Ordinal);
    }

    /// <summary>A person who never types anything.</summary>
    private sealed class SilentReader : TextReader
    {
        public override ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) => new(new TaskCompletionSource<string?>().Task);
    }

    /// <summary>Output that cancels the invocation once a given text has been written (a Ctrl+C at a known step).</summary>
    private sealed class CancelWhenWritten(string trigger, CancellationTokenSource cancel) : StringWriter
    {
        public override void Write(string? value)
        {
            base.Write(value);
            if (!cancel.IsCancellationRequested && ToString().Contains(trigger, StringComparison.Ordinal))
            {
                cancel.Cancel();
            }
        }
    }
}
