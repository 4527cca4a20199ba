using CompanyOs.Emulator.Scripting;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Providers;

/// <summary>Tool calls and results round-tripping through history, two calls in one assistant turn.</summary>
public abstract class ProviderToolConformanceTests : ProviderConformanceTests
{
    private static readonly AIFunction Weather = AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather", "Current weather for a city");
    private static readonly AIFunction Time = AIFunctionFactory.Create((string zone) => $"10:00 {zone}", "get_time", "Current time in a zone");

    /// <summary>True when the wire format carries tool-call ids (OpenAI, Anthropic); Ollama pairs results by order and name.</summary>
    protected virtual bool WireCarriesCallIds => true;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_parallel_tool_calls_round_trip_to_a_final_answer(bool streaming)
    {
        Emulator.Script.Enqueue(
            ScriptedTurn.ToolCalls(("get_weather", """{"city":"Paris"}"""), ("get_time", """{"zone":"CET"}""")),
            ScriptedTurn.Text("Paris: sunny, 10:00."));
        var options = new ChatOptions { Tools = [Weather, Time] };
        List<ChatMessage> history = [new(ChatRole.User, "Weather and time in Paris?")];

        var first = await Ask(history, options, streaming);

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var assistant = Assert.Single(first.Messages, m => m.Contents.OfType<FunctionCallContent>().Any());
        var calls = assistant.Contents.OfType<FunctionCallContent>().ToList();
        Assert.Equal(["get_weather", "get_time"], calls.Select(c => c.Name));
        Assert.Equal("Paris", calls[0].Arguments!["city"]?.ToString());
        Assert.Equal("CET", calls[1].Arguments!["zone"]?.ToString());
        Assert.All(calls, c => Assert.False(string.IsNullOrEmpty(c.CallId)));
        Assert.NotEqual(calls[0].CallId, calls[1].CallId);

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool,
        [
            new FunctionResultContent(calls[0].CallId, "weather-result-sunny"),
            new FunctionResultContent(calls[1].CallId, "time-result-1000"),
        ]));
        var final = await Ask(history, options, streaming);

        Assert.Equal("Paris: sunny, 10:00.", final.Text);
        Assert.Equal(ChatFinishReason.Stop, final.FinishReason);
        var body = LastChatBody();
        Assert.Contains("weather-result-sunny", body, StringComparison.Ordinal);
        Assert.Contains("time-result-1000", body, StringComparison.Ordinal);
        if (WireCarriesCallIds)
        {
            Assert.Contains(calls[0].CallId, body, StringComparison.Ordinal);
            Assert.Contains(calls[1].CallId, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Default_model_calls_offered_tools_then_answers_from_results()
    {
        var options = new ChatOptions { Tools = [Weather] };
        List<ChatMessage> history = [new(ChatRole.User, "What's the weather in Oslo?")];

        var first = await Client.GetResponseAsync(history, options, Ct);
        var call = Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "cloudy")]));
        var second = await Client.GetResponseAsync(history, options, Ct);

        Assert.Equal("get_weather", call.Name);
        Assert.Empty(second.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.False(string.IsNullOrWhiteSpace(second.Text));
    }

    private async Task<ChatResponse> Ask(List<ChatMessage> history, ChatOptions options, bool streaming) =>
        streaming
            ? await Client.GetStreamingResponseAsync(history, options, Ct).ToChatResponseAsync(Ct)
            : await Client.GetResponseAsync(history, options, Ct);
}
