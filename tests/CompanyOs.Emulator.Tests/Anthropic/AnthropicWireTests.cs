using System.Net;
using System.Text.Json;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Emulator.Tests.Infrastructure;

namespace CompanyOs.Emulator.Tests.Anthropic;

/// <summary>Exact Anthropic Messages wire shapes over plain HTTP.</summary>
public sealed class AnthropicWireTests
{
    private const string Hello = """{"model":"claude-sonnet-4-5-20250929","max_tokens":256,"messages":[{"role":"user","content":"hi"}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Json_message_has_the_documented_fields_and_cache_usage()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        server.Script.Enqueue(ScriptedTurn.Text("hello").WithUsage(1000, 7).WithCacheTokens(read: 600, write: 300));

        var json = (await http.PostAsync("v1/messages", Hello, Ct, ("x-api-key", "k"), ("anthropic-version", "2023-06-01"))).Json;

        Assert.StartsWith("msg_01", json.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("message", json.GetProperty("type").GetString());
        Assert.Equal("assistant", json.GetProperty("role").GetString());
        Assert.Equal("text", json.GetProperty("content")[0].GetProperty("type").GetString());
        Assert.Equal("hello", json.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("end_turn", json.GetProperty("stop_reason").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("stop_sequence").ValueKind);
        var usage = json.GetProperty("usage");
        Assert.Equal(100, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(300, usage.GetProperty("cache_creation_input_tokens").GetInt32());
        Assert.Equal(600, usage.GetProperty("cache_read_input_tokens").GetInt32());
        Assert.Equal(7, usage.GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Stream_follows_the_documented_event_sequence()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        server.Script.Enqueue(ScriptedTurn.ToolCalls(("lookup", """{"q":"abcdefghijklmnopqrstuvwxyz"}""")).WithText("Let me check."));

        var response = await http.PostAsync("v1/messages", Hello.Replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\"", StringComparison.Ordinal), Ct);

        var events = response.SseEvents();
        Assert.All(events, e => Assert.Equal(e.Event, JsonDocument.Parse(e.Data).RootElement.GetProperty("type").GetString()));
        var names = events.Select(e => e.Event).Distinct().ToArray();
        Assert.Equal(["message_start", "content_block_start", "ping", "content_block_delta", "content_block_stop", "message_delta", "message_stop"], names);
        var data = events.Select(e => JsonDocument.Parse(e.Data).RootElement).ToArray();
        Assert.Equal(JsonValueKind.Null, data[0].GetProperty("message").GetProperty("stop_reason").ValueKind);
        var toolStart = data.Single(d => d.GetProperty("type").GetString() == "content_block_start" && d.GetProperty("index").GetInt32() == 1);
        Assert.Equal("tool_use", toolStart.GetProperty("content_block").GetProperty("type").GetString());
        Assert.StartsWith("toolu_01", toolStart.GetProperty("content_block").GetProperty("id").GetString(), StringComparison.Ordinal);
        var partial = string.Concat(data
            .Where(d => d.GetProperty("type").GetString() == "content_block_delta" && d.GetProperty("index").GetInt32() == 1)
            .Select(d => d.GetProperty("delta")).Where(d => d.GetProperty("type").GetString() == "input_json_delta")
            .Select(d => d.GetProperty("partial_json").GetString()));
        Assert.Equal("""{"q":"abcdefghijklmnopqrstuvwxyz"}""", partial);
        var text = string.Concat(data
            .Where(d => d.GetProperty("type").GetString() == "content_block_delta" && d.GetProperty("index").GetInt32() == 0)
            .Select(d => d.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal("Let me check.", text);
        var delta = data[^2];
        Assert.Equal("tool_use", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.True(delta.GetProperty("usage").GetProperty("output_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task Count_tokens_returns_input_tokens()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var small = (await http.PostAsync("v1/messages/count_tokens", """{"model":"claude-sonnet-4-5-20250929","messages":[{"role":"user","content":"hi"}]}""", Ct)).Json;
        var large = (await http.PostAsync("v1/messages/count_tokens", """{"model":"claude-sonnet-4-5-20250929","system":"You are a careful assistant.","messages":[{"role":"user","content":"hi there, how are you doing today?"}]}""", Ct)).Json;

        Assert.True(small.GetProperty("input_tokens").GetInt32() > 0);
        Assert.True(large.GetProperty("input_tokens").GetInt32() > small.GetProperty("input_tokens").GetInt32());
        Assert.Equal(2, server.RequestCount(EmulatorRoute.AnthropicCountTokens));
        Assert.Equal(0, server.RequestCount(EmulatorRoute.AnthropicMessages));
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("""{"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"system","content":"hi"}]}""", "messages[0].role")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_x","content":"r"}]}]}""", "tool_use_id")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"a"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},{"role":"user","content":"no result"}]}""", "tool_result")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f"}]}""", "tools[0].input_schema: Field required")]
    [InlineData("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":{}},[]]}""", "tools[1]: expected an object, got an array.")]
    public async Task Invalid_requests_get_400_invalid_request_error(string body, string mentioned)
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var response = await http.PostAsync("v1/messages", body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("error", response.Json.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", response.Json.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains(mentioned, response.Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepts_bearer_auth_and_any_anthropic_version_when_a_key_is_required()
    {
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = "sk-ant-secret" }, Ct);
        using var http = new RawHttp(server);

        var bearer = await http.PostAsync("v1/messages", Hello, Ct, ("Authorization", "Bearer sk-ant-secret"), ("anthropic-version", "2099-01-01"));
        var header = await http.PostAsync("v1/messages", Hello, Ct, ("x-api-key", "sk-ant-secret"));
        var wrong = await http.PostAsync("v1/messages", Hello, Ct, ("x-api-key", "sk-ant-wrong"));

        Assert.Equal(HttpStatusCode.OK, bearer.Status);
        Assert.Equal(HttpStatusCode.OK, header.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Equal("authentication_error", wrong.Json.GetProperty("error").GetProperty("type").GetString());
        Assert.DoesNotContain("sk-ant", wrong.Body, StringComparison.Ordinal);
        Assert.All(server.Requests, r => Assert.False(r.Headers.ContainsKey("x-api-key") || r.Headers.ContainsKey("authorization")));
    }
}
