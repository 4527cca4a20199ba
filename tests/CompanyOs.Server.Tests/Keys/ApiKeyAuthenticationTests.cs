using System.ClientModel;
using System.Net.Http.Headers;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Tests.Infrastructure;
using OpenAI.Chat;

namespace CompanyOs.Server.Tests.Keys;

/// <summary>Keys per org on /v1: 401/403 in each wire's error shape, and the org of every call comes from its key.</summary>
public sealed class ApiKeyAuthenticationTests
{
    private const string Chat = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";
    private const string Messages = """{"model":"gpt-4o","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Missing_invalid_revoked_and_unscoped_keys_are_refused_in_the_openai_shape()
    {
        await using var server = await StartAsync();
        var store = Store(server);
        var (revoked, revokedKey) = await store.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        await store.RevokeAsync(revoked.Id, Ct);
        var (_, agentsOnly) = await store.CreateAsync("acme", ["agents"], cancellationToken: Ct);
        using var http = TestServers.Http(server);

        using var missing = await Send(http, "v1/chat/completions", Chat, key: null);
        using var invalid = await Send(http, "v1/chat/completions", Chat, key: "cos_made_up_key");
        using var wasRevoked = await Send(http, "v1/chat/completions", Chat, revokedKey);
        using var unscoped = await Send(http, "v1/chat/completions", Chat, agentsOnly);

        await ErrorJson.AssertOpenAIAsync(missing, 401, "invalid_request_error", code: "invalid_api_key");
        var invalidError = await ErrorJson.AssertOpenAIAsync(invalid, 401, "invalid_request_error", code: "invalid_api_key");
        var revokedError = await ErrorJson.AssertOpenAIAsync(wasRevoked, 401, "invalid_request_error", code: "invalid_api_key");
        await ErrorJson.AssertOpenAIAsync(unscoped, 403, "invalid_request_error", code: "permission_denied");
        Assert.DoesNotContain("made_up", invalidError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("revoked", revokedError.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, server.Emulator!.TotalRequestCount);
    }

    [Fact]
    public async Task Messages_and_anthropic_model_requests_are_refused_in_the_anthropic_shape()
    {
        await using var server = await StartAsync();
        var (_, agentsOnly) = await Store(server).CreateAsync("acme", ["agents"], cancellationToken: Ct);
        using var http = TestServers.Http(server);

        using var missing = await Send(http, "v1/messages", Messages, key: null);
        using var unscoped = await Send(http, "v1/messages", Messages, agentsOnly, header: "x-api-key");
        using var models = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        models.Headers.Add("anthropic-version", "2023-06-01");
        using var modelsMissing = await http.SendAsync(models, Ct);

        await ErrorJson.AssertAnthropicAsync(missing, 401, "authentication_error");
        await ErrorJson.AssertAnthropicAsync(unscoped, 403, "permission_error");
        await ErrorJson.AssertAnthropicAsync(modelsMissing, 401, "authentication_error");
    }

    [Fact]
    public async Task Bearer_and_x_api_key_both_authenticate_the_official_sdks_and_health_needs_no_key()
    {
        await using var server = await StartAsync();
        var (_, key) = await Store(server).CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        var openAI = new ChatClient("gpt-4o", new ApiKeyCredential(key), new global::OpenAI.OpenAIClientOptions { Endpoint = new Uri(server.BaseUri, "v1") });
        var anthropic = new global::Anthropic.AnthropicClient(new global::Anthropic.Core.ClientOptions
        {
            ApiKey = key,
            BaseUrl = server.BaseUri.ToString().TrimEnd('/'),
            MaxRetries = 0,
        });
        using var http = TestServers.Http(server);

        ChatCompletion completion = await openAI.CompleteChatAsync([new UserChatMessage("hello with a bearer key")], cancellationToken: Ct);
        var message = await anthropic.Messages.Create(new global::Anthropic.Models.Messages.MessageCreateParams
        {
            Model = "claude-3.5-sonnet",
            MaxTokens = 50,
            Messages = [new global::Anthropic.Models.Messages.UserMessageParam { Content = "hello with x-api-key" }],
        }, Ct);
        using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative), Ct);

        Assert.Contains("hello with a bearer key", completion.Content[0].Text, StringComparison.Ordinal);
        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.Contains("hello with x-api-key", text.Text, StringComparison.Ordinal);
        Assert.Equal(200, (int)health.StatusCode);
    }

    [Fact]
    public async Task The_org_comes_from_the_key_so_org_a_cannot_spend_org_b_budget()
    {
        await using var server = await StartAsync(TestServers.DefaultYaml + "\nbudgets: { orgs: { poor: { usd: 0.000001 }, rich: { usd: 100 } } }\n");
        var store = Store(server);
        var (_, poorKey) = await store.CreateAsync("poor", [ApiKey.GatewayScope], cancellationToken: Ct);
        var (_, richKey) = await store.CreateAsync("rich", [ApiKey.GatewayScope], cancellationToken: Ct);
        using var http = TestServers.Http(server);

        // The poor org's key claims the rich org in a header and in the body's user and metadata: nothing changes.
        const string claimsRich = """{"model":"gpt-4o","user":"rich","metadata":{"org":"rich","org_id":"rich"},"messages":[{"role":"user","content":"hi"}]}""";
        using var poor = await Send(http, "v1/chat/completions", claimsRich, poorKey, extraHeader: ("x-companyos-org", "rich"));
        using var poorMessages = await Send(http, "v1/messages", Messages, poorKey, header: "x-api-key");
        using var rich = await Send(http, "v1/chat/completions", Chat, richKey);

        await ErrorJson.AssertOpenAIAsync(poor, 429, "insufficient_quota", code: "insufficient_quota");
        await ErrorJson.AssertAnthropicAsync(poorMessages, 429, "billing_error");
        Assert.Equal(200, (int)rich.StatusCode);
        var gateway = (CompanyOs.Llm.Gateway.LlmGateway)server.Services.GetService(typeof(CompanyOs.Llm.Gateway.LlmGateway))!;
        var rows = gateway.GetStats().Rows;
        var richRow = Assert.Single(rows, r => r.OrgId == "rich");
        Assert.Equal(1, richRow.Requests);
        Assert.Empty(richRow.Errors);
        Assert.All(rows.Where(r => r.OrgId == "poor"), r => Assert.Equal(0, r.InputTokens + r.OutputTokens));
        Assert.Equal(1, server.Emulator!.TotalRequestCount);
    }

    [Fact]
    public async Task A_key_limited_to_some_models_gets_403_for_others_and_sees_only_its_models()
    {
        await using var server = await StartAsync();
        var (_, key) = await Store(server).CreateAsync("acme", [ApiKey.GatewayScope], ["claude-3.5-sonnet"], cancellationToken: Ct);
        using var http = TestServers.Http(server);

        using var gpt = await Send(http, "v1/chat/completions", Chat, key);
        using var gptMessages = await Send(http, "v1/messages", Messages, key, header: "x-api-key");
        using var claude = await Send(http, "v1/chat/completions", Chat.Replace("gpt-4o", "claude-3-5-sonnet-20241022", StringComparison.Ordinal), key);
        using var list = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var models = await http.SendAsync(list, Ct);
        using var one = new HttpRequestMessage(HttpMethod.Get, "v1/models/gpt-4o");
        one.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var hidden = await http.SendAsync(one, Ct);

        var error = await ErrorJson.AssertOpenAIAsync(gpt, 403, "invalid_request_error", "model", "permission_denied");
        Assert.Contains("'gpt-4o'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await ErrorJson.AssertAnthropicAsync(gptMessages, 403, "permission_error");
        Assert.Equal(200, (int)claude.StatusCode); // the exact id of the allowed alias
        using var listed = System.Text.Json.JsonDocument.Parse(await models.Content.ReadAsStringAsync(Ct));
        var ids = listed.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToList();
        Assert.Contains("claude-3.5-sonnet", ids);
        Assert.Contains("claude-3-5-sonnet-20241022", ids);
        Assert.All(ids, id => Assert.Contains("sonnet", id, StringComparison.Ordinal)); // aliases of the one allowed model only
        Assert.Equal(404, (int)hidden.StatusCode);
        Assert.Equal(1, server.Emulator!.TotalRequestCount);
    }

    [Fact]
    public async Task A_key_over_its_requests_per_minute_gets_429_with_retry_after_and_other_keys_do_not()
    {
        await using var server = await StartAsync();
        var store = Store(server);
        var (_, limited) = await store.CreateAsync("acme", [ApiKey.GatewayScope], rpm: 2, cancellationToken: Ct);
        var (_, other) = await store.CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        using var http = TestServers.Http(server);

        using var first = await Send(http, "v1/chat/completions", Chat, limited);
        using var second = await Send(http, "v1/messages", Messages, limited, header: "x-api-key");
        using var third = await Send(http, "v1/chat/completions", Chat, limited);
        using var fourth = await Send(http, "v1/messages", Messages, limited, header: "x-api-key");
        using var otherKey = await Send(http, "v1/chat/completions", Chat, other);

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(200, (int)second.StatusCode);
        Assert.Equal("2", Assert.Single(first.Headers.GetValues("x-ratelimit-limit-requests")));
        Assert.Equal("1", Assert.Single(first.Headers.GetValues("x-ratelimit-remaining-requests")));
        Assert.Equal("0", Assert.Single(second.Headers.GetValues("x-ratelimit-remaining-requests")));
        Assert.False(otherKey.Headers.Contains("x-ratelimit-remaining-requests"));
        var error = await ErrorJson.AssertOpenAIAsync(third, 429, "requests", code: "rate_limit_exceeded");
        Assert.Contains("2 requests per minute", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.InRange(int.Parse(Assert.Single(third.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        await ErrorJson.AssertAnthropicAsync(fourth, 429, "rate_limit_error");
        Assert.Equal(200, (int)otherKey.StatusCode);
        Assert.Equal(3, server.Emulator!.TotalRequestCount);
    }

    private static async Task<Server.Hosting.GatewayServer> StartAsync(string yaml = TestServers.DefaultYaml)
    {
        var db = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N") + ".db");
        return await TestServers.StartAsync(yaml, extraArgs: ["--keys-db", db]);
    }

    private static ApiKeyStore Store(Server.Hosting.GatewayServer server) =>
        (ApiKeyStore)server.Services.GetService(typeof(ApiKeyStore))!;

    private static async Task<HttpResponseMessage> Send(HttpClient http, string path, string body, string? key, string header = "Authorization",
        (string Name, string Value)? extraHeader = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (key is not null)
        {
            if (header == "Authorization")
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
            else
            {
                request.Headers.Add(header, key);
            }
        }

        if (extraHeader is { } extra)
        {
            request.Headers.Add(extra.Name, extra.Value);
        }

        return await http.SendAsync(request, Ct);
    }
}
