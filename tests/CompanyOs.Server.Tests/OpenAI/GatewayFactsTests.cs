using System.Diagnostics;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.OpenAI;

/// <summary>The gateway's facts in response headers, and streams forwarded as they arrive.</summary>
public sealed class GatewayFactsTests
{
    private const string Body = """{"model":"claude-3.5-sonnet","messages":[{"role":"user","content":"hi"}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_fallback_is_reported_as_the_chain_taken()
    {
        var yaml = TestServers.DefaultYaml.Replace("default_model: \"claude-3.5-sonnet\"",
            "default_model: \"claude-3.5-sonnet\"\n    fallback_provider: openai", StringComparison.Ordinal);
        await using var server = await TestServers.StartAsync(yaml);
        server.Emulator!.Faults.Enqueue(Fault.Status(500), provider: EmulatorProvider.Anthropic);
        using var http = TestServers.Http(server);

        using var response = await http.PostJsonAsync("v1/chat/completions", Body);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("anthropic,openai", Assert.Single(response.Headers.GetValues("x-companyos-fallback")));
        Assert.Equal("openai", Assert.Single(response.Headers.GetValues("x-companyos-provider")));
    }

    [Fact]
    public async Task A_request_read_at_the_byte_level_falls_back_to_another_wire_with_its_messages_built()
    {
        // OpenAI → OpenAI is the pass-through (no messages built); its failure falls back to Anthropic, which converts, so the
        // deferred messages are built then — system prompt, text parts and an image included.
        var yaml = TestServers.DefaultYaml.Replace("default_model: \"gpt-4o\"",
            "default_model: \"gpt-4o\"\n    fallback_provider: anthropic", StringComparison.Ordinal);
        await using var server = await TestServers.StartAsync(yaml);
        server.Emulator!.Faults.Enqueue(Fault.Status(500), provider: EmulatorProvider.OpenAI);
        using var http = TestServers.Http(server);

        using var response = await http.PostJsonAsync("v1/chat/completions", """
            {"model":"gpt-4o","max_tokens":50,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[
              {"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]}]}
            """);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("openai,anthropic", Assert.Single(response.Headers.GetValues("x-companyos-fallback")));
        Assert.Equal("anthropic", Assert.Single(response.Headers.GetValues("x-companyos-provider")));
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("chat.completion", body.RootElement.GetProperty("object").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()));
    }

    [Fact]
    public async Task A_cache_hit_is_marked_and_costs_nothing()
    {
        await using var server = await TestServers.StartAsync(TestServers.DefaultYaml + "\ncache: { enabled: true }\n");
        using var http = TestServers.Http(server);

        using var first = await http.PostJsonAsync("v1/chat/completions", Body);
        using var second = await http.PostJsonAsync("v1/chat/completions", Body);

        Assert.Equal("miss", Assert.Single(first.Headers.GetValues("x-companyos-cache")));
        Assert.Equal("hit", Assert.Single(second.Headers.GetValues("x-companyos-cache")));
        Assert.Equal(0m, decimal.Parse(Assert.Single(second.Headers.GetValues("x-companyos-cost-usd")), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, server.Emulator!.TotalRequestCount);
    }

    [Fact]
    public async Task An_unpriced_model_has_no_cost_header()
    {
        await using var server = await TestServers.StartAsync();
        using var http = TestServers.Http(server);

        using var response = await http.PostJsonAsync("v1/chat/completions", """{"model":"openai/my-unpriced-finetune","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.False(response.Headers.Contains("x-companyos-cost-usd"));
        Assert.Equal("openai", Assert.Single(response.Headers.GetValues("x-companyos-provider")));
    }

    [Fact]
    public async Task Stream_chunks_reach_the_client_as_the_upstream_sends_them()
    {
        var delay = TimeSpan.FromMilliseconds(150);
        await using var server = await TestServers.StartAsync(emulatorOptions: new EmulatorOptions { ChunkDelay = delay });
        server.Emulator!.Script.Enqueue(Emulator.Scripting.ScriptedTurn.Text("one two three four five six"));
        using var http = TestServers.Http(server);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"count"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        var clock = Stopwatch.StartNew();
        var arrivals = new List<TimeSpan>();
        for (var lines = 0; lines < 200 && await reader.ReadLineAsync(Ct) is { } line; lines++)
        {
            if (line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
            {
                arrivals.Add(clock.Elapsed);
            }
        }

        Assert.True(arrivals.Count >= 6, $"{arrivals.Count} content chunks");
        // Buffered output would arrive all at once; forwarded output is spread over the emulator's chunk delays.
        Assert.True(arrivals[^1] - arrivals[0] >= delay * 3, $"chunks arrived within {(arrivals[^1] - arrivals[0]).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_cancels_the_gateway_call()
    {
        await using var server = await TestServers.StartAsync(emulatorOptions: new EmulatorOptions { ChunkDelay = TimeSpan.FromMilliseconds(200) });
        server.Emulator!.Script.Enqueue(Emulator.Scripting.ScriptedTurn.Text(string.Join(' ', Enumerable.Repeat("word", 60))));
        var gateway = (CompanyOs.Llm.Gateway.LlmGateway)server.Services.GetService(typeof(CompanyOs.Llm.Gateway.LlmGateway))!;
        using (var http = TestServers.Http(server))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
            {
                Content = new StringContent("""{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"go"}]}""", System.Text.Encoding.UTF8, "application/json"),
            };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
            Assert.StartsWith("data: {", await reader.ReadLineAsync(Ct), StringComparison.Ordinal);
        } // the client goes away after the first chunk, about 12 s before the stream would end

        var clock = Stopwatch.StartNew();
        long cancelled = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(5) && cancelled == 0)
        {
            await Task.Delay(50, Ct);
            cancelled = gateway.GetStats().Rows.Sum(r => r.Errors.GetValueOrDefault("cancelled"));
        }

        Assert.Equal(1, cancelled);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }
}
