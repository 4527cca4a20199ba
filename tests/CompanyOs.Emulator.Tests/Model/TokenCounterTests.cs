using CompanyOs.Emulator.Model;
using Microsoft.ML.Tokenizers;

namespace CompanyOs.Emulator.Tests.Model;

/// <summary>
/// The emulator's usage figures must not depend on what it counted before: one long-lived
/// <c>Microsoft.ML.Tokenizers</c> tokenizer instance (2.0.1), after counting texts with pieces such as "&lt;|" and "|&gt;",
/// counted the special-token sample below as 42 tokens instead of 30.
/// </summary>
public class TokenCounterTests
{
    private const string SpecialTokens =
        "special tokens <|endoftext|> inside <|endofprompt|> text <|fim_prefix|><|fim_middle|><|fim_suffix|> and <|unknown|>";

    [Fact]
    public void Special_tokens_count_the_same_after_many_varied_texts()
    {
        var counter = new TokenCounter();
        var reference = TiktokenTokenizer.CreateForModel("gpt-4o").CountTokens(SpecialTokens); // a fresh instance: 30
        var before = counter.Count(SpecialTokens);

        foreach (var text in RandomTexts.Mixed(seed: 17, count: 3_000))
        {
            counter.Count(text);
        }

        Assert.Equal(30, reference);
        Assert.Equal(reference, before);
        Assert.Equal(reference, counter.Count(SpecialTokens));
    }

    [Theory]
    [InlineData("one two three four five six", 3, "one two three")]
    [InlineData("one two three four five six", 0, "")]
    [InlineData("one two three", 3, "one two three")]
    [InlineData("one two three", 50, "one two three")]
    [InlineData("", 2, "")]
    public void Truncate_keeps_the_longest_prefix_within_the_limit(string text, int max, string expected)
    {
        var counter = new TokenCounter();

        Assert.Equal(expected, counter.Truncate(text, max));
    }
}
