using CompanyOs.Emulator;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Providers.Anthropic;
using CompanyOs.Llm.Tokens;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Providers;

public class AnthropicTokenCounterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ProviderOptions Provider(Uri baseUrl) => new()
    {
        Name = "anthropic",
        Kind = ProviderKind.Anthropic,
        ApiKey = "sk-ant-test",
        BaseUrl = baseUrl,
        DefaultModel = "claude-3.5-sonnet",
        Timeout = TimeSpan.FromSeconds(5),
    };

    private static List<ChatMessage> Conversation() =>
    [
        new(ChatRole.System, "You are a weather bot."),
        new(ChatRole.User, "Weather in Paris?"),
        new(ChatRole.Assistant, [new FunctionCallContent("toolu_01", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
        new(ChatRole.Tool, [new FunctionResultContent("toolu_01", "sunny")]),
    ];

    [Fact]
    public async Task Count_tokens_endpoint_gives_an_exact_count_of_the_whole_request()
    {
        await using var emulator = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var counter = new AnthropicTokenCounter(Provider(emulator.BaseUri));
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string city) => city, "get_weather", "Weather for a city")] };

        var count = await counter.CountPromptTokensAsync(Conversation(), options, Ct);

        Assert.Equal(TokenCountAccuracy.Exact, count.Accuracy);
        Assert.Equal(AnthropicTokenCounter.Method, count.Method);
        Assert.True(count.Tokens > 10);
        var body = emulator.Requests.Single(r => r.Route == EmulatorRoute.AnthropicCountTokens).Body;
        Assert.Contains("claude-3-5-sonnet-20241022", body, StringComparison.Ordinal);
        Assert.Contains("\"tool_use_id\":\"toolu_01\"", body, StringComparison.Ordinal);
        Assert.Contains("You are a weather bot.", body, StringComparison.Ordinal);
        Assert.Contains("get_weather", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_endpoint_falls_back_to_a_labelled_estimate()
    {
        var emulator = await EmulatorServer.StartAsync(cancellationToken: Ct);
        var gone = emulator.BaseUri;
        await emulator.DisposeAsync();
        using var counter = new AnthropicTokenCounter(Provider(gone));

        var count = await counter.CountPromptTokensAsync(Conversation(), cancellationToken: Ct);

        Assert.True(count.IsEstimate);
        Assert.Equal(new TiktokenTokenCounter().EstimatePromptTokens(Conversation()), count.Tokens);
    }
}
