using CompanyOs.Server.Hosting;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CompanyOs.Server.Tests.Keys;

/// <summary>
/// Bad keys, scopes and stats queries: each gets its exact status in the endpoint's own error shape, never reaches a provider
/// and never echoes the key it was given.
/// </summary>
public sealed class KeysBadRequestTests : IAsyncLifetime
{
    private const string Chat = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";
    private const string Messages = """{"model":"gpt-4o","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}""";
    private readonly TestStore _store = TestStore.Sqlite();
    private GatewayServer? _server;
    private string _key = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private GatewayServer Server => _server!;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServers.StartAsync(extraArgs: _store.ServerArgs);
        (_, _key) = await Keys.CreateAsync("acme", [ApiKey.GatewayScope], ["claude-3.5-sonnet"], cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await _store.DisposeAsync();
    }

    private ApiKeyStore Keys => Server.Services.GetRequiredService<ApiKeyStore>();

    public static TheoryData<string, string, string> MalformedKeys => new()
    {
        { "basic auth instead of bearer", "Authorization", "Basic Y29zX2FiYzpzZWNyZXQ=" },
        { "empty bearer", "Authorization", "Bearer " },
        { "bearer without a space", "Authorization", "Bearercos_abcdef" },
        { "only the cos_ prefix", "Authorization", "Bearer cos_" },
        { "a provider's key format", "Authorization", "Bearer sk-proj-abcdefghijklmnopqrstuvwxyz012345" },
        { "key with inner space", "Authorization", "Bearer cos_abc def" },
        { "oversized key", "Authorization", "Bearer cos_" + new string('A', 8000) },
        { "empty x-api-key", "x-api-key", "" },
        { "unknown x-api-key", "x-api-key", "cos_QmFkS2V5VGhhdElzTm90SW5UaGVTdG9yZUF0QWxsMTIz" },
    };

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    public async Task A_missing_malformed_or_unknown_key_is_401_in_each_wire_shape(string description, string header, string value)
    {
        using var http = TestServers.Http(Server);

        using var chat = await http.PostAsync("v1/chat/completions", Chat, null, extraHeaders: (header, value));
        using var messages = await http.PostAsync("v1/messages", Messages, null, extraHeaders: (header, value));
        using var stats = await http.GetAsync("v1/stats", null, (header, value));

        var error = await ErrorJson.AssertOpenAIAsync(chat, 401, "invalid_request_error", code: "invalid_api_key");
        await ErrorJson.AssertAnthropicAsync(messages, 401, "authentication_error");
        await ErrorJson.AssertOpenAIAsync(stats, 401, "invalid_request_error", code: "invalid_api_key");
        var token = value.Split(' ')[^1];
        if (token.Length > 4)
        {
            Assert.True(!error.GetProperty("message").GetString()!.Contains(token, StringComparison.Ordinal), description);
        }

        Assert.Equal(0, Server.Emulator!.TotalRequestCount);
    }

    [Fact]
    public async Task A_valid_key_with_one_character_more_or_less_is_401()
    {
        using var http = TestServers.Http(Server);

        using var longer = await http.PostAsync("v1/chat/completions", Chat, _key + "A");
        using var shorter = await http.PostAsync("v1/chat/completions", Chat, _key[..^1]);

        await ErrorJson.AssertOpenAIAsync(longer, 401, "invalid_request_error", code: "invalid_api_key");
        await ErrorJson.AssertOpenAIAsync(shorter, 401, "invalid_request_error", code: "invalid_api_key");
    }

    [Fact]
    public async Task A_key_without_the_gateway_scope_is_403_on_every_gateway_endpoint_but_may_read_its_stats()
    {
        var (_, adminOnly) = await Keys.CreateAsync("acme", ["admin"], cancellationToken: Ct);
        using var http = TestServers.Http(Server);

        using var chat = await http.PostAsync("v1/chat/completions", Chat, adminOnly);
        using var models = await http.GetAsync("v1/models", adminOnly);
        using var count = await http.PostAsync("v1/messages/count_tokens", Messages, adminOnly, header: "x-api-key");
        using var stats = await http.GetAsync("v1/stats", adminOnly);

        var error = await ErrorJson.AssertOpenAIAsync(chat, 403, "invalid_request_error", code: "permission_denied");
        Assert.Contains("'gateway' scope", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        await ErrorJson.AssertOpenAIAsync(models, 403, "invalid_request_error", code: "permission_denied");
        await ErrorJson.AssertAnthropicAsync(count, 403, "permission_error");
        Assert.Equal(200, (int)stats.StatusCode);
    }

    [Fact]
    public async Task A_model_the_key_may_not_use_is_403_before_any_stream_starts_and_for_count_tokens()
    {
        using var http = TestServers.Http(Server);

        using var stream = await http.PostAsync("v1/chat/completions", """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}""", _key);
        using var anthropicStream = await http.PostAsync("v1/messages", """{"model":"openai/gpt-4o","stream":true,"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", _key, header: "x-api-key");
        using var count = await http.PostAsync("v1/messages/count_tokens", Messages, _key, header: "x-api-key");

        await ErrorJson.AssertOpenAIAsync(stream, 403, "invalid_request_error", "model", "permission_denied");
        await ErrorJson.AssertAnthropicAsync(anthropicStream, 403, "permission_error");
        await ErrorJson.AssertAnthropicAsync(count, 403, "permission_error");
        Assert.Equal(0, Server.Emulator!.TotalRequestCount);
    }

    [Theory]
    [InlineData("?from=2026-13-01", "from")]
    [InlineData("?from=yesterday", "from")]
    [InlineData("?to=2026-03-01T00:00:00Z", "to")]
    [InlineData("?to=", "to")]
    [InlineData("?from=2026-03-02&to=2026-03-01", "from")]
    [InlineData("?from=2026-03-01&from=2026-03-02", "from")]
    [InlineData("?group_by=org", "group_by")]
    [InlineData("?group_by=provider,provider", "group_by")]
    [InlineData("?group_by=", "group_by")]
    [InlineData("?group_by=model,", "group_by")]
    [InlineData("?org=beta", "org")]
    [InlineData("?limit=10", "limit")]
    public async Task A_bad_stats_query_is_400_naming_the_parameter(string query, string param)
    {
        using var http = TestServers.Http(Server);

        using var response = await http.GetAsync("v1/stats" + query, _key);

        await ErrorJson.AssertOpenAIAsync(response, 400, "invalid_request_error", param);
    }

    [Fact]
    public async Task Stats_without_a_store_are_404_saying_what_is_needed()
    {
        await using var keysOff = await TestServers.StartAsync();
        using var http = TestServers.Http(keysOff);

        using var response = await http.GetAsync("v1/stats", null);

        var error = await ErrorJson.AssertOpenAIAsync(response, 404, "invalid_request_error");
        Assert.Contains("--keys-db", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
