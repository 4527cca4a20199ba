using CompanyOs.Prompts.Versioning;

namespace CompanyOs.Prompts.Tests.Versioning;

public sealed class PromptVersionTests
{
    [Theory]
    [InlineData("1.9", "1.10")]
    [InlineData("1.0", "2")]
    [InlineData("2.0-beta", "2.0")]
    [InlineData("2.0-alpha", "2.0-beta")]
    [InlineData("2.0-beta.2", "2.0-beta.10")]
    [InlineData("1.2.3", "1.2.10")]
    [InlineData("0.9", "1.0-rc.1")]
    public void Orders_semantically_not_as_strings(string lower, string higher)
    {
        Assert.True(PromptVersion.Parse(lower) < PromptVersion.Parse(higher));
        Assert.True(PromptVersion.Parse(higher) > PromptVersion.Parse(lower));
    }

    [Theory]
    [InlineData("1", "1.0")]
    [InlineData("1.0", "1.0.0")]
    [InlineData("2.0-RC", "2.0-rc")]
    public void Missing_parts_count_as_zero(string a, string b)
    {
        Assert.Equal(PromptVersion.Parse(a), PromptVersion.Parse(b));
        Assert.Equal(PromptVersion.Parse(a).GetHashCode(), PromptVersion.Parse(b).GetHashCode());
    }

    [Theory]
    [InlineData("")]
    [InlineData("one")]
    [InlineData("1..2")]
    [InlineData("v1")]
    [InlineData("1.2-")]
    [InlineData("-1")]
    [InlineData("1.2.3.4.5")]
    public void Rejects_non_versions(string text) => Assert.False(PromptVersion.TryParse(text, out _));

    [Fact]
    public void Keeps_the_text_as_written() => Assert.Equal("1.10", PromptVersion.Parse("1.10").ToString());
}
