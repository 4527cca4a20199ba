using System.Net.Http.Headers;
using System.Text.Json;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Scripting;

namespace CompanyOs.Server.Tests.Agents;

/// <summary>
/// Every agent endpoint through <see cref="Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory{TEntryPoint}"/> (the
/// server's real entry point on the in-memory TestServer): start, get, list, events, decisions, approve, reject, answer,
/// cancel, resume, prompts and the OpenAPI document — and another org's key gets 404 (or an empty list) on each.
/// </summary>
public sealed class InMemoryAgentApiTests
{
    private static CancellationToken Ct => AgentHttp.Ct;

    [Fact]
    public async Task Every_agent_endpoint_answers_through_the_in_memory_host_and_only_for_the_callers_org()
    {
        await using var emulator = await EmulatorServer.StartAsync(cancellationToken: Ct);
        emulator.Script.Enqueue(
            ScriptedTurn.ToolCalls(("read_file", """{"path":"notes.txt"}""")) with { Position = 0 },
            ScriptedTurn.ToolCalls(("read_file", """{"path":"other.txt"}""")) with { Position = 0 },
            ScriptedTurn.ToolCalls(("ask_human", """{"question":"Which day?"}""")) with { Position = 0 });
        var project = new AgentProject();
        await using var factory = new AgentApiFactory(project, emulator);
        using var bootstrap = factory.CreateClient();
        var (keyId, key) = await AgentHttp.KeyWithIdAsync(factory.Services, "acme");
        var (_, otherKey) = await AgentHttp.KeyWithIdAsync(factory.Services, "other");
        using var http = Client(factory, key);
        using var other = Client(factory, otherKey);

        // Start (idempotent), get, list.
        const string Start = """{"agent":"writer","task":"Read notes.txt","idempotency_key":"k-1"}""";
        var approveRun = (await http.StartAsync(Start)).GetProperty("id").GetString()!;
        using (var again = await http.PostAsync("v1/runs", Start))
        {
            Assert.Equal(approveRun, (await again.JsonAsync(200)).GetProperty("id").GetString());
        }

        var second = (await http.StartAsync()).GetProperty("id").GetString()!;
        var third = (await http.StartAsync()).GetProperty("id").GetString()!;

        // Runs are driven concurrently, so which run got which scripted turn is found out, not assumed.
        var pending = new Dictionary<string, JsonElement>();
        foreach (var run in new[] { approveRun, second, third })
        {
            pending[run] = (await http.WaitForStatusAsync(run, "awaiting_approval")).GetProperty("pending")[0];
        }

        var questionRun = pending.Single(p => p.Value.GetProperty("kind").GetString() == "question").Key;
        var question = pending[questionRun];
        approveRun = pending.Keys.First(r => r != questionRun);
        var rejectRun = pending.Keys.Last(r => r != questionRun);
        var approveCall = pending[approveRun].GetProperty("call_id").GetString()!;
        var rejectCall = pending[rejectRun].GetProperty("call_id").GetString()!;
        Assert.Equal(3, (await http.GetJsonAsync("v1/runs")).GetProperty("data").GetArrayLength());
        Assert.Equal(3, (await http.GetJsonAsync("v1/decisions")).GetProperty("data").GetArrayLength());
        var replay = await SseClient.ReadAllAsync(http, $"v1/runs/{approveRun}/events");
        Assert.Equal("approval_requested", replay.Last(e => e.Id is not null).Event);

        // Another org: 404 on each run endpoint, nothing in its lists.
        foreach (var (path, body) in new[]
        {
            ($"v1/runs/{approveRun}/approvals/{approveCall}/approve", "{}"),
            ($"v1/runs/{rejectRun}/approvals/{rejectCall}/reject", """{"reason":"no"}"""),
            ($"v1/runs/{questionRun}/questions/{question.GetProperty("id").GetString()}/answer", """{"answer":"x"}"""),
            ($"v1/runs/{approveRun}/cancel", "{}"),
            ($"v1/runs/{approveRun}/resume", "{}"),
        })
        {
            using var response = await other.PostAsync(path, body);
            await response.JsonAsync(404);
        }

        await other.GetJsonAsync($"v1/runs/{approveRun}", 404);
        await other.GetJsonAsync($"v1/runs/{approveRun}/events", 404);
        Assert.Empty((await other.GetJsonAsync("v1/runs")).GetProperty("data").EnumerateArray());
        Assert.Empty((await other.GetJsonAsync("v1/decisions")).GetProperty("data").EnumerateArray());

        // Decide each; a second decision is 409.
        using (var approve = await http.PostAsync($"v1/runs/{approveRun}/approvals/{approveCall}/approve", "{}"))
        {
            await approve.JsonAsync(200);
        }

        using (var twice = await http.PostAsync($"v1/runs/{approveRun}/approvals/{approveCall}/approve", "{}"))
        {
            await twice.JsonAsync(409);
        }

        using (var reject = await http.PostAsync($"v1/runs/{rejectRun}/approvals/{rejectCall}/reject", """{"reason":"not that file"}"""))
        {
            await reject.JsonAsync(200);
        }

        using (var answer = await http.PostAsync($"v1/runs/{questionRun}/questions/{question.GetProperty("id").GetString()}/answer", """{"answer":"Friday"}"""))
        {
            await answer.JsonAsync(200);
        }

        await http.WaitForStatusAsync(approveRun, "completed");
        await http.WaitForStatusAsync(questionRun, "completed");
        var events = await SseClient.ReadAllAsync(http, $"v1/runs/{approveRun}/events");
        Assert.Equal(keyId, events.Single(e => e.Event == "approval_granted").Json.GetProperty("decided_by").GetString());
        Assert.Equal("completed", events[^1].Json.GetProperty("status").GetString());

        // Resume and cancel.
        var rejected = await http.WaitForStatusAsync(rejectRun, "completed");
        using (var resumeEnded = await http.PostAsync($"v1/runs/{rejectRun}/resume"))
        {
            await resumeEnded.JsonAsync(409);
        }

        var idle = (await http.StartAsync()).GetProperty("id").GetString()!;
        await http.WaitForStatusAsync(idle, "awaiting_approval");
        using (var resume = await http.PostAsync($"v1/runs/{idle}/resume"))
        {
            Assert.Equal(idle, (await resume.JsonAsync(202)).GetProperty("id").GetString());
        }

        using (var cancel = await http.PostAsync($"v1/runs/{idle}/cancel", """{"reason":"done here"}"""))
        {
            Assert.Equal("cancelled", (await cancel.JsonAsync(200)).GetProperty("status").GetString());
        }

        Assert.Equal(JsonValueKind.String, rejected.GetProperty("result").ValueKind);

        // Prompts and the OpenAPI document.
        Assert.Equal(2, (await http.GetJsonAsync("v1/prompts")).GetProperty("data").GetArrayLength());
        using (var render = await other.PostAsync("v1/prompts/writer/greeting/render", """{"variables":{"name":"Lin"}}"""))
        {
            Assert.Equal("Greet Lin", (await render.JsonAsync(200)).GetProperty("messages")[3].GetProperty("content").GetString());
        }

        var openApi = await bootstrap.GetJsonAsync("openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/v1/runs/{id}/events", out _));
    }

    private static HttpClient Client(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<CompanyOs.Server.Hosting.GatewayServer> factory, string key)
    {
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }
}
