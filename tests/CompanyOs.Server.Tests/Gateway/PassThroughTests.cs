using System.Text.Json;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Tests.Infrastructure;
using CompanyOs.Server.Usage;
using Microsoft.Extensions.DependencyInjection;

namespace CompanyOs.Server.Tests.Gateway;

/// <summary>
/// The pass-through fast path: an OpenAI chat request answered by an OpenAI-compatible provider goes upstream as the client's
/// bytes and comes back as the upstream's bytes — with every policy still applied: key, routing (model id mapped), limits,
/// budget, usage log, cost, retries and error mapping.
/// </summary>
public sealed class PassThroughTests : IAsyncLifetime
{
    private readonly TestStore _store = TestStore.Sqlite();
    private CannedOpenAIUpstream _upstream = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _upstream = await CannedOpenAIUpstream.StartAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        await _upstream.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task Passed_through_calls_return_the_upstreams_bytes_and_are_still_limited_charged_and_recorded()
    {
        await using var server = await StartAsync("max_retries: 0\n    rate_limit_rpm: 3\n    rate_limit_tpm: 1000000", "rate_limits: { mode: fail_fast }");
        var (record, key) = await server.Services.GetRequiredService<ApiKeyStore>().CreateAsync("acme", [ApiKey.GatewayScope], budgetUsd: 5m, cancellationToken: Ct);
        using var http = TestServers.Http(server);

        using var json = await http.PostAsync("v1/chat/completions",
            """{"model":"openai/gpt-4o-mini","user":"u-1","logprobs":false,"messages":[{"role":"user","content":"hi"}]}""", key);
        var body = await json.Content.ReadAsStringAsync(Ct);
        var unasked = await StreamAsync(http, key, """{"model":"openai/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var asked = await StreamAsync(http, key,
            """{"model":"openai/gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");
        using var limited = await http.PostAsync("v1/chat/completions", """{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", key);

        // The JSON answer is the upstream's, byte for byte; the request went up as sent, with the routed model id.
        Assert.Equal(200, (int)json.StatusCode);
        Assert.Equal(CannedOpenAIUpstream.Json, body);
        var sent = _upstream.Requests.ToArray();
        Assert.Equal(3, sent.Length);
        Assert.Equal("""{"model":"gpt-4o-mini","user":"u-1","logprobs":false,"messages":[{"role":"user","content":"hi"}]}""", sent[0]);
        // A stream always asks for usage upstream; a client that did not ask does not see the usage chunk.
        Assert.Equal("""{"stream_options":{"include_usage":true},"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}""", sent[1]);
        Assert.Equal([CannedOpenAIUpstream.ContentChunk, CannedOpenAIUpstream.FinishChunk, "[DONE]"], unasked);
        Assert.Equal([CannedOpenAIUpstream.ContentChunk, CannedOpenAIUpstream.FinishChunk, CannedOpenAIUpstream.UsageChunk, "[DONE]"], asked);

        // The provider's limits still hold: the fourth call is refused without reaching the upstream, and the TPM window
        // was corrected to the usage each answer reported (the usage chunk of a stream whose client did not ask too).
        Assert.Equal(429, (int)limited.StatusCode);
        Assert.Equal(3, _upstream.Requests.Count);
        var window = server.Services.GetRequiredService<GatewayServices>().GetRateLimitState("openai")!.Value;
        Assert.Equal((0L, 1_000_000L - 3 * 1500), (window.RemainingRequests!.Value, window.RemainingTokens!.Value));

        // Cost, usage log and the key's budget are charged from the usage the upstream reported.
        var cost = decimal.Parse(Assert.Single(json.Headers.GetValues("x-companyos-cost-usd")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(cost > 0m);
        await server.Services.GetRequiredService<UsageRecorder>().FlushAsync(Ct);
        var row = Assert.Single(await server.Services.GetRequiredService<UsageLog>().SummarizeAsync("acme", null, null, Ct));
        Assert.Equal((3L, 3000L, 1500L, record.Id), (row.Calls, row.InputTokens, row.OutputTokens, row.KeyId));
        Assert.Equal(3 * cost, row.CostUsd);
        var spends = server.Services.GetRequiredService<DurableSpendStore>();
        await Poll.UntilAsync(async () => (await spends.GetSpentAsync(new BudgetScope(BudgetScopeKind.ApiKey, record.Id), Ct)).Usd == 3 * cost,
            "the key's budget is charged for the three calls", cancellationToken: Ct);
    }

    [Fact]
    public async Task Upstream_failures_on_the_fast_path_are_retried_and_mapped_as_before()
    {
        await using var server = await StartAsync("max_retries: 1");
        var (_, key) = await server.Services.GetRequiredService<ApiKeyStore>().CreateAsync("acme", [ApiKey.GatewayScope], cancellationToken: Ct);
        using var http = TestServers.Http(server);
        const string Body = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""";

        _upstream.Failures.Enqueue(429);
        using var retried = await http.PostAsync("v1/chat/completions", Body, key);
        _upstream.Failures.Enqueue(503);
        _upstream.Failures.Enqueue(503);
        using var failed = await http.PostAsync("v1/chat/completions", Body, key);
        _upstream.Failures.Enqueue(400);
        using var rejected = await http.PostAsync("v1/chat/completions", Body, key);

        Assert.Equal(200, (int)retried.StatusCode);
        Assert.Equal(CannedOpenAIUpstream.Json, await retried.Content.ReadAsStringAsync(Ct));
        Assert.Equal(503, (int)failed.StatusCode);
        using var error = JsonDocument.Parse(await failed.Content.ReadAsStringAsync(Ct));
        Assert.Equal("upstream_unavailable", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain("canned failure", error.RootElement.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(400, (int)rejected.StatusCode);
        Assert.Equal(5, _upstream.Requests.Count); // 429 + retry, 503 + 503 (retried once), 400 (not retried)
    }

    [Fact]
    public async Task Two_hundred_concurrent_passed_through_streams_all_complete()
    {
        await using var server = await TestServers.StartAsync($$"""
            providers:
              openai:
                api_key: "sk-canned"
                base_url: "{{_upstream.BaseUri}}"
                default_model: "gpt-4o-mini"
            """, emulator: false);
        using var http = TestServers.Http(server);

        var streams = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            StreamAsync(http, null, """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}""")));

        Assert.All(streams, s => Assert.Equal([CannedOpenAIUpstream.ContentChunk, CannedOpenAIUpstream.FinishChunk, "[DONE]"], s));
    }

    /// <summary>
    /// A passed-through answer is read into a pooled buffer that goes back to the pool once the server has written it: every
    /// one of many concurrent callers still gets its own answer, whole (a buffer given back too early would be overwritten by
    /// another call's answer before or while it is written).
    /// </summary>
    [Fact]
    public async Task Concurrent_passed_through_answers_each_come_back_whole_and_as_their_own()
    {
        _upstream.EchoUserInId = true;
        await using var server = await TestServers.StartAsync($$"""
            providers:
              openai:
                api_key: "sk-canned"
                base_url: "{{_upstream.BaseUri}}"
                default_model: "gpt-4o-mini"
            """, emulator: false);
        using var http = TestServers.Http(server);

        for (var round = 0; round < 3; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
            {
                using var answer = await http.PostAsync("v1/chat/completions",
                    $$"""{"model":"gpt-4o-mini","user":"u{{round}}x{{i}}","messages":[{"role":"user","content":"hi"}]}""", key: null);
                Assert.Equal(200, (int)answer.StatusCode);
                return (i, Body: await answer.Content.ReadAsStringAsync(Ct));
            }));

            Assert.All(answers, a => Assert.Equal(CannedOpenAIUpstream.Json.Replace("chatcmpl-canned", $"chatcmpl-u{round}x{a.i}", StringComparison.Ordinal), a.Body));
        }
    }

    private Task<GatewayServer> StartAsync(string providerSettings, string settings = "") => TestServers.StartAsync($$"""
        providers:
          openai:
            api_key: "sk-canned"
            base_url: "{{_upstream.BaseUri}}"
            default_model: "gpt-4o-mini"
            {{providerSettings}}
        circuit_breaker: { enabled: false }
        {{settings}}
        """, emulator: false, extraArgs: _store.ServerArgs);

    /// <summary>The <c>data:</c> payloads of a streamed answer, without the gateway's comments.</summary>
    private static async Task<string[]> StreamAsync(HttpClient http, string? key, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(200, (int)response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return [.. text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(e => e.StartsWith("data: ", StringComparison.Ordinal)).Select(e => e["data: ".Length..])];
    }
}
