using System.Text.Json;
using CompanyOs.Emulator.Scripting;

namespace CompanyOs.Server.Tests.Agents;

/// <summary>Every agent endpoint is scoped to the key's org (another org's run is 404, lists leak nothing) and changes need the 'agents' scope.</summary>
public sealed class AgentApiSecurityTests
{
    /// <summary>Every run's first turn reads the notes (one call waiting for approval under manual autonomy).</summary>
    private static readonly ScriptedTurn ReadNotes = ScriptedTurn.ToolCalls(("read_file", """{"path":"notes.txt"}""")) with { Position = 0, Repeatable = true };

    private static CancellationToken Ct => AgentHttp.Ct;

    [Fact]
    public async Task Another_orgs_key_gets_404_for_every_run_endpoint_and_sees_none_of_its_runs_or_decisions()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync();
        server.Emulator!.Script.Enqueue(
            ScriptedTurn.ToolCalls(("ask_human", """{"question":"Proceed?"}""")) with { Position = 0 },
            ReadNotes);
        using var a = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "org-a"));
        using var b = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "org-b"));
        var asked = (await a.StartAsync()).GetProperty("id").GetString()!;
        await a.WaitForStatusAsync(asked, "awaiting_approval");
        var waiting = (await a.StartAsync()).GetProperty("id").GetString()!;
        var run = await a.WaitForStatusAsync(waiting, "awaiting_approval");
        var callId = run.GetProperty("pending")[0].GetProperty("call_id").GetString()!;
        var questionId = (await a.GetJsonAsync($"v1/runs/{asked}")).GetProperty("pending")[0].GetProperty("id").GetString()!;

        var probes = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, $"v1/runs/{waiting}", null),
            (HttpMethod.Get, $"v1/runs/{waiting}/events", null),
            (HttpMethod.Post, $"v1/runs/{waiting}/cancel", "{}"),
            (HttpMethod.Post, $"v1/runs/{waiting}/resume", null),
            (HttpMethod.Post, $"v1/runs/{waiting}/approvals/{callId}/approve", "{}"),
            (HttpMethod.Post, $"v1/runs/{waiting}/approvals/{callId}/reject", """{"reason":"no"}"""),
            (HttpMethod.Post, $"v1/runs/{asked}/questions/{questionId}/answer", """{"answer":"yes"}"""),
        };
        foreach (var (method, path, body) in probes)
        {
            using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
            if (body is not null)
            {
                request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            }

            using var response = await b.SendAsync(request, Ct);
            var error = await response.JsonAsync(404);
            Assert.DoesNotContain("org-a", error.GetRawText(), StringComparison.Ordinal);
        }

        // The same 404 as for a run that does not exist: nothing tells B that A's run is there.
        var unknown = await b.GetJsonAsync("v1/runs/run_does_not_exist", 404);
        var foreign = await b.GetJsonAsync($"v1/runs/{waiting}", 404);
        Assert.Equal(unknown.GetProperty("error").GetProperty("message").GetString()!.Replace("run_does_not_exist", waiting, StringComparison.Ordinal),
            foreign.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty((await b.GetJsonAsync("v1/runs")).GetProperty("data").EnumerateArray());
        Assert.Empty((await b.GetJsonAsync("v1/decisions")).GetProperty("data").EnumerateArray());

        // Nothing B tried changed A's runs.
        Assert.Equal(2, (await a.GetJsonAsync("v1/decisions")).GetProperty("data").GetArrayLength());
        Assert.Equal(2, (await a.GetJsonAsync("v1/runs")).GetProperty("data").GetArrayLength());
        Assert.Equal("awaiting_approval", (await a.GetJsonAsync($"v1/runs/{waiting}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Starting_deciding_cancelling_and_resuming_need_the_agents_scope_while_reading_needs_any_valid_key()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync();
        server.Emulator!.Script.Enqueue(ReadNotes);
        using var agents = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme"));
        using var reader = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme", "gateway"));
        using var nobody = AgentHttp.Client(server.BaseUri, "cos_not_a_key");
        var id = (await agents.StartAsync()).GetProperty("id").GetString()!;
        var run = await agents.WaitForStatusAsync(id, "awaiting_approval");
        var callId = run.GetProperty("pending")[0].GetProperty("call_id").GetString()!;

        foreach (var (path, body) in new[]
        {
            ("v1/runs", """{"agent":"writer","task":"x"}"""),
            ($"v1/runs/{id}/approvals/{callId}/approve", "{}"),
            ($"v1/runs/{id}/approvals/{callId}/reject", """{"reason":"no"}"""),
            ($"v1/runs/{id}/questions/q_1/answer", """{"answer":"no"}"""),
            ($"v1/runs/{id}/cancel", "{}"),
            ($"v1/runs/{id}/resume", "{}"),
        })
        {
            using var response = await reader.PostAsync(path, body);
            var error = (await response.JsonAsync(403)).GetProperty("error");
            Assert.Equal("permission_denied", error.GetProperty("code").GetString());
            Assert.Contains("'agents' scope", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal("awaiting_approval", (await reader.GetJsonAsync($"v1/runs/{id}")).GetProperty("status").GetString());
        Assert.Single((await reader.GetJsonAsync("v1/runs")).GetProperty("data").EnumerateArray());
        Assert.Single((await reader.GetJsonAsync("v1/decisions")).GetProperty("data").EnumerateArray());
        Assert.NotEmpty(await SseClient.ReadAllAsync(reader, $"v1/runs/{id}/events"));
        Assert.NotEmpty((await reader.GetJsonAsync("v1/prompts")).GetProperty("data").EnumerateArray());

        foreach (var path in new[] { "v1/runs", $"v1/runs/{id}", $"v1/runs/{id}/events", "v1/decisions", "v1/prompts" })
        {
            using var response = await nobody.GetAsync(new Uri(path, UriKind.Relative), Ct);
            await response.JsonAsync(401);
        }
    }

    [Fact]
    public async Task Lists_page_newest_first_with_a_cursor_and_filters_and_bad_parameters_are_named()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync();
        server.Emulator!.Script.Enqueue(ReadNotes);
        using var http = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme"));
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await http.StartAsync($$"""{"agent":"writer","task":"Task {{i}}"}""")).GetProperty("id").GetString()!);
        }

        var seen = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 5; page++)
        {
            var list = await http.GetJsonAsync("v1/runs?limit=2" + (cursor is null ? "" : "&after=" + Uri.EscapeDataString(cursor)));
            Assert.Equal("list", list.GetProperty("object").GetString());
            seen.AddRange(list.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString()!));
            Assert.All(list.GetProperty("data").EnumerateArray(), r => Assert.False(r.TryGetProperty("pending", out _)));
            if (!list.GetProperty("has_more").GetBoolean())
            {
                Assert.Equal(JsonValueKind.Null, list.GetProperty("next_cursor").ValueKind);
                break;
            }

            cursor = list.GetProperty("next_cursor").GetString();
        }

        Assert.Equal(Enumerable.Reverse(ids), seen);
        await Poll.UntilAsync(async () => (await http.GetJsonAsync("v1/runs?status=awaiting_approval")).GetProperty("data").GetArrayLength() == 5,
            "all five runs waiting", cancellationToken: Ct);
        var waiting = await http.GetJsonAsync("v1/runs?status=awaiting_approval&agent=writer");
        Assert.All(waiting.GetProperty("data").EnumerateArray(), r => Assert.Equal(1, r.GetProperty("pending_count").GetInt32()));
        Assert.Empty((await http.GetJsonAsync("v1/runs?status=completed")).GetProperty("data").EnumerateArray());
        Assert.Empty((await http.GetJsonAsync("v1/runs?agent=someone_else")).GetProperty("data").EnumerateArray());
        Assert.Empty((await http.GetJsonAsync("v1/runs?to=2000-01-01T00:00:00Z")).GetProperty("data").EnumerateArray());
        Assert.Equal(5, (await http.GetJsonAsync("v1/runs?from=2000-01-01T00:00:00Z")).GetProperty("data").GetArrayLength());

        foreach (var (query, param) in new[]
        {
            ("status=sleeping", "status"), ("limit=0", "limit"), ("limit=201", "limit"), ("from=yesterday", "from"),
            ("after=bm90LWEtY3Vyc29y", "after"), ("colour=red", "colour"),
        })
        {
            var error = await http.GetJsonAsync("v1/runs?" + query, 400);
            Assert.Equal(param, error.GetProperty("error").GetProperty("param").GetString());
            // Messages speak of this API's parameters, never of .NET's ("(Parameter 'cursor')").
            Assert.DoesNotContain("(Parameter", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bad_start_requests_name_the_field_and_unknown_agents_are_404()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync();
        using var http = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme"));
        foreach (var (body, status, param) in new[]
        {
            ("""{"task":"x"}""", 400, "agent"),
            ("""{"agent":"writer"}""", 400, "task"),
            ("""{"agent":"writer","task":5}""", 400, "task"),
            ("""{"agent":"writer","task":"x","autonomy":"reckless"}""", 400, "autonomy"),
            ("""{"agent":"writer","task":"x","max_iterations":0}""", 400, "max_iterations"),
            ("""{"agent":"writer","task":"x","variables":[1]}""", 400, "variables"),
            ("""{"agent":"writer","task":"x","extra":1}""", 400, "extra"),
            ("""{"agent":"nobody","task":"x"}""", 404, "agent"),
            ("""[1,2]""", 400, "body"),
        })
        {
            using var response = await http.PostAsync("v1/runs", body);
            var error = (await response.JsonAsync(status)).GetProperty("error");
            Assert.Equal(param, error.GetProperty("param").GetString());
        }

        using var notJson = await http.PostAsync("v1/runs", "agent=writer");
        Assert.Equal(400, (int)notJson.StatusCode);
        Assert.Empty((await http.GetJsonAsync("v1/runs")).GetProperty("data").EnumerateArray());

        // Overrides are snapshotted into the run.
        var run = await http.StartAsync("""{"agent":"writer","task":"x","autonomy":"autonomous","max_iterations":2}""");
        Assert.Equal("autonomous", run.GetProperty("autonomy").GetString());
        Assert.Equal(2, run.GetProperty("max_iterations").GetInt32());
    }
}
