using System.Globalization;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Llm.Gateway;
using CompanyOs.Server.Tests.Infrastructure;
using OpenAI.Chat;

namespace CompanyOs.Server.Tests.Gateway;

/// <summary>The gateway's facts on streamed responses: route headers before the first chunk, cost as an SSE comment at the end.</summary>
public sealed class StreamFactsTests
{
    private const string CostComment = ": x-companyos-cost-usd: ";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string FallbackYaml => TestServers.DefaultYaml.Replace("default_model: \"claude-3.5-sonnet\"",
        "default_model: \"claude-3.5-sonnet\"\n    fallback_provider: openai", StringComparison.Ordinal);

    [Fact]
    public async Task An_openai_stream_after_fallback_has_the_true_provider_and_chain_in_headers_and_its_cost_before_done()
    {
        await using var server = await TestServers.StartAsync(FallbackYaml);
        server.Emulator!.Faults.Enqueue(Fault.Status(500), provider: EmulatorProvider.Anthropic);
        using var http = TestServers.Http(server);

        using var response = await http.PostJsonAsync("v1/chat/completions",
            """{"model":"claude-3.5-sonnet","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""");
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("openai", Assert.Single(response.Headers.GetValues("x-companyos-provider")));
        Assert.Equal("anthropic,openai", Assert.Single(response.Headers.GetValues("x-companyos-fallback")));
        Assert.Equal("miss", Assert.Single(response.Headers.GetValues("x-companyos-cache")));
        Assert.Equal("true", Assert.Single(response.Headers.GetValues("x-companyos-emulated")));
        Assert.False(response.Headers.Contains("x-companyos-cost-usd"));
        var cost = Cost(body);
        Assert.True(cost > 0m, body);
        Assert.Equal(Gateway(server).GetStats().Rows.Where(r => r.Provider == "openai").Sum(r => r.CostUsd), cost);
        Assert.True(body.IndexOf(CostComment, StringComparison.Ordinal) < body.IndexOf("data: [DONE]", StringComparison.Ordinal));
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_anthropic_stream_has_the_headers_and_its_cost_before_message_stop()
    {
        await using var server = await TestServers.StartAsync();
        using var http = TestServers.Http(server);

        using var response = await http.PostJsonAsync("v1/messages",
            """{"model":"gpt-4o","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal("openai", Assert.Single(response.Headers.GetValues("x-companyos-provider")));
        Assert.Equal("miss", Assert.Single(response.Headers.GetValues("x-companyos-cache")));
        Assert.False(response.Headers.Contains("x-companyos-fallback"));
        Assert.True(Cost(body) > 0m);
        Assert.True(body.IndexOf(CostComment, StringComparison.Ordinal) < body.IndexOf("event: message_stop", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stream_from_the_cache_says_hit_and_costs_zero_and_an_unpriced_stream_has_no_cost_comment()
    {
        await using var server = await TestServers.StartAsync(TestServers.DefaultYaml + "\ncache: { enabled: true }\n");
        using var http = TestServers.Http(server);
        const string Body = """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"same question"}]}""";

        using var first = await http.PostJsonAsync("v1/chat/completions", Body);
        var firstBody = await first.Content.ReadAsStringAsync(Ct);
        using var second = await http.PostJsonAsync("v1/chat/completions", Body);
        var secondBody = await second.Content.ReadAsStringAsync(Ct);
        using var unpriced = await http.PostJsonAsync("v1/chat/completions",
            """{"model":"openai/my-unpriced-finetune","stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var unpricedBody = await unpriced.Content.ReadAsStringAsync(Ct);

        Assert.Equal("miss", Assert.Single(first.Headers.GetValues("x-companyos-cache")));
        Assert.True(Cost(firstBody) > 0m);
        Assert.Equal("hit", Assert.Single(second.Headers.GetValues("x-companyos-cache")));
        Assert.Equal("openai", Assert.Single(second.Headers.GetValues("x-companyos-provider")));
        Assert.Equal(0m, Cost(secondBody));
        Assert.Equal(200, (int)unpriced.StatusCode);
        Assert.DoesNotContain(CostComment, unpricedBody, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", unpricedBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_official_openai_sdk_streams_through_the_cost_comment()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.OpenAIChat(server, "claude-3.5-sonnet");

        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hello")], new ChatCompletionOptions(), Ct))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(c => c.Text)));
            usage ??= update.Usage;
        }

        Assert.NotNull(usage);
        Assert.False(string.IsNullOrWhiteSpace(text.ToString()));
        Assert.DoesNotContain("x-companyos", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_refused_by_the_rate_limit_before_its_first_chunk_is_429_with_retry_after()
    {
        await using var server = await TestServers.StartAsync(TestServers.DefaultYaml.Replace("default_model: \"gpt-4o\"",
            "default_model: \"gpt-4o\"\n    rate_limit_rpm: 1", StringComparison.Ordinal) + "\nrate_limits: { mode: fail_fast }\n");
        using var http = TestServers.Http(server);
        const string Body = """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}""";

        using var first = await http.PostJsonAsync("v1/chat/completions", Body);
        using var second = await http.PostJsonAsync("v1/chat/completions", Body);

        Assert.Equal(200, (int)first.StatusCode);
        await ErrorJson.AssertOpenAIAsync(second, 429, "requests", code: "rate_limit_exceeded");
        Assert.InRange(int.Parse(Assert.Single(second.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal("0", Assert.Single(second.Headers.GetValues("x-ratelimit-remaining-requests")));
    }

    [Fact]
    public async Task A_stream_cut_after_output_started_reports_what_it_was_charged_before_its_error_event()
    {
        await using var server = await TestServers.StartAsync();
        server.Emulator!.Script.Enqueue(Emulator.Scripting.ScriptedTurn.Text(string.Join(' ', Enumerable.Repeat("word", 30))));
        server.Emulator.Faults.Enqueue(Fault.CutAfter(4), provider: EmulatorProvider.OpenAI);
        using var http = TestServers.Http(server);

        using var read = await SseStreams.PostAsync(http, "v1/chat/completions",
            """{"model":"gpt-4o","max_tokens":500,"stream":true,"messages":[{"role":"user","content":"go"}]}""");

        Assert.True(read.Reset);
        var charged = Cost(read.Text);
        // The maximum (prompt estimate + 500 output tokens): the provider billed an unknown part. The same figure as the stats.
        Assert.InRange(charged, 0.005m, 0.0051m);
        Assert.Equal(Gateway(server).GetStats().Rows.Sum(r => r.CostUsd), charged);
        Assert.True(read.Text.IndexOf(CostComment, StringComparison.Ordinal) < read.Text.IndexOf("data: {\"error\"", StringComparison.Ordinal));
    }

    internal static decimal Cost(string body)
    {
        var line = Assert.Single(body.Split('\n'), l => l.StartsWith(CostComment, StringComparison.Ordinal));
        return decimal.Parse(line[CostComment.Length..], NumberStyles.Number, CultureInfo.InvariantCulture);
    }

    internal static LlmGateway Gateway(Server.Hosting.GatewayServer server) => (LlmGateway)server.Services.GetService(typeof(LlmGateway))!;
}
