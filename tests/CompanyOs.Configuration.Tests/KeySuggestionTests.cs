namespace CompanyOs.Configuration.Tests;

public sealed class KeySuggestionTests
{
    [Theory]
    [InlineData("sytem", "system")]
    [InlineData("ouput", "output")]
    [InlineData("requird", "required")]
    [InlineData("MAX_RETRIES", "max_retries")]
    [InlineData("rate_limit_rmp", "rate_limit_rpm")]
    public void Suggests_a_plausible_typo(string typo, string expected) =>
        Assert.Equal(expected, KeySuggestion.Closest(typo, ["system", "output", "required", "max_retries", "rate_limit_rpm", "user"]));

    [Fact]
    public void Suggests_nothing_for_an_unrelated_word() =>
        Assert.Null(KeySuggestion.Closest("zebra", ["system", "output"]));

    [Fact]
    public void Suggests_nothing_when_nothing_is_known() =>
        Assert.Null(KeySuggestion.Closest("system", []));

    [Theory]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("same", "same", 0)]
    public void Distance_is_levenshtein(string a, string b, int expected) =>
        Assert.Equal(expected, KeySuggestion.Distance(a, b));
}
