using CompanyOs.Llm.PassThrough;
using CompanyOs.Llm.Tokens;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Tokens;

/// <summary>
/// Messages read at the byte level: the estimate counts their texts without building them, equal to counting the built
/// messages; they are built once, on first read, and are read-only.
/// </summary>
public sealed class DeferredChatMessagesTests
{
    private static readonly TiktokenTokenCounter Counter = new();

    private static List<ChatMessage> Built() =>
    [
        new(ChatRole.System, "You are terse."),
        new(ChatRole.User, [new TextContent("What is this?"), new UriContent(new Uri("https://example.com/a.png"), "image/*"), new TextContent(" And this?")]),
        new(ChatRole.Assistant, [new TextContent("Checking."), new FunctionCallContent("call_1", "lookup", new Dictionary<string, object?> { ["q"] = "cats & dogs", ["n"] = 3 })]),
        new(ChatRole.Tool, [new FunctionResultContent("call_1", "Found 3 results — «ok»")]),
    ];

    private static PromptTexts Texts()
    {
        var prompt = new PromptTexts();
        prompt.AddMessage();
        prompt.AddText("You are terse.");
        prompt.AddMessage();
        prompt.AddText("What is this?");
        prompt.AddText(" And this?");
        prompt.AddMessage();
        prompt.AddText("Checking.");
        prompt.AddFunctionCall("call_1", "lookup", new Dictionary<string, object?> { ["q"] = "cats & dogs", ["n"] = 3 });
        prompt.AddMessage();
        prompt.AddFunctionResult("call_1", "Found 3 results — «ok»");
        return prompt;
    }

    [Fact]
    public void The_estimate_counts_the_texts_without_building_and_equals_the_built_messages_estimate()
    {
        var builds = 0;
        var deferred = new DeferredChatMessages(Texts(), () => { builds++; return Built(); });
        var options = new ChatOptions { ModelId = "gpt-4o" };

        var estimate = Counter.EstimatePromptTokens(deferred, options);

        Assert.Equal(0, builds);
        Assert.False(deferred.IsBuilt);
        Assert.Equal(4, deferred.Count);
        Assert.Equal(Counter.EstimatePromptTokens(Built(), options), estimate);
    }

    [Fact]
    public void Messages_are_built_once_on_first_read_and_are_read_only()
    {
        var builds = 0;
        var deferred = new DeferredChatMessages(Texts(), () => { builds++; return Built(); });

        Assert.Equal(ChatRole.System, deferred[0].Role);
        Assert.Equal(4, deferred.ToList().Count);
        Assert.Equal("call_1", Assert.IsType<FunctionResultContent>(deferred[3].Contents[0]).CallId);

        Assert.Equal(1, builds);
        Assert.True(deferred.IsBuilt);
        Assert.True(deferred.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => deferred.Add(new ChatMessage(ChatRole.User, "x")));
        Assert.Throws<NotSupportedException>(() => deferred.RemoveAt(0));
    }

    [Fact]
    public void A_build_that_disagrees_with_the_counted_messages_fails_loudly()
    {
        var deferred = new DeferredChatMessages(Texts(), () => [new ChatMessage(ChatRole.User, "only one")]);

        var error = Assert.Throws<InvalidOperationException>(() => deferred[0]);
        Assert.Contains("built 1 messages", error.Message, StringComparison.Ordinal);
    }
}
