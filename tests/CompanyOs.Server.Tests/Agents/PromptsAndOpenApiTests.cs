using System.Text.Json;
using CompanyOs.Server.Agents;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

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

    [Fact]
    public async Task The_openapi_services_are_built_on_the_first_request_of_the_document_not_at_start_up()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync();
        var onDemand = server.Services.GetRequiredService<OpenApiOnDemand>();
        using var http = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme", "gateway"));
        await http.GetJsonAsync("v1/prompts");

        // Nothing of the API explorer is registered in the application's container (AddOpenApi would load it at start-up).
        Assert.False(server.Services.GetRequiredService<IServiceProviderIsService>().IsService(typeof(IApiDescriptionGroupCollectionProvider)));
        Assert.False(onDemand.IsBuilt);

        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        var requests = Enumerable.Range(0, 4).Select(_ => anonymous.GetAsync(new Uri("openapi/v1.json", UriKind.Relative), Ct)).ToArray();
        var documents = new List<string>();
        foreach (var response in await Task.WhenAll(requests))
        {
            using (response)
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                documents.Add(await response.Content.ReadAsStringAsync(Ct));
            }
        }

        Assert.True(onDemand.IsBuilt);
        Assert.Single(documents.Distinct(StringComparer.Ordinal));
        using var unknown = await anonymous.GetAsync(new Uri("openapi/v2.json", UriKind.Relative), Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
        // The request's own services are the application's again after the document was written.
        await http.GetJsonAsync("v1/prompts");
    }

    [Fact]
    public async Task The_openapi_document_lists_exactly_the_v1_operations_of_the_running_endpoints_with_their_bodies_and_xml_docs()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        using var response = await anonymous.GetAsync(new Uri("openapi/v1.json", UriKind.Relative), Ct);
        var document = await response.JsonAsync(200);

        // Every described /v1 endpoint of the application, as routing has them (catch-all parameters as plain ones).
        var endpoints = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true
                && e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true }
                && e.Metadata.GetMetadata<IHttpMethodMetadata>() is not null)
            .ToList();
        var expected = endpoints
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m => $"{m.ToLowerInvariant()} {e.RoutePattern.RawText!.Replace("{**", "{", StringComparison.Ordinal)}"))
            .Order(StringComparer.Ordinal).ToList();
        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "delete" or "patch").Select(o => $"{o.Name} {p.Name}"))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, documented);
        Assert.Contains("post /v1/chat/completions", documented);
        Assert.Contains("get /v1/runs/{id}/events", documented);

        // Each endpoint that documents a JSON body has it, by reference or inline; services are no parameters.
        foreach (var endpoint in endpoints.Where(e => e.Metadata.GetMetadata<DocumentedJsonBody>() is not null))
        {
            var path = endpoint.RoutePattern.RawText!;
            var operation = document.GetProperty("paths").GetProperty(path).GetProperty("post");
            Assert.True(operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").TryGetProperty("schema", out _), path);
        }

        var events = document.GetProperty("paths").GetProperty("/v1/runs/{id}/events").GetProperty("get");
        Assert.Equal(["id"], events.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        var model = document.GetProperty("paths").GetProperty("/v1/models/{id}").GetProperty("get");
        Assert.Equal(["id"], model.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.False(model.TryGetProperty("requestBody", out _));

        // The project's XML docs describe the schemas (ASP.NET Core's XML-comment generator, wired into AddOpenApi's call).
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.False(string.IsNullOrWhiteSpace(schemas.GetProperty("RunObject").GetProperty("description").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(schemas.GetProperty("RunObject").GetProperty("properties").GetProperty("status").GetProperty("description").GetString()));
        Assert.Equal(
            ["DecisionList", "DecisionObject", "JsonElement", "PromptList", "PromptMessageObject", "PromptObject", "PromptVariableObject", "RenderedPromptObject", "RunList", "RunObject", "RunUsage"],
            schemas.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }
}
