using System.Text.Json;

namespace CompanyOs.Server.Tests.Agents;

/// <summary>Prompts over HTTP (list, show, render with strict variables and few-shot messages) and the OpenAPI document.</summary>
public sealed class PromptsAndOpenApiTests
{
    private static CancellationToken Ct => AgentHttp.Ct;

    [Fact]
    public async Task Prompts_are_listed_shown_with_versions_and_rendered_with_strict_variables_and_the_callers_org()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync();
        using var http = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme", "gateway"));

        var list = await http.GetJsonAsync("v1/prompts");
        Assert.Equal(["writer/greeting", "writer/persona"], list.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        var shown = await http.GetJsonAsync("v1/prompts/writer/greeting");
        Assert.Equal(["1.0"], shown.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.True(shown.GetProperty("variables")[0].GetProperty("required").GetBoolean());
        Assert.Equal("writer/greeting", (await http.GetJsonAsync("v1/prompts/writer%2Fgreeting")).GetProperty("name").GetString());

        using var render = await http.PostAsync("v1/prompts/writer/greeting/render", """{"variables":{"name":"Grace"}}""");
        var rendered = await render.JsonAsync(200);
        Assert.Equal("1.0", rendered.GetProperty("version").GetString());
        Assert.Equal(
            [("system", "You greet people."), ("user", "Greet Ada"), ("assistant", "Hello, Ada!"), ("user", "Greet Grace")],
            rendered.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString(), m.GetProperty("content").GetString())));

        // org_id is the caller's, whatever the body says.
        using var persona = await http.PostAsync("v1/prompts/writer/persona/render", """{"variables":{"task":"t","org_id":"someone-else"}}""");
        Assert.DoesNotContain("someone-else", (await persona.JsonAsync(200)).GetRawText(), StringComparison.Ordinal);

        using var missing = await http.PostAsync("v1/prompts/writer/greeting/render", """{"variables":{}}""");
        var error = (await missing.JsonAsync(400)).GetProperty("error");
        Assert.Equal("variables.name", error.GetProperty("param").GetString());
        Assert.Contains("name", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        using var badVersion = await http.PostAsync("v1/prompts/writer/greeting/render", """{"version":"9.9","variables":{"name":"x"}}""");
        Assert.Equal("version", (await badVersion.JsonAsync(404)).GetProperty("error").GetProperty("param").GetString());
        await http.GetJsonAsync("v1/prompts/writer/nothing", 404);
    }

    [Fact]
    public async Task A_run_started_for_a_capability_renders_its_template_as_the_task_and_records_it()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync();
        using var http = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme"));

        var run = await http.StartAsync("""{"agent":"writer","capability":"greet","variables":{"name":"Grace"}}""");
        Assert.Equal("greet", run.GetProperty("capability").GetString());
        Assert.Contains("Greet Grace", run.GetProperty("task").GetString(), StringComparison.Ordinal);
        var started = (await SseClient.ReadAllAsync(http, $"v1/runs/{run.GetProperty("id").GetString()}/events"))[0].Json;
        Assert.Equal("greet", started.GetProperty("capability").GetString());
        var listed = (await http.GetJsonAsync("v1/runs")).GetProperty("data")[0];
        Assert.Equal("greet", listed.GetProperty("capability").GetString());

        using var unknown = await http.PostAsync("v1/runs", """{"agent":"writer","capability":"dance"}""");
        Assert.Equal("capability", (await unknown.JsonAsync(404)).GetProperty("error").GetProperty("param").GetString());
        using var missing = await http.PostAsync("v1/runs", """{"agent":"writer","capability":"greet","variables":{}}""");
        Assert.Equal("variables.name", (await missing.JsonAsync(400)).GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task The_openapi_document_describes_every_agent_endpoint_with_snake_case_schemas()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        using var response = await anonymous.GetAsync(new Uri("openapi/v1.json", UriKind.Relative), Ct);
        var document = await response.JsonAsync(200);

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths");
        foreach (var (path, method) in new[]
        {
            ("/v1/runs", "post"), ("/v1/runs", "get"), ("/v1/runs/{id}", "get"), ("/v1/runs/{id}/cancel", "post"), ("/v1/runs/{id}/resume", "post"),
            ("/v1/runs/{id}/events", "get"), ("/v1/decisions", "get"), ("/v1/runs/{id}/approvals/{callId}/approve", "post"),
            ("/v1/runs/{id}/approvals/{callId}/reject", "post"), ("/v1/runs/{id}/questions/{questionId}/answer", "post"),
            ("/v1/prompts", "get"), ("/v1/prompts/{agent}/{name}", "get"), ("/v1/prompts/{agent}/{name}/render", "post"),
        })
        {
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"{method.ToUpperInvariant()} {path} is documented");
        }

        var schemas = document.GetProperty("components").GetProperty("schemas");
        var run = schemas.GetProperty("RunObject").GetProperty("properties");
        Assert.True(run.TryGetProperty("cost_usd", out _));
        Assert.True(run.TryGetProperty("pending_count", out _));
        var start = paths.GetProperty("/v1/runs").GetProperty("post");
        var body = start.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        if (body.TryGetProperty("$ref", out var reference))
        {
            body = schemas.GetProperty(reference.GetString()!["#/components/schemas/".Length..]);
        }

        Assert.True(body.GetProperty("properties").TryGetProperty("idempotency_key", out _), body.GetRawText());
        Assert.True(start.GetProperty("responses").TryGetProperty("201", out _));
    }
}
