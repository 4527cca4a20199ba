using CompanyOs.Agents.Leases;
using CompanyOs.Agents.Runtime;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Server.Agents;
using Microsoft.Extensions.DependencyInjection;

namespace CompanyOs.Server.Tests.Agents;

/// <summary>Runs are driven in the background under leases, at most max_concurrent_runs at once; queued runs survive a restart; expired leases are taken over.</summary>
public sealed class RunSchedulingTests
{
    private static readonly ScriptedTurn Answer = ScriptedTurn.Text("All done.") with { Repeatable = true };

    /// <summary>An emulator that answers every model call with <see cref="Answer"/> from its start.</summary>
    private static EmulatorOptions Scripted() => new() { Script = { Answer } };

    private static CancellationToken Ct => AgentHttp.Ct;

    [Fact]
    public async Task At_most_max_concurrent_runs_are_driven_and_the_rest_wait_their_turn_without_being_dropped()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync(new EmulatorOptions { FirstByteDelay = TimeSpan.FromMilliseconds(400) },
            "--CompanyOs:Server:MaxConcurrentRuns=1");
        server.Emulator!.Script.Enqueue(Answer);
        using var http = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme"));
        var scheduler = server.Services.GetRequiredService<AgentRuns>().Scheduler;

        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await http.StartAsync($$"""{"agent":"writer","task":"Job {{i}}"}""")).GetProperty("id").GetString()!);
        }

        Assert.True(scheduler.Queued >= 2, $"with one slot and slow model calls, later runs wait in the queue (queued: {scheduler.Queued})");
        foreach (var id in ids)
        {
            await http.WaitForStatusAsync(id, "completed");
        }

        Assert.Equal(1, scheduler.MostDriving);
        Assert.Equal(0, scheduler.Queued);
    }

    [Fact]
    public async Task Runs_queued_or_driven_when_the_server_stops_stay_resumable_and_the_next_server_finishes_them()
    {
        var project = new AgentProject();
        var ids = new List<string>();
        string key;
        await using (var first = await project.StartAsync(new EmulatorOptions { FirstByteDelay = TimeSpan.FromSeconds(5) }, "--CompanyOs:Server:MaxConcurrentRuns=1"))
        {
            key = await AgentHttp.KeyAsync(first, "acme");
            using var http = AgentHttp.Client(first.BaseUri, key);
            for (var i = 0; i < 3; i++)
            {
                ids.Add((await http.StartAsync($$"""{"agent":"writer","task":"Job {{i}}"}""")).GetProperty("id").GetString()!);
            }

            await Poll.UntilAsync(() => first.Emulator!.TotalRequestCount > 0, "the first run's model call to start", cancellationToken: Ct);
        }

        // Graceful shutdown stopped driving without failing anything: every run is still running. (A short lease on the
        // second server: were a lease left behind, the runs would still be finished, just after it expired.)
        // The answer is scripted before the server starts: its take-over may drive the runs as soon as it is up.
        await using var second = await project.StartAsync(Scripted(), "--CompanyOs:Server:RunLeaseSeconds=2");
        using var next = AgentHttp.Client(second.BaseUri, key);
        foreach (var id in ids)
        {
            var run = await next.WaitForStatusAsync(id, "completed");
            Assert.Equal("All done.", run.GetProperty("result").GetString());
        }
    }

    [Fact]
    public async Task A_run_whose_driver_crashed_is_taken_over_at_start_once_its_lease_has_expired()
    {
        var project = new AgentProject();
        string id;
        string key;
        DateTimeOffset expiresAt;
        await using (var first = await project.StartAsync())
        {
            key = await AgentHttp.KeyAsync(first, "acme");
            var runs = first.Services.GetRequiredService<AgentRuns>();
            // Stored as started but never driven here; a "crashed" instance holds its lease and never renews it.
            id = await runs.Runtime.StartOnlyAsync(new AgentRunRequest { AgentType = "writer", Task = "Recover me", OrgId = "acme" }, Ct);
            var (lease, _) = await new RunLeases(runs.Store, "crashed-instance", TimeSpan.FromSeconds(2), TimeProvider.System)
                .TryAcquireAsync(id, "acme", Ct);
            Assert.NotNull(lease);
            expiresAt = lease.ExpiresAt;
        }

        await using var second = await project.StartAsync(Scripted(), "--CompanyOs:Server:RunLeaseSeconds=1");
        using var http = AgentHttp.Client(second.BaseUri, key);
        var run = await http.WaitForStatusAsync(id, "completed");

        // Not before the crashed instance's lease expired (judged from the run's end, not from when the test looked).
        Assert.True(run.GetProperty("ended_at").GetDateTimeOffset() >= expiresAt, $"ended {run.GetProperty("ended_at")} before the lease expired at {expiresAt:O}");
        var holder = second.Services.GetRequiredService<AgentRuns>().Runtime.InstanceId;
        // The lease row went from the crashed instance (token 1) to this one (token 2), and no lease events were written.
        var store = second.Services.GetRequiredService<AgentRuns>().Store;
        var row = await RunLeaseStore.For(store).GetAsync(id, Ct);
        Assert.True(row!.Token >= 2, $"token {row.Token}");
        Assert.True(row.Owner is null || row.Owner == holder, $"held by {row.Owner}");
        Assert.Empty(await store.ListStreamsAsync("agent-lease:", null, Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task A_run_whose_driver_crashes_while_this_server_runs_is_taken_over_once_its_lease_expires()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync("--CompanyOs:Server:RunLeaseSeconds=1");
        server.Emulator!.Script.Enqueue(Answer);
        using var http = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme"));
        var runs = server.Services.GetRequiredService<AgentRuns>();
        await runs.Scheduler.TakenOver.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // Another instance takes the run's lease and dies (never renews): no start-up look will find the run, only the
        // server's periodic look for runs whose lease expired.
        var id = "run_" + Guid.NewGuid().ToString("N");
        var (lease, _) = await new RunLeases(runs.Store, "crashed-instance", TimeSpan.FromSeconds(3), TimeProvider.System).TryAcquireAsync(id, "acme", Ct);
        Assert.NotNull(lease);
        await runs.Runtime.StartOnlyAsync(new AgentRunRequest { RunId = id, AgentType = "writer", Task = "Recover me", OrgId = "acme" }, Ct);

        var run = await http.WaitForStatusAsync(id, "completed");
        Assert.Equal("All done.", run.GetProperty("result").GetString());
        var row = await RunLeaseStore.For(runs.Store).GetAsync(id, Ct);
        Assert.True(row!.Token >= 2, $"token {row.Token}");
        Assert.NotEqual("crashed-instance", row.Owner);
    }

    [Fact]
    public async Task An_event_stream_sends_heartbeats_while_nothing_happens_and_follows_writes_of_other_writers()
    {
        var project = new AgentProject();
        // A long lease: the periodic take-over (every half lease) must not drive the idle run during the test either.
        await using var server = await project.StartAsync("--CompanyOs:Server:SseHeartbeatSeconds=0.2", "--CompanyOs:Server:RunLeaseSeconds=600");
        using var http = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme"));
        var runs = server.Services.GetRequiredService<AgentRuns>();
        // A running run nobody drives: nothing happens until it is cancelled. Started after the server's start-up take-over
        // has looked for such runs, or the server would drive it (it did once, on a loaded machine).
        await runs.Scheduler.TakenOver.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var id = await runs.Runtime.StartOnlyAsync(new AgentRunRequest { AgentType = "writer", Task = "Idle", OrgId = "acme" }, Ct);

        using var response = await http.GetAsync(new Uri($"v1/runs/{id}/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, Ct);
        var events = new List<SseEvent>();
        var cancelled = false;
        await foreach (var e in SseClient.ReadAsync(response, Ct))
        {
            events.Add(e);
            if (!cancelled && events.Count(x => x.IsComment) >= 2)
            {
                cancelled = true;
                using var cancel = await http.PostAsync($"v1/runs/{id}/cancel", """{"reason":"idle"}""");
                await cancel.JsonAsync(200);
            }
        }

        Assert.Equal("run_started", events[0].Event);
        Assert.All(events.Where(e => e.IsComment), e => Assert.Equal("heartbeat", e.Data));
        Assert.Contains(events, e => e.Event == "run_cancelled");
        Assert.Equal("cancelled", events[^1].Json.GetProperty("status").GetString());
    }
}
