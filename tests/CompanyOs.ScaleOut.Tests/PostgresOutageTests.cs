using System.Net;
using System.Text.Json;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.ScaleOut.Tests.Infrastructure;

namespace CompanyOs.ScaleOut.Tests;

/// <summary>
/// A server instance whose PostgreSQL (keys, spend, usage and runs) crashes and comes back: while it is down the instance
/// says so (<c>/readyz</c> 503, requests that need the store 503 with <c>Retry-After</c>) instead of hanging or serving
/// unaccounted; what it acknowledged — before, and a call it answered while the database was going down — is all there
/// afterwards; and it serves again without a restart, finishing the run that was in flight.
/// </summary>
public sealed class PostgresOutageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostgreSQL_down_makes_readyz_and_store_requests_503_loses_nothing_acknowledged_and_the_instance_recovers_when_it_returns()
    {
        await using var postgres = await DedicatedPostgres.StartAsync();
        // No key cache: every /v1 request reads its key from the store, so a chat call during the outage needs the store (with
        // the default 5 s cache, whether it does depended on how long the steps before it took).
        await using var cluster = await ScaleOutCluster.StartAsync(new ClusterSettings { Postgres = postgres.ConnectionString, RunLeaseSeconds = 3, KeyCacheSeconds = 0 }, instances: 1);
        var arguments = JsonSerializer.Serialize(new { file = cluster.Project.ExecutionLog, line = "executed", hold = 0 });
        cluster.Emulator.Script.Enqueue(ScriptedTurn.ToolCalls(("rec__append", arguments)).AtPosition(0));
        cluster.Emulator.Script.Enqueue(ScriptedTurn.Text("Recorded.").AtPosition(1));
        var key = await cluster.CreateKeyAsync("acme");
        using var http = cluster[0].Client(key);

        // Acknowledged before the outage: a call and a finished run.
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(http));
        var finished = await http.StartRunAsync("worker", "Record one line");
        await http.WaitForStatusAsync(finished, "completed", context: () => cluster.Output);
        var finishedEvents = await http.ReadEventsAsync(finished);

        // In flight when PostgreSQL goes down: a run's first model call and a chat call, both held 4 s by the emulator.
        cluster.Emulator.Faults.Enqueue(Fault.SlowFirstByte(TimeSpan.FromSeconds(4)), times: 2);
        var inFlight = await http.StartRunAsync("worker", "Record another line");
        var answeredDuringOutage = ChatAsync(http);
        await Poll.UntilAsync(() => cluster.Emulator.Requests.Count(r => r.Fault is not null) == 2, "both held calls to reach the emulator", cancellationToken: Ct);
        await postgres.StopImmediatelyAsync();

        Assert.Equal(HttpStatusCode.OK, await answeredDuringOutage);
        using var anonymous = cluster[0].Client();
        await Poll.UntilAsync(async () => (await anonymous.GetAsync(new Uri("readyz", UriKind.Relative), Ct)).StatusCode == HttpStatusCode.ServiceUnavailable,
            "/readyz to report 503 while PostgreSQL is down", cancellationToken: Ct);
        using (var ready = await anonymous.GetAsync(new Uri("readyz", UriKind.Relative), Ct))
        {
            var body = await ready.Content.ReadAsStringAsync(Ct);
            Assert.Contains("\"keys\":\"unreachable", body, StringComparison.Ordinal);
            Assert.Contains("\"runs\":\"unreachable: the run store (PostgreSQL) does not answer", body, StringComparison.Ordinal);
        }

        using (var healthz = await anonymous.GetAsync(new Uri("healthz", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        }

        foreach (var (method, path) in new[] { ("POST", "v1/chat/completions"), ("POST", "v1/runs"), ("GET", $"v1/runs/{finished}"), ("GET", "v1/stats") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
            if (method == "POST")
            {
                request.Content = new StringContent(path == "v1/runs" ? """{"agent":"worker","task":"x"}""" : ChatBody, System.Text.Encoding.UTF8, "application/json");
            }

            using var refused = await http.SendAsync(request, Ct);
            var body = await refused.Content.ReadAsStringAsync(Ct);
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{method} {path} while PostgreSQL is down: {(int)refused.StatusCode} {body}");
            Assert.Contains("store is unavailable", body, StringComparison.Ordinal);
            Assert.True(refused.Headers.RetryAfter is not null, $"{method} {path}: no Retry-After");
        }

        await postgres.StartAgainAsync();

        await Poll.UntilAsync(async () => (await anonymous.GetAsync(new Uri("readyz", UriKind.Relative), Ct)).IsSuccessStatusCode,
            "/readyz to be 200 again once PostgreSQL is back", cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(http));
        await http.WaitForStatusAsync(inFlight, "completed", TimeSpan.FromSeconds(45), () => cluster.Output);
        Assert.Equal(["executed", "executed"], cluster.Project.Executions);
        var after = await http.ReadEventsAsync(finished);
        Assert.Equal(finishedEvents.Select(e => (e.Version, e.Type)), after.Select(e => (e.Version, e.Type)));

        // Usage of every call the provider answered — those answered while PostgreSQL was down included — is in the store.
        // (A request the server gave up on before its answer was complete — a drive stopped — is charged only when output had begun.)
        var requests = cluster.Emulator.Requests;
        var answered = requests.Count(r => !r.Response.Aborted);
        var log = string.Join('\n', requests.Select(r => $"{r.ReceivedAt:HH:mm:ss.fff} fault={r.Fault} aborted={r.Response.Aborted}"));
        var recorded = 0L;
        JsonElement stats = default;
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(15) && recorded < answered; await Task.Delay(100, Ct))
        {
            stats = await http.GetJsonAsync("v1/stats");
            recorded = stats.GetProperty("totals").GetProperty("calls").GetInt64();
        }

        Assert.True(recorded >= answered && recorded <= requests.Count,
            $"answered {answered} of {requests.Count} requests, recorded {recorded}: {stats.GetRawText()}\n{log}\n{cluster.Output}");
    }

    private const string ChatBody = """{"model":"gpt-4o","max_tokens":50,"messages":[{"role":"user","content":"hello"}]}""";

    private static async Task<HttpStatusCode> ChatAsync(HttpClient http)
    {
        using var content = new StringContent(ChatBody, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("v1/chat/completions", UriKind.Relative), content, Ct);
        return response.StatusCode;
    }
}
