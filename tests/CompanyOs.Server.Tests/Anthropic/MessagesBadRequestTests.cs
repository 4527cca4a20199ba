using CompanyOs.Emulator.Faults;
using CompanyOs.Server.Tests.Infrastructure;
using CompanyOs.Server.Tests.OpenAI;

namespace CompanyOs.Server.Tests.Anthropic;

/// <summary>Bad requests and failures on /v1/messages: exact status and Anthropic's error shape.</summary>
public sealed class MessagesBadRequestTests : IAsyncLifetime
{
    private const string User = """{"role":"user","content":"hi"}""";
    private const string ToolUse = """{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]}""";
    private GatewayServerHolder _holder = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _holder = new GatewayServerHolder(await TestServers.StartAsync());

    public ValueTask DisposeAsync() => _holder.Server.DisposeAsync();

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "no model", $$$"""{"max_tokens":10,"messages":[{{{User}}}]}""", "model:" },
        { "no max_tokens", $$$"""{"model":"claude-3.5-sonnet","messages":[{{{User}}}]}""", "max_tokens:" },
        { "max_tokens zero", $$$"""{"model":"claude-3.5-sonnet","max_tokens":0,"messages":[{{{User}}}]}""", "max_tokens:" },
        { "no messages", """{"model":"claude-3.5-sonnet","max_tokens":10}""", "messages:" },
        { "empty messages", """{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[]}""", "messages:" },
        { "system role in messages", """{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{"role":"system","content":"x"}]}""", "messages.0.role:" },
        { "missing role", """{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{"content":"x"}]}""", "messages.0.role:" },
        { "missing content", """{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{"role":"user"}]}""", "messages.0.content:" },
        { "empty content", """{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{"role":"user","content":[]}]}""", "messages.0.content:" },
        { "block without type", """{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{"role":"user","content":[{"text":"x"}]}]}""", "messages.0.content.0.type:" },
        { "unknown block", """{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{"role":"user","content":[{"type":"video"}]}]}""", "messages.0.content.0.type:" },
        { "text without text", """{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text"}]}]}""", "messages.0.content.0.text:" },
        { "image bad base64", """{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"***"}}]}]}""", "messages.0.content.0.source.data:" },
        { "tool_use in user turn", """{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{"role":"user","content":[{"type":"tool_use","id":"a","name":"f","input":{}}]}]}""", "messages.0.content.0.type:" },
        { "tool_result answering nothing", """{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_9","content":"x"}]}]}""", "messages.0.content.0.tool_use_id:" },
        { "tool_result answering another id", $$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{{{User}}},{{{ToolUse}}},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_2","content":"x"}]}]}""", "messages.2.content.0.tool_use_id:" },
        { "tool_use left unanswered", $$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{{{User}}},{{{ToolUse}}},{{{User}}}]}""", "messages.2:" },
        { "tool_use without input", """{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f"}]}]}""", "messages.1.content.0.input:" },
        { "temperature above 1", $$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"temperature":1.5,"messages":[{{{User}}}]}""", "temperature:" },
        { "top_k negative", $$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"top_k":-1,"messages":[{{{User}}}]}""", "top_k:" },
        { "system a number", $$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"system":5,"messages":[{{{User}}}]}""", "system:" },
        { "system image block", $$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"system":[{"type":"image"}],"messages":[{{{User}}}]}""", "system.0:" },
        { "server tool", $$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[{{{User}}}]}""", "tools.0.type:" },
        { "tool without schema", $$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"tools":[{"name":"f"}],"messages":[{{{User}}}]}""", "tools.0.input_schema:" },
        { "tool without name", $$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"tools":[{"input_schema":{"type":"object"}}],"messages":[{{{User}}}]}""", "tools.0.name:" },
        { "tool_choice unknown type", $$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"tool_choice":{"type":"some"},"messages":[{{{User}}}]}""", "tool_choice.type:" },
        { "tool_choice names absent tool", $$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"g"},"messages":[{{{User}}}]}""", "tool_choice:" },
        { "max_tokens a string", $$$"""{"model":"claude-3.5-sonnet","max_tokens":"ten","messages":[{{{User}}}]}""", "max_tokens" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_body_is_400_invalid_request_error_naming_the_field(string description, string body, string fieldPrefix)
    {
        using var http = TestServers.Http(_holder.Server);

        using var response = await http.PostJsonAsync("v1/messages", body);

        var error = await ErrorJson.AssertAnthropicAsync(response, 400, "invalid_request_error");
        var message = error.GetProperty("message").GetString()!;
        Assert.True(message.Contains(fieldPrefix, StringComparison.Ordinal), $"{description}: {message}");
        Assert.Equal(0, _holder.Server.Emulator!.TotalRequestCount);
    }

    [Fact]
    public async Task Unknown_model_is_404_not_found_error()
    {
        using var http = TestServers.Http(_holder.Server);

        using var response = await http.PostJsonAsync("v1/messages", $$$"""{"model":"nonexistent-4","max_tokens":10,"messages":[{{{User}}}]}""");

        var error = await ErrorJson.AssertAnthropicAsync(response, 404, "not_found_error");
        Assert.Contains("nonexistent-4", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_media_type_is_415()
    {
        using var http = TestServers.Http(_holder.Server);

        using var response = await http.PostJsonAsync("v1/messages", $$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{{{User}}}]}""", "text/plain");

        await ErrorJson.AssertAnthropicAsync(response, 415, "invalid_request_error");
    }

    [Fact]
    public async Task Upstream_failure_is_502_api_error_naming_the_provider()
    {
        using var http = TestServers.Http(_holder.Server);
        _holder.Server.Emulator!.Faults.Enqueue(Fault.Status(500));

        using var response = await http.PostJsonAsync("v1/messages", $$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{{{User}}}]}""");

        var error = await ErrorJson.AssertAnthropicAsync(response, 502, "api_error");
        Assert.Contains("'anthropic'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_cut_after_output_started_ends_with_an_error_event_not_message_stop()
    {
        using var http = TestServers.Http(_holder.Server);
        _holder.Server.Emulator!.Faults.Enqueue(Fault.CutAfter(4));

        using var read = await SseStreams.PostAsync(http, "v1/messages",
            """{"model":"claude-3.5-sonnet","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"tell me a long story please"}]}""");
        var events = read.Events;

        Assert.Equal(200, (int)read.Response.StatusCode);
        Assert.StartsWith("event: message_start", events[0], StringComparison.Ordinal);
        Assert.StartsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"", events[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.StartsWith("event: message_stop", StringComparison.Ordinal));
        Assert.True(read.Reset);
    }

    [Fact]
    public async Task Message_start_carries_an_input_estimate_and_message_delta_the_provider_usage()
    {
        using var http = TestServers.Http(_holder.Server);

        using var response = await http.PostJsonAsync("v1/messages",
            """{"model":"claude-3.5-sonnet","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"count my input tokens please"}]}""");
        var events = await ChatCompletionsFailureTests.SseEvents(response);

        using var start = System.Text.Json.JsonDocument.Parse(events[0].Split("data: ")[1]);
        using var delta = System.Text.Json.JsonDocument.Parse(events.Single(e => e.StartsWith("event: message_delta", StringComparison.Ordinal)).Split("data: ")[1]);
        var estimate = start.RootElement.GetProperty("message").GetProperty("usage").GetProperty("input_tokens").GetInt32();
        var reported = delta.RootElement.GetProperty("usage").GetProperty("input_tokens").GetInt32();
        Assert.InRange(estimate, reported / 2, reported * 2);
        Assert.True(delta.RootElement.GetProperty("usage").GetProperty("output_tokens").GetInt32() > 3);
    }

    [Fact]
    public async Task Any_anthropic_version_and_either_key_header_is_accepted()
    {
        using var http = TestServers.Http(_holder.Server);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages")
        {
            Content = new StringContent($$$"""{"model":"claude-3.5-sonnet","max_tokens":10,"messages":[{{{User}}}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("anthropic-version", "2099-01-01");
        request.Headers.Add("x-api-key", "cos_anything");

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(200, (int)response.StatusCode);
    }
}
