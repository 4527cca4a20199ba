namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary><c>trace --follow</c>: steps stored by another process appear as they come; following ends with the run.</summary>
public sealed class TraceFollowTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Follow_prints_the_steps_another_command_stores_and_ends_with_the_run()
    {
        var run = await _cli.Cli("run", "researcher", "Use read_file on README.md", "--autonomy", "manual", "--no-input");
        Assert.Equal(ExitCodes.AwaitingInput, run.Exit);
        using var followed = new SharedWriter();
        var following = _cli.Raw(["trace", run.RunId, "--follow", "--db", _cli.Database], followed, Ct);
        await Poll.UntilAsync(() => followed.Text.Contains("approval needed", StringComparison.Ordinal), "the stored steps printed before following", cancellationToken: Ct);
        Assert.False(following.IsCompleted, "a waiting run is followed, not just shown");

        var approved = await _cli.Raw(run.Command("companyos approve"), cancellationToken: Ct);
        var trace = await following.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.True(approved.Exit == ExitCodes.Success, approved.All);
        Assert.True(trace.Exit == ExitCodes.Success, trace.All);
        Assert.Contains("decision  approved ", trace.Out, StringComparison.Ordinal);
        Assert.Contains("tool completed: read_file", trace.Out, StringComparison.Ordinal);
        Assert.Contains($"completed · run {run.RunId}", trace.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_with_json_is_refused()
    {
        var run = await _cli.Cli("run", "architect", "Sketch a cache");

        var trace = await _cli.Cli("trace", run.RunId, "--follow", "--json");

        Assert.Equal(ExitCodes.BadInput, trace.Exit);
        Assert.Contains("--follow is for the human output", trace.Err, StringComparison.Ordinal);
    }

    /// <summary>Output written by the command while the test reads it.</summary>
    private sealed class SharedWriter : StringWriter
    {
        private readonly Lock _gate = new();

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_gate)
            {
                base.Write(value);
            }
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_gate)
            {
                base.Write(buffer, index, count);
            }
        }
    }
}
