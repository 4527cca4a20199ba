using System.Text.Json;
using CompanyOs.Llm.Tokens;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Tokens;

public class TiktokenTokenCounterTests
{
    private readonly TiktokenTokenCounter _sut = new();

    [Fact]
    public void Gpt4o_family_uses_o200k_exactly()
    {
        var count = _sut.CountText("Hello, world!", "gpt-4o");

        Assert.Equal(new TokenCount(4, TokenCountAccuracy.Exact, "o200k_base"), count);
    }

    [Fact]
    public void Older_gpt4_uses_cl100k()
    {
        var text = "tokenization differs between encodings: Ελληνικά and 日本語";

        var cl100k = _sut.CountText(text, "gpt-4");
        var o200k = _sut.CountText(text, "gpt-4o");

        Assert.Equal("cl100k_base", cl100k.Method);
        Assert.Equal(TokenCountAccuracy.Exact, cl100k.Accuracy);
        Assert.NotEqual(cl100k.Tokens, o200k.Tokens);
    }

    [Theory]
    [InlineData("claude-3.5-sonnet")]
    [InlineData("llama3.1:8b")]
    [InlineData(null)]
    public void Other_models_are_labelled_estimates(string? model)
    {
        var count = _sut.CountText("Some text to count.", model);

        Assert.True(count.IsEstimate);
        Assert.True(count.Tokens > 0);
    }

    [Fact]
    public void Prompt_estimate_grows_with_history_tools_and_results()
    {
        var options = new ChatOptions { ModelId = "gpt-4o" };
        List<ChatMessage> messages = [new(ChatRole.User, "What's the weather in Paris?")];
        var plain = _sut.EstimatePromptTokens(messages, options);

        options.Instructions = "You are a weather assistant.";
        options.Tools = [AIFunctionFactory.Create((string city) => "sunny", "get_weather", "Gets the weather for a city")];
        var withTools = _sut.EstimatePromptTokens(messages, options);

        messages.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]));
        messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", JsonSerializer.SerializeToElement(new { temp = 21, sky = "sunny" }))]));
        var withResults = _sut.EstimatePromptTokens(messages, options);

        var userTokens = _sut.CountText("What's the weather in Paris?", "gpt-4o").Tokens;
        Assert.True(plain > userTokens, $"framing must be counted: {plain} vs {userTokens}");
        Assert.True(withTools > plain + 10, $"{withTools} vs {plain}");
        Assert.True(withResults > withTools + 10, $"{withResults} vs {withTools}");
    }

    [Fact]
    public async Task Prompt_count_is_labelled_an_estimate()
    {
        var count = await _sut.CountPromptTokensAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "gpt-4o" }, TestContext.Current.CancellationToken);

        Assert.True(count.IsEstimate);
        Assert.Equal(_sut.EstimatePromptTokens([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "gpt-4o" }), count.Tokens);
    }
}
