using System.Net;
using System.Text.Json;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Emulator.Tests.Infrastructure;
using OllamaSharp;

namespace CompanyOs.Emulator.Tests.Ollama;

/// <summary>Ollama wire shapes over plain HTTP, and OllamaSharp's own API.</summary>
public sealed class OllamaWireTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Chat_streams_ndjson_by_default_ending_with_done_and_counts()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        server.Script.Enqueue(ScriptedTurn.Text("one two"));

        var response = await http.PostAsync("api/chat", """{"model":"llama3.2","messages":[{"role":"user","content":"hi"}]}""", Ct);

        Assert.Equal("application/x-ndjson", response.Headers["content-type"]);
        var lines = response.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.Equal(["one ", "two"], lines[..2].Select(l => l.GetProperty("message").GetProperty("content").GetString()));
        Assert.All(lines[..2], l => Assert.False(l.GetProperty("done").GetBoolean()));
        var last = lines[^1];
        Assert.True(last.GetProperty("done").GetBoolean());
        Assert.Equal("stop", last.GetProperty("done_reason").GetString());
        Assert.True(last.GetProperty("prompt_eval_count").GetInt32() > 0);
        Assert.Equal(2, last.GetProperty("eval_count").GetInt32());
        Assert.True(last.GetProperty("total_duration").GetInt64() > 0);
        Assert.All(lines, l => Assert.Equal("llama3.2", l.GetProperty("model").GetString()));
    }

    [Fact]
    public async Task Chat_with_stream_false_returns_one_object_with_tool_calls()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var response = await http.PostAsync("api/chat",
            """{"model":"llama3.2","stream":false,"messages":[{"role":"user","content":"weather in Paris"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]}""", Ct);

        var json = response.Json;
        Assert.True(json.GetProperty("done").GetBoolean());
        var call = json.GetProperty("message").GetProperty("tool_calls")[0];
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("weather in Paris", call.GetProperty("function").GetProperty("arguments").GetProperty("city").GetString());
    }

    [Fact]
    public async Task Tool_results_by_tool_name_produce_the_final_answer()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var response = await http.PostAsync("api/chat",
            """{"model":"llama3.2","stream":false,"messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}}]},{"role":"tool","tool_name":"get_weather","content":"sunny"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}""", Ct);

        Assert.Contains("get_weather returned \"sunny\"", response.Json.GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"llama3.2","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function"}]}""", "tools[0].function is required")]
    [InlineData("""{"model":"llama3.2","messages":[{"role":"user","content":"hi"}],"tools":["get_weather"]}""", "tools[0]: expected an object, got a string.")]
    [InlineData("""{"model":"llama3.2","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"","tool_calls":[{"id":"c"}]}]}""", "messages[1].tool_calls[0].function is required")]
    public async Task Bad_tool_entries_get_400_naming_the_entry(string body, string message)
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var response = await http.PostAsync("api/chat", body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(message, response.Json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Errors_use_the_ollama_error_shape()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);

        var missingModel = await http.PostAsync("api/chat", """{"messages":[]}""", Ct);
        var fault = await http.PostAsync("api/chat", """{"model":"llama3.2","messages":[]}""", Ct, ("x-emulator-fault", "503"));

        Assert.Equal(HttpStatusCode.BadRequest, missingModel.Status);
        Assert.Equal("model is required", missingModel.Json.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, fault.Status);
        Assert.Equal(JsonValueKind.String, fault.Json.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task OllamaSharp_lists_the_configured_models()
    {
        var options = new EmulatorOptions();
        options.Models.Add("qwen2.5:7b");
        await using var server = await EmulatorServer.StartAsync(options, Ct);
        using var ollama = new OllamaApiClient(server.BaseUri);

        var models = (await ollama.ListLocalModelsAsync(Ct)).ToArray();

        Assert.Contains(models, m => m.Name == "llama3.2:latest");
        Assert.Contains(models, m => m.Name == "qwen2.5:7b");
        Assert.Equal(1, server.RequestCount(EmulatorRoute.OllamaTags));
    }
}
