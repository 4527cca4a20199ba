using System.Net;
using System.Text.Json;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Emulator.Tests.Infrastructure;

namespace CompanyOs.Emulator.Tests.OpenAI;

/// <summary>Exact OpenAI wire shapes over plain HTTP.</summary>
public sealed class OpenAIWireTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Json_completion_has_the_documented_fields()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var response = await http.PostAsync("v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""", Ct);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var json = response.Json;
        Assert.Equal("chat.completion", json.GetProperty("object").GetString());
        var choice = json.GetProperty("choices")[0];
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("message").GetProperty("refusal").ValueKind);
        Assert.False(choice.GetProperty("message").TryGetProperty("tool_calls", out _));
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        var usage = json.GetProperty("usage");
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(0, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public async Task Stream_is_sse_chunks_then_usage_chunk_then_done()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        server.Script.Enqueue(ScriptedTurn.Text("alpha beta"));

        var response = await http.PostAsync("v1/chat/completions",
            """{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""", Ct);

        Assert.StartsWith("text/event-stream", response.Headers["content-type"], StringComparison.Ordinal);
        var events = response.SseEvents();
        Assert.All(events, e => Assert.Null(e.Event));
        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = events.SkipLast(1).Select(e => JsonDocument.Parse(e.Data).RootElement).ToArray();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal(["alpha ", "beta"], chunks[1..3].Select(c => c.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString()));
        Assert.Equal("stop", chunks[3].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.All(chunks[..4], c => Assert.Equal(JsonValueKind.Null, c.GetProperty("usage").ValueKind));
        Assert.Equal(0, chunks[4].GetProperty("choices").GetArrayLength());
        Assert.Equal(2, chunks[4].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(5, chunks.Length);
    }

    [Fact]
    public async Task Stream_without_include_usage_has_no_usage_chunk()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var response = await http.PostAsync("v1/chat/completions", """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Ct);

        var chunks = response.SseEvents().SkipLast(1).Select(e => JsonDocument.Parse(e.Data).RootElement).ToArray();
        Assert.All(chunks, c => Assert.False(c.TryGetProperty("usage", out _)));
        Assert.All(chunks, c => Assert.Equal(1, c.GetProperty("choices").GetArrayLength()));
    }

    [Fact]
    public async Task Tool_call_deltas_carry_index_id_name_then_argument_fragments()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        server.Script.Enqueue(ScriptedTurn.ToolCalls(("a", """{"x":"0123456789abcdefghij"}"""), ("b", "{}")));

        var response = await http.PostAsync("v1/chat/completions",
            """{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"a","parameters":{"type":"object"}}}]}""", Ct);

        var deltas = response.SseEvents().SkipLast(1)
            .Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("choices")[0])
            .ToArray();
        Assert.Equal(JsonValueKind.Null, deltas[0].GetProperty("delta").GetProperty("content").ValueKind);
        var toolDeltas = deltas.Where(d => d.GetProperty("delta").TryGetProperty("tool_calls", out _))
            .Select(d => d.GetProperty("delta").GetProperty("tool_calls")[0]).ToArray();
        Assert.Equal("a", toolDeltas[0].GetProperty("function").GetProperty("name").GetString());
        Assert.StartsWith("call_", toolDeltas[0].GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("", toolDeltas[0].GetProperty("function").GetProperty("arguments").GetString());
        var argumentsOfA = string.Concat(toolDeltas.Where(t => t.GetProperty("index").GetInt32() == 0).Select(t => t.GetProperty("function").GetProperty("arguments").GetString()));
        Assert.Equal("""{"x":"0123456789abcdefghij"}""", argumentsOfA);
        Assert.True(toolDeltas.Count(t => t.GetProperty("index").GetInt32() == 0) >= 3);
        Assert.Contains(toolDeltas, t => t.GetProperty("index").GetInt32() == 1 && t.GetProperty("function").GetProperty("name").GetString() == "b");
        Assert.Equal("tool_calls", deltas[^1].GetProperty("finish_reason").GetString());
    }

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("""{"model":"gpt-4o","messages":[]}""", "messages")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"wizard","content":"hi"}]}""", "messages[0].role")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"call_1","content":"x"}]}""", "messages[1].role")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]}]}""", "messages[1].role")]
    [InlineData("""{"model":"gpt-4o","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""", "stream_options")]
    public async Task Invalid_requests_get_400_with_openai_error_naming_the_param(string body, string param)
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var response = await http.PostAsync("v1/chat/completions", body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        var error = response.Json.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.True(error.TryGetProperty("code", out _));
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function"}]}""", "tools[0].function", "Missing required parameter: 'tools[0].function'.")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}},7]}""", "tools[1]", "tools[1]: expected an object, got a number.")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"description":"d"}}]}""", "tools[0].function.name", "tools[0].function.name: field required.")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"call_1","type":"function"}]}]}""", "messages[1].tool_calls[0].function", "Missing required parameter: 'messages[1].tool_calls[0].function'.")]
    public async Task Bad_tool_entries_get_400_naming_the_entry(string body, string param, string message)
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var response = await http.PostAsync("v1/chat/completions", body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        var error = response.Json.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Body_that_is_not_json_gets_400()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var response = await http.PostAsync("v1/chat/completions", "{not json", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("not valid JSON", response.Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Max_tokens_truncates_with_finish_reason_length_and_stop_sequences_cut_the_text()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        server.Script.Enqueue(ScriptedTurn.Text("one two three four five six"), ScriptedTurn.Text("keep this STOP drop this"));

        var truncated = (await http.PostAsync("v1/chat/completions", """{"model":"gpt-4o","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}""", Ct)).Json;
        var stopped = (await http.PostAsync("v1/chat/completions", """{"model":"gpt-4o","stop":["STOP"],"messages":[{"role":"user","content":"hi"}]}""", Ct)).Json;

        Assert.Equal("one two three", truncated.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("length", truncated.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(3, truncated.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("keep this ", stopped.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", stopped.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Unknown_route_gets_404_json()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var response = await http.GetAsync("v1/nothing-here", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Contains("/v1/nothing-here", response.Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
