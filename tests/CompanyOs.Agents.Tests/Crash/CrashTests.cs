using System.Diagnostics;
using System.Globalization;
using CompanyOs.Agents.CrashHost;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Events;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Agents.Tests.Crash;

/// <summary>
/// Kills (SIGKILL) a child process driving an agent run over SQLite at a random point, then resumes the run in this process:
/// it must complete with every acknowledged event still there, versions gap-free, and no non-idempotent tool run twice.
/// The model is the emulator on 127.0.0.1 (OpenAI wire format, through the gateway), shared by the child and this process
/// and scripted by conversation position, so the resumed run sees the turns the killed one would have seen.
/// Trials: 20 here; <c>scripts/agent-soak.sh</c> runs more (COMPANYOS_AGENT_CRASH_TRIALS).
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private EmulatorServer _emulator = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int Trials =>
        int.TryParse(Environment.GetEnvironmentVariable("COMPANYOS_AGENT_CRASH_TRIALS"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 20;

    public async ValueTask InitializeAsync()
    {
        _emulator = await EmulatorServer.StartAsync(cancellationToken: Ct);
        var turns = CrashScenario.Turns;
        for (var i = 0; i < turns.Length; i++)
        {
            _emulator.Script.Enqueue(ScriptedTurn.ToolCalls([.. turns[i].Select(c => new ScriptedToolCall(c.Tool, $$"""{"query":"{{c.Query}}"}"""))])
                .WithText($"Turn {i}.").AtPosition(i));
        }

        _emulator.Script.Enqueue(ScriptedTurn.Text(CrashScenario.FinalAnswer).AtPosition(turns.Length));
    }

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task Killed_runs_resume_to_completion_without_lost_events_or_double_execution()
    {
        var killedMidRun = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            killedMidRun += await RunTrialAsync(trial) ? 1 : 0;
        }

        // The kill point is random; most trials must really interrupt the run for the test to mean anything.
        Assert.True(killedMidRun >= Trials / 2, $"only {killedMidRun} of {Trials} trials were killed mid-run");
    }

    private async Task<bool> RunTrialAsync(int trial)
    {
        var dir = Directory.CreateTempSubdirectory($"agent-crash-{trial}-").FullName;
        try
        {
            var db = Path.Combine(dir, "events.db");
            var (acknowledged, finished) = await RunChildAndKillAsync(db, dir, Random.Shared.Next(0, 40));

            await using var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = db }, cancellationToken: Ct);
            var before = await ReadAsync(store);
            Assert.True(before.Count - 1 >= acknowledged, $"trial {trial}: event {acknowledged} was acknowledged but the store has {before.Count}");

            using var gateway = CrashScenario.CreateGateway(_emulator.OpenAIEndpoint);
            await using (var runtime = CrashScenario.CreateRuntime(store, dir, gateway))
            {
                var result = before.Count == 0
                    ? await runtime.RunAsync(CrashScenario.Request, cancellationToken: Ct)
                    : await runtime.ResumeAsync(CrashScenario.RunId, cancellationToken: Ct);

                // The killed child's lease blocks a takeover until it expires; a bounded wait for that.
                for (var wait = 0; result.DrivenBy is not null && wait < 50; wait++)
                {
                    await Task.Delay(CrashScenario.LeaseDuration / 4, Ct);
                    result = await runtime.ResumeAsync(CrashScenario.RunId, cancellationToken: Ct);
                }

                Assert.Equal(RunStatus.Completed, result.Status);
                Assert.Equal(CrashScenario.FinalAnswer, result.Result);
            }

            var events = await ReadAsync(store);
            Assert.Equal(Enumerable.Range(0, events.Count).Select(i => (long)i), events.Select(e => e.Version));
            Assert.Equal(before.Select(e => e.EventId), events.Take(before.Count).Select(e => e.EventId));
            Assert.Equal("AgentReasoningCompleted", events[^1].Type);
            var state = RunState.From(events);
            Assert.All(state.Calls.Values, c => Assert.True(c.HasResult, $"trial {trial}: call {c.CallId} has no result"));
            Assert.Equal(CrashScenario.Turns.Sum(t => t.Length), state.Calls.Count);
            foreach (var tool in CrashScenario.NonIdempotentTools)
            {
                var log = Path.Combine(dir, tool + ".log");
                var executions = File.Exists(log) ? File.ReadAllLines(log) : [];
                Assert.True(executions.Length == executions.Distinct().Count(), $"trial {trial}: {tool} ran a call twice: {string.Join(",", executions)}");
                var started = events.Where(e => e.Type == nameof(ToolCallStarted)).Select(e => e.Data.GetProperty("call_id").GetString()).ToList();
                Assert.All(executions, id => Assert.Contains(id, started));
            }

            return !finished;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Starts the host, kills it <paramref name="killAfterEvents"/> acknowledged events in; returns the last acknowledged version.</summary>
    private async Task<(long Acknowledged, bool Finished)> RunChildAndKillAsync(string db, string dir, int killAfterEvents)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "CompanyOs.Agents.CrashHost.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { host, db, dir, _emulator.OpenAIEndpoint.ToString(), "start" })
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash host");
        long acknowledged = -1;
        var finished = false;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("appended ", StringComparison.Ordinal))
            {
                acknowledged = long.Parse(line["appended ".Length..], CultureInfo.InvariantCulture);
                if (acknowledged >= killAfterEvents)
                {
                    child.Kill(entireProcessTree: true);
                    break;
                }
            }
            else if (line.StartsWith("status ", StringComparison.Ordinal))
            {
                finished = true;
            }
        }

        await child.WaitForExitAsync(timeout.Token);
        return (acknowledged, finished);
    }

    private static async Task<List<RecordedEvent>> ReadAsync(SqliteEventStore store)
    {
        var list = new List<RecordedEvent>();
        await foreach (var e in store.ReadStreamAsync(RunEventCodec.StreamId(CrashScenario.RunId), 0, Ct))
        {
            list.Add(e);
        }

        return list;
    }
}
