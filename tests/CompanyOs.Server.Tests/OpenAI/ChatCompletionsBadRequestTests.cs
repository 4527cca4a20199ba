using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.OpenAI;

/// <summary>Bad requests to /v1/chat/completions: exact status and OpenAI error shape, nothing sent upstream.</summary>
public sealed class ChatCompletionsBadRequestTests : IAsyncLifetime
{
    private GatewayServerHolder _holder = null!;

    public async ValueTask InitializeAsync() => _holder = new GatewayServerHolder(await TestServers.StartAsync());

    public ValueTask DisposeAsync() => _holder.Server.DisposeAsync();

    private const string User = """{"role":"user","content":"hi"}""";

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "no model", $$$"""{"messages":[{{{User}}}]}""", "model" },
        { "empty model", $$$"""{"model":"","messages":[{{{User}}}]}""", "model" },
        { "no messages", """{"model":"gpt-4o"}""", "messages" },
        { "empty messages", """{"model":"gpt-4o","messages":[]}""", "messages" },
        { "messages not an array", """{"model":"gpt-4o","messages":"hi"}""", "messages" },
        { "null message", """{"model":"gpt-4o","messages":[null]}""", "messages[0]" },
        { "missing role", """{"model":"gpt-4o","messages":[{"content":"hi"}]}""", "messages[0].role" },
        { "unknown role", """{"model":"gpt-4o","messages":[{"role":"robot","content":"hi"}]}""", "messages[0].role" },
        { "role wrong type", """{"model":"gpt-4o","messages":[{"role":7,"content":"hi"}]}""", "messages[0].role" },
        { "user without content", """{"model":"gpt-4o","messages":[{"role":"user"}]}""", "messages[0].content" },
        { "content number", """{"model":"gpt-4o","messages":[{"role":"user","content":5}]}""", "messages[0].content" },
        { "unknown part type", """{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"video"}]}]}""", "messages[0].content[0].type" },
        { "text part without text", """{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text"}]}]}""", "messages[0].content[0].text" },
        { "image without url", """{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}""", "messages[0].content[0].image_url.url" },
        { "relative image url", """{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"cat.png"}}]}]}""", "messages[0].content[0].image_url.url" },
        { "tool without id", $$$"""{"model":"gpt-4o","messages":[{{{User}}},{"role":"tool","content":"x"}]}""", "messages[1].tool_call_id" },
        { "tool answering nothing", $$$"""{"model":"gpt-4o","messages":[{{{User}}},{"role":"tool","tool_call_id":"call_1","content":"x"}]}""", "messages[1].tool_call_id" },
        { "tool answering another call", $$$"""{"model":"gpt-4o","messages":[{{{User}}},{"role":"assistant","tool_calls":[{"id":"call_a","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_b","content":"x"}]}""", "messages[2].tool_call_id" },
        { "tool call without name", $$$"""{"model":"gpt-4o","messages":[{{{User}}},{"role":"assistant","tool_calls":[{"id":"call_a","type":"function","function":{"arguments":"{}"}}]}]}""", "messages[1].tool_calls[0]" },
        { "tool call arguments not json", $$$"""{"model":"gpt-4o","messages":[{{{User}}},{"role":"assistant","tool_calls":[{"id":"call_a","type":"function","function":{"name":"f","arguments":"{oops"}}]}]}""", "messages[1].tool_calls[0].function.arguments" },
        { "assistant without content or calls", $$$"""{"model":"gpt-4o","messages":[{{{User}}},{"role":"assistant"}]}""", "messages[1].content" },
        { "temperature too high", $$$"""{"model":"gpt-4o","temperature":2.5,"messages":[{{{User}}}]}""", "temperature" },
        { "temperature a string", $$$"""{"model":"gpt-4o","temperature":"hot","messages":[{{{User}}}]}""", "temperature" },
        { "top_p above 1", $$$"""{"model":"gpt-4o","top_p":1.5,"messages":[{{{User}}}]}""", "top_p" },
        { "max_tokens zero", $$$"""{"model":"gpt-4o","max_tokens":0,"messages":[{{{User}}}]}""", "max_tokens" },
        { "max_completion_tokens negative", $$$"""{"model":"gpt-4o","max_completion_tokens":-3,"messages":[{{{User}}}]}""", "max_completion_tokens" },
        { "n two", $$$"""{"model":"gpt-4o","n":2,"messages":[{{{User}}}]}""", "n" },
        { "stop five", $$$"""{"model":"gpt-4o","stop":["a","b","c","d","e"],"messages":[{{{User}}}]}""", "stop" },
        { "stop number", $$$"""{"model":"gpt-4o","stop":3,"messages":[{{{User}}}]}""", "stop" },
        { "tool of other type", $$$"""{"model":"gpt-4o","tools":[{"type":"code_interpreter"}],"messages":[{{{User}}}]}""", "tools[0].type" },
        { "tool without name", $$$"""{"model":"gpt-4o","tools":[{"type":"function","function":{"description":"d"}}],"messages":[{{{User}}}]}""", "tools[0].function.name" },
        { "tool parameters not object", $$$"""{"model":"gpt-4o","tools":[{"type":"function","function":{"name":"f","parameters":"x"}}],"messages":[{{{User}}}]}""", "tools[0].function.parameters" },
        { "tool_choice unknown", $$$"""{"model":"gpt-4o","tool_choice":"sometimes","messages":[{{{User}}}]}""", "tool_choice" },
        { "tool_choice required without tools", $$$"""{"model":"gpt-4o","tool_choice":"required","messages":[{{{User}}}]}""", "tool_choice" },
        { "tool_choice names absent tool", $$$"""{"model":"gpt-4o","tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}},"messages":[{{{User}}}]}""", "tool_choice" },
        { "response_format unknown", $$$"""{"model":"gpt-4o","response_format":{"type":"yaml"},"messages":[{{{User}}}]}""", "response_format.type" },
        { "json_schema without schema", $$$"""{"model":"gpt-4o","response_format":{"type":"json_schema","json_schema":{"name":"x"}},"messages":[{{{User}}}]}""", "response_format.json_schema" },
        { "stream_options without stream", $$$"""{"model":"gpt-4o","stream_options":{"include_usage":true},"messages":[{{{User}}}]}""", "stream_options" },
        { "stream a string", $$$"""{"model":"gpt-4o","stream":"yes","messages":[{{{User}}}]}""", "stream" },
        { "body an array", """[1,2]""", "body" },
        { "body null", """null""", "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_body_is_400_naming_the_field(string description, string body, string param)
    {
        using var http = TestServers.Http(_holder.Server);

        using var response = await http.PostJsonAsync("v1/chat/completions", body);

        var error = await ErrorJson.AssertOpenAIAsync(response, 400, "invalid_request_error", param);
        Assert.True(error.GetProperty("message").GetString()!.Length > 10, description);
        Assert.Equal(0, _holder.Server.Emulator!.TotalRequestCount);
    }

    [Fact]
    public async Task Malformed_json_is_400_with_line_and_position()
    {
        using var http = TestServers.Http(_holder.Server);

        using var response = await http.PostJsonAsync("v1/chat/completions", "{\n  \"model\": \"gpt-4o\",\n  \"messages\": [oops]\n}");

        var error = await ErrorJson.AssertOpenAIAsync(response, 400, "invalid_request_error", "messages[0]");
        Assert.Contains("line 3, position", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_body_is_400()
    {
        using var http = TestServers.Http(_holder.Server);

        using var response = await http.PostJsonAsync("v1/chat/completions", "");

        await ErrorJson.AssertOpenAIAsync(response, 400, "invalid_request_error", "body");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Another_media_type_is_415(string mediaType)
    {
        using var http = TestServers.Http(_holder.Server);

        using var response = await http.PostJsonAsync("v1/chat/completions", $$$"""{"model":"gpt-4o","messages":[{{{User}}}]}""", mediaType);

        await ErrorJson.AssertOpenAIAsync(response, 415, "invalid_request_error", code: "unsupported_media_type");
    }

    [Fact]
    public async Task An_unknown_v1_endpoint_is_404_in_the_wire_error_shape()
    {
        using var http = TestServers.Http(_holder.Server);

        using var response = await http.PostJsonAsync("v1/embeddings", """{"model":"text-embedding-3-small","input":"x"}""");

        var error = await ErrorJson.AssertOpenAIAsync(response, 404, "invalid_request_error");
        Assert.Contains("/v1/embeddings", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_model_is_404_model_not_found()
    {
        using var http = TestServers.Http(_holder.Server);

        using var response = await http.PostJsonAsync("v1/chat/completions", $$$"""{"model":"nonexistent-9","messages":[{{{User}}}]}""");

        var error = await ErrorJson.AssertOpenAIAsync(response, 404, "invalid_request_error", "model", "model_not_found");
        Assert.Contains("nonexistent-9", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}

internal sealed record GatewayServerHolder(CompanyOs.Server.Hosting.GatewayServer Server);
