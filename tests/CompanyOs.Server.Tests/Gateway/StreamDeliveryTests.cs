using System.Diagnostics;
using System.Globalization;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Server.Tests.Infrastructure;
using CompanyOs.Testing;
using OpenAI.Chat;

namespace CompanyOs.Server.Tests.Gateway;

/// <summary>Streams are forwarded chunk by chunk, and a client that goes away stops the upstream and pays for what it used.</summary>
public sealed class StreamDeliveryTests
{
    private static readonly TimeSpan ChunkDelay = TimeSpan.FromMilliseconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_chunk_reaches_the_official_sdk_about_one_upstream_chunk_delay_after_the_previous_one()
    {
        await using var server = await TestServers.StartAsync(emulatorOptions: new EmulatorOptions { ChunkDelay = ChunkDelay });
        server.Emulator!.Script.Enqueue(ScriptedTurn.Text("one two three four five six seven eight"));
        var client = TestServers.OpenAIChat(server);

        var clock = Stopwatch.StartNew();
        var arrivals = new List<TimeSpan>();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("count")], new ChatCompletionOptions(), Ct))
        {
            if (update.ContentUpdate.Any(c => c.Text.Trim().Length > 0))
            {
                arrivals.Add(clock.Elapsed);
            }
        }

        var total = clock.Elapsed;
        Assert.True(arrivals.Count >= 8, $"{arrivals.Count} text updates");
        var gaps = arrivals.Zip(arrivals.Skip(1), (a, b) => b - a).Order().ToList();
        // Buffering anywhere (server or gateway) would bunch the updates together; forwarded ones keep the upstream's pace.
        Assert.True(gaps[gaps.Count / 2] >= ChunkDelay * 0.6, "median gap " + gaps[gaps.Count / 2].TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + " ms");
        Assert.True(total - arrivals[0] >= ChunkDelay * (arrivals.Count - 2), $"first text after {arrivals[0].TotalMilliseconds} ms of {total.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Anthropic_stream_events_arrive_spread_over_the_upstream_chunk_delays()
    {
        await using var server = await TestServers.StartAsync(emulatorOptions: new EmulatorOptions { ChunkDelay = ChunkDelay });
        server.Emulator!.Script.Enqueue(ScriptedTurn.Text("one two three four five six seven eight"));
        using var http = TestServers.Http(server);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages")
        {
            Content = new StringContent("""{"model":"gpt-4o","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"count"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        var clock = Stopwatch.StartNew();
        var arrivals = new List<TimeSpan>();
        for (var lines = 0; lines < 500 && await reader.ReadLineAsync(Ct) is { } line; lines++)
        {
            if (line.StartsWith("event: content_block_delta", StringComparison.Ordinal))
            {
                arrivals.Add(clock.Elapsed);
            }
        }

        Assert.True(arrivals.Count >= 8, $"{arrivals.Count} deltas");
        var gaps = arrivals.Zip(arrivals.Skip(1), (a, b) => b - a).Order().ToList();
        Assert.True(gaps[gaps.Count / 2] >= ChunkDelay * 0.6, $"median gap {gaps[gaps.Count / 2].TotalMilliseconds} ms");
    }

    [Theory]
    [InlineData("v1/chat/completions", """{"model":"gpt-4o","max_tokens":1000,"stream":true,"messages":[{"role":"user","content":"go"}]}""")]
    [InlineData("v1/messages", """{"model":"gpt-4o","max_tokens":1000,"stream":true,"messages":[{"role":"user","content":"go"}]}""")]
    public async Task A_client_that_disconnects_stops_the_upstream_stream_and_its_usage_and_budget_are_charged(string path, string body)
    {
        // gpt-4o at most 1000 output tokens costs about $0.01; a budget of $0.015 holds one such call, not two.
        await using var server = await TestServers.StartAsync(TestServers.DefaultYaml + "\nbudgets: { default_org: { usd: 0.015 } }\n",
            emulatorOptions: new EmulatorOptions { ChunkDelay = TimeSpan.FromMilliseconds(200) });
        server.Emulator!.Script.Enqueue(ScriptedTurn.Text(string.Join(' ', Enumerable.Repeat("word", 300))));
        using (var http = TestServers.Http(server))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
            };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
            Assert.Equal(200, (int)response.StatusCode);
            Assert.NotNull(await reader.ReadLineAsync(Ct));
        } // the client goes away after the first event, about a minute before the stream would end

        var upstream = Assert.Single(server.Emulator.Requests).Response;
        // Generous for a loaded CI machine; a stream that was not stopped would still be sending (and fail the checks below).
        var stopped = await Task.WhenAny(upstream.Finished, Task.Delay(TimeSpan.FromSeconds(30), Ct));
        Assert.Same(upstream.Finished, stopped);
        Assert.True(upstream.Aborted, "the emulator's request was not aborted");
        Assert.True(upstream.FramesWritten < upstream.FramesPlanned!.Value / 2, $"{upstream.FramesWritten} of {upstream.FramesPlanned} frames sent");

        var gateway = StreamFactsTests.Gateway(server);
        await Poll.UntilAsync(() => gateway.GetStats().Rows.Sum(r => r.Errors.GetValueOrDefault("cancelled")) == 1, "the call is recorded as cancelled",
            TimeSpan.FromSeconds(10), Ct);
        var row = Assert.Single(gateway.GetStats().Rows);
        // Charged like an interrupted stream (the provider billed an unknown part): the prompt estimate and the output cap.
        Assert.Equal(1000, row.OutputTokens);
        Assert.True(row.InputTokens > 0);
        Assert.InRange(row.CostUsd, 0.01m, 0.0101m);

        using var http2 = TestServers.Http(server);
        using var next = await http2.PostJsonAsync("v1/chat/completions", """{"model":"gpt-4o","max_tokens":1000,"messages":[{"role":"user","content":"again"}]}""");
        var error = await ErrorJson.AssertOpenAIAsync(next, 429, "insufficient_quota", code: "insufficient_quota");
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"committed ${row.CostUsd:0.######}"), error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
