using System.Net;
using System.Text.Json;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Emulator.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Emulator.Tests.Scripting;

/// <summary>The deterministic model, script matching, cache and latency headers, options validation.</summary>
public sealed class ScriptedModelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string OpenAI(string model, string user, string tools = "") =>
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{user}}"}]{{tools}}}""";

    [Fact]
    public async Task Scripted_turns_match_by_model_provider_and_tag_in_fifo_order()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        server.Script.Enqueue(
            ScriptedTurn.Text("for claude").ForModel("claude-x"),
            ScriptedTurn.Text("tagged").ForTag("t1"),
            ScriptedTurn.Text("ollama only").ForProvider(EmulatorProvider.Ollama),
            ScriptedTurn.Text("anyone"));

        static string Content(RawResponse r) => r.Json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        var first = Content(await http.PostAsync("v1/chat/completions", OpenAI("gpt-4o", "hi"), Ct));
        var tagged = Content(await http.PostAsync("v1/chat/completions", OpenAI("gpt-4o", "hi"), Ct, ("x-emulator-tag", "t1")));
        var claude = Content(await http.PostAsync("v1/chat/completions", OpenAI("claude-x", "hi"), Ct));
        var fallback = Content(await http.PostAsync("v1/chat/completions", OpenAI("gpt-4o", "hi"), Ct));

        Assert.Equal("anyone", first);
        Assert.Equal("tagged", tagged);
        Assert.Equal("for claude", claude);
        Assert.StartsWith("Emulated reply from gpt-4o", fallback, StringComparison.Ordinal);
        Assert.Equal(1, server.Script.Pending);
    }

    [Fact]
    public async Task Position_keyed_turns_answer_by_conversation_state_and_are_not_consumed()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        server.Script.Enqueue(
            ScriptedTurn.ToolCalls(("lookup", """{"q":"a"}""")).AtPosition(0),
            ScriptedTurn.Text("second turn answer").AtPosition(1));
        const string tools = ""","tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]""";
        var opening = OpenAI("gpt-4o", "hi", tools);

        var first = await http.PostAsync("v1/chat/completions", opening, Ct);
        var again = await http.PostAsync("v1/chat/completions", opening, Ct);
        var call = first.Json.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0];
        var callId = call.GetProperty("id").GetString();
        var followUp = $$$"""
            {"model":"gpt-4o","messages":[{"role":"user","content":"hi"},
            {"role":"assistant","content":null,"tool_calls":[{"id":"{{{callId}}}","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"a\"}"}}]},
            {"role":"tool","tool_call_id":"{{{callId}}}","content":"found"}]{{{tools}}}}
            """;
        var second = await http.PostAsync("v1/chat/completions", followUp, Ct);

        Assert.Equal("lookup", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(first.Body, again.Body);
        Assert.Equal("second turn answer", second.Json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(2, server.Script.Pending);
        Assert.Throws<ArgumentOutOfRangeException>(() => ScriptedTurn.Text("x").AtPosition(-1));
    }

    [Fact]
    public async Task Arguments_are_synthesised_from_the_schema_types()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        const string schema = """{"type":"object","properties":{"q":{"type":"string"},"n":{"type":"integer","minimum":5},"mode":{"type":"string","enum":["fast","slow"]},"flag":{"type":"boolean"},"tags":{"type":"array","items":{"type":"string"}},"opt":{"type":"string"},"inner":{"type":"object","properties":{"x":{"type":"number"}},"required":["x"]},"site":{"type":"string","format":"uri"},"d":{"type":"string","default":"dflt"}},"required":["q","n","mode","flag","tags","inner","site","d"]}""";

        var response = await http.PostAsync("v1/chat/completions",
            OpenAI("gpt-4o", "find cats", ""","tools":[{"type":"function","function":{"name":"search","parameters":""" + schema + "}}]"), Ct);

        var args = JsonDocument.Parse(response.Json.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0]
            .GetProperty("function").GetProperty("arguments").GetString()!).RootElement;
        Assert.Equal("find cats", args.GetProperty("q").GetString());
        Assert.Equal(5, args.GetProperty("n").GetInt32());
        Assert.Equal("fast", args.GetProperty("mode").GetString());
        Assert.True(args.GetProperty("flag").GetBoolean());
        Assert.Equal("find cats", args.GetProperty("tags")[0].GetString());
        Assert.False(args.TryGetProperty("opt", out _));
        Assert.Equal(1, args.GetProperty("inner").GetProperty("x").GetDouble());
        Assert.Equal("https://example.com/", args.GetProperty("site").GetString());
        Assert.Equal("dflt", args.GetProperty("d").GetString());
    }

    [Fact]
    public async Task Tools_named_in_the_prompt_are_preferred_and_tool_choice_is_honoured()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        const string tools = ""","tools":[{"type":"function","function":{"name":"web_search"}},{"type":"function","function":{"name":"read_file"}},{"type":"function","function":{"name":"execute_code"}}]""";

        static string[] Names(RawResponse r) => r.Json.GetProperty("choices")[0].GetProperty("message").TryGetProperty("tool_calls", out var calls)
            ? calls.EnumerateArray().Select(c => c.GetProperty("function").GetProperty("name").GetString()!).ToArray()
            : [];
        var mentioned = Names(await http.PostAsync("v1/chat/completions", OpenAI("gpt-4o", "please execute code", tools), Ct));
        var none = Names(await http.PostAsync("v1/chat/completions", OpenAI("gpt-4o", "x", tools + ""","tool_choice":"none" """), Ct));
        var forced = Names(await http.PostAsync("v1/chat/completions", OpenAI("gpt-4o", "x", tools + ""","tool_choice":{"type":"function","function":{"name":"read_file"}}"""), Ct));
        var serial = Names(await http.PostAsync("v1/chat/completions", OpenAI("gpt-4o", "x", tools + ""","parallel_tool_calls":false"""), Ct));

        Assert.Equal(["execute_code"], mentioned);
        Assert.Empty(none);
        Assert.Equal(["read_file"], forced);
        Assert.Equal(["web_search"], serial);
    }

    [Fact]
    public async Task Cache_header_sets_cached_tokens_clamped_to_the_prompt()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        const string anthropic = """{"model":"claude-x","max_tokens":50,"messages":[{"role":"user","content":"hello there"}]}""";

        var usage = (await http.PostAsync("v1/messages", anthropic, Ct, ("x-emulator-cache", "read=4;write=3"))).Json.GetProperty("usage");
        var clamped = (await http.PostAsync("v1/chat/completions", OpenAI("gpt-4o", "hi"), Ct, ("x-emulator-cache", "read=100000"))).Json.GetProperty("usage");

        Assert.Equal(4, usage.GetProperty("cache_read_input_tokens").GetInt32());
        Assert.Equal(3, usage.GetProperty("cache_creation_input_tokens").GetInt32());
        Assert.Equal(clamped.GetProperty("prompt_tokens").GetInt32(), clamped.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public async Task Latency_header_delays_first_byte_and_chunks_on_the_time_provider()
    {
        var time = new FakeTimeProvider();
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions { TimeProvider = time }, Ct);
        using var http = new RawHttp(server);
        server.Script.Enqueue(ScriptedTurn.Text("a b"));

        var pending = http.PostAsync("api/chat", """{"model":"llama3.2","messages":[{"role":"user","content":"hi"}]}""", Ct, ("x-emulator-latency", "first-byte=1000;chunk=100"));
        for (var i = 0; i < 200 && server.RequestCount(EmulatorRoute.OllamaChat) == 0; i++)
        {
            await Task.Delay(10, Ct);
        }

        for (var step = 0; step < 100 && !pending.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(5, Ct);
        }

        var response = await pending;
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(time.GetUtcNow() - time.Start >= TimeSpan.FromMilliseconds(1200), "first byte + two chunk delays elapsed on the fake clock");
    }

    [Fact]
    public async Task Reset_clears_script_faults_counters_and_recorded_requests()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        await http.PostAsync("v1/chat/completions", OpenAI("gpt-4o", "hi"), Ct);
        server.Script.Enqueue(ScriptedTurn.Text("x"));
        server.Faults.Enqueue(Fault.Status(500));

        server.Reset();

        Assert.Equal(0, server.TotalRequestCount);
        Assert.Empty(server.Requests);
        Assert.Equal(0, server.Script.Pending);
        Assert.Equal(0, server.Faults.Pending);
    }

    [Theory]
    [InlineData(-1, "Port")]
    [InlineData(70000, "Port")]
    public async Task Invalid_options_fail_at_start_naming_the_setting(int port, string name)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => EmulatorServer.StartAsync(new EmulatorOptions { Port = port }, Ct));

        Assert.Contains($"EmulatorOptions.{name}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_script_turns_are_rejected_with_the_reason()
    {
        Assert.Throws<ArgumentException>(() => ScriptedTurn.ToolCalls(Array.Empty<ScriptedToolCall>()));
        var notObject = Assert.Throws<ArgumentException>(() => ScriptedTurn.ToolCalls(("f", "[1]")));
        Assert.Contains("'f'", notObject.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ScriptedTurn.Text("x").WithCacheTokens(-1, 0));
    }

    [Theory]
    [InlineData("429;retry-after=2", "429;retry-after=2")]
    [InlineData("503, slow-first-byte=250", "503|slow-first-byte=250")]
    [InlineData("529;retry-after-date=1.5", "529;retry-after-date=1.5")]
    [InlineData("RESET", "reset")]
    [InlineData("cut-after=3,malformed", "cut-after=3|malformed")]
    public void Fault_header_round_trips(string header, string expected)
    {
        Assert.Equal(expected, string.Join("|", FaultHeaderParser.Parse(header)));
    }

    [Theory]
    [InlineData("teapot")]
    [InlineData("200")]
    [InlineData("429;retry-after=soon")]
    [InlineData("429;retry-later=1")]
    [InlineData("cut-after")]
    [InlineData("reset;now=1")]
    public void Bad_fault_headers_are_rejected(string header)
    {
        var error = Assert.Throws<FormatException>(() => FaultHeaderParser.Parse(header));
        Assert.StartsWith("x-emulator-fault:", error.Message, StringComparison.Ordinal);
    }
}
