using System.Text;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Costs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace CompanyOs.Llm.Tests.Gateway.Costs;

public sealed class CostCalculatorTests
{
    private static readonly PriceTable Prices = PriceTable.LoadDefault();
    private static readonly UsageDetails OneMillionEach = new() { InputTokenCount = 1_000_000, OutputTokenCount = 1_000_000 };

    [Fact]
    public void Gpt4o_and_gpt4o_mini_have_their_own_prices()
    {
        var sut = new CostCalculator(Prices);

        Assert.Equal(12.50m, sut.Compute(ProviderKind.OpenAI, "gpt-4o", "gpt-4o", OneMillionEach));
        Assert.Equal(0.75m, sut.Compute(ProviderKind.OpenAI, "gpt-4o-mini", "gpt-4o-mini", OneMillionEach));
        Assert.Equal(0.75m, sut.Compute(ProviderKind.OpenAI, "gpt-4o-mini-2024-07-18", "gpt-4o-mini", OneMillionEach));
        Assert.Equal(20.00m, sut.Compute(ProviderKind.OpenAI, "gpt-4o-2024-05-13", "gpt-4o", OneMillionEach));
    }

    [Theory]
    [InlineData("claude-3-5-sonnet-20241022", 18.00)]
    [InlineData("claude-3-5-sonnet-latest", 18.00)]
    [InlineData("claude-opus-4-20250514", 90.00)]
    [InlineData("claude-opus-4-0", 90.00)]
    [InlineData("claude-3-5-haiku-20241022", 4.80)]
    [InlineData("claude-haiku-4-5-20251001", 6.00)]
    [InlineData("claude-3-7-sonnet-20250219", 18.00)]
    [InlineData("o4-mini", 5.50)]
    [InlineData("gpt-4.1-nano", 0.50)]
    public void Dated_ids_and_aliases_are_priced_exactly(string model, double expected)
    {
        var sut = new CostCalculator(Prices);

        Assert.Equal((decimal)expected, sut.Compute(ProviderKind.Anthropic, model, model, OneMillionEach));
    }

    [Fact]
    public void Cache_reads_and_writes_are_priced_separately_from_uncached_input()
    {
        var sut = new CostCalculator(Prices);
        var usage = new UsageDetails
        {
            InputTokenCount = 10_000, // total: 2,000 uncached + 5,000 cache read + 3,000 cache write
            CachedInputTokenCount = 5_000,
            OutputTokenCount = 1_000,
            AdditionalCounts = new() { [UsageKeys.CacheWriteInputTokens] = 3_000 },
        };

        // claude-3-5-sonnet: input 3, cache read 0.30, cache write 3.75, output 15 (USD per 1M)
        var expected = ((2_000 * 3m) + (5_000 * 0.30m) + (3_000 * 3.75m) + (1_000 * 15m)) / 1_000_000m;
        Assert.Equal(expected, sut.Compute(ProviderKind.Anthropic, "claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20241022", usage));

        // OpenAI has no cache-write surcharge: writes cost the input price.
        var openAi = ((2_000 * 2.50m) + (5_000 * 1.25m) + (3_000 * 2.50m) + (1_000 * 10m)) / 1_000_000m;
        Assert.Equal(openAi, sut.Compute(ProviderKind.OpenAI, "gpt-4o-2024-08-06", "gpt-4o", usage));
    }

    [Fact]
    public void Unknown_model_costs_null_and_is_logged_once()
    {
        var logs = new FakeLogCollector();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        var sut = new CostCalculator(Prices, factory.CreateLogger<CostCalculator>());

        Assert.Null(sut.Compute(ProviderKind.OpenAI, "gpt-4o-super", "gpt-4o-super", OneMillionEach));
        Assert.Null(sut.Compute(ProviderKind.OpenAI, "gpt-4o-super", "gpt-4o-super", OneMillionEach));

        var warning = Assert.Single(logs.GetSnapshot());
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("gpt-4o-super", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_substring_or_prefix_matching()
    {
        var sut = new CostCalculator(Prices);

        Assert.Null(sut.Compute(ProviderKind.OpenAI, "gpt-4o-mini-tts", "gpt-4o-mini-tts", OneMillionEach));
        Assert.Null(sut.Compute(ProviderKind.Anthropic, "claude-3-5-sonnet", "claude-3-5-sonnet", OneMillionEach));
        Assert.Null(sut.Compute(ProviderKind.OpenAI, "GPT-4O", "GPT-4O", OneMillionEach));
    }

    [Fact]
    public void Ollama_is_free_by_provider_kind_whatever_the_model()
    {
        var sut = new CostCalculator(Prices);

        Assert.Equal(0m, sut.Compute(ProviderKind.Ollama, "llama3.1:8b", "llama3.1:8b", OneMillionEach));
        Assert.Equal(0m, sut.Compute(ProviderKind.Ollama, "anything-at-all", "anything-at-all", OneMillionEach));
    }

    [Fact]
    public void Answered_model_wins_over_requested_model()
    {
        var sut = new CostCalculator(Prices);

        Assert.Equal(20.00m, sut.Compute(ProviderKind.OpenAI, "gpt-4o-2024-05-13", "gpt-4o", OneMillionEach));
        Assert.Equal(12.50m, sut.Compute(ProviderKind.OpenAI, "gpt-4o-unreleased-snapshot", "gpt-4o", OneMillionEach));
    }

    [Fact]
    public void Overrides_replace_and_add_prices()
    {
        var table = Prices.WithOverrides(new Dictionary<string, ModelPrice>
        {
            ["gpt-4o-mini-2024-07-18"] = new() { Input = 1m, Output = 2m },
            ["my-finetune"] = new() { Input = 4m, Output = 8m },
        });
        var sut = new CostCalculator(table);

        Assert.Equal(3m, sut.Compute(ProviderKind.OpenAI, "gpt-4o-mini", "gpt-4o-mini", OneMillionEach));
        Assert.Equal(12m, sut.Compute(ProviderKind.OpenAI, "my-finetune", "my-finetune", OneMillionEach));
        Assert.Equal(12.50m, sut.Compute(ProviderKind.OpenAI, "gpt-4o", "gpt-4o", OneMillionEach));
    }

    [Theory]
    [InlineData("""{"models": {"m": {"input": -1, "output": 1}}}""", "models.m.input")]
    [InlineData("""{"models": {"m": {"output": 1}}}""", "models.m.input")]
    [InlineData("""{"models": {"m": {"input": 1, "output": 1}}, "aliases": {"x": "nope"}}""", "aliases.x")]
    [InlineData("""{"models": {"m": {"input": 1, "output": 1, "provider": "acme"}}}""", "models.m.provider")]
    [InlineData("""{"models": {"m": {"input": "1", "output": 1}}}""", "models.m.input")]
    [InlineData("""not json""", "")]
    public void Bad_price_files_name_the_key(string json, string key)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));

        var error = Assert.Throws<ConfigurationException>(() => PriceTable.Load(stream, "prices.json"));

        Assert.Equal(("prices.json", key), (error.File, error.KeyPath));
    }

    [Fact]
    public void Shipped_table_covers_the_required_families()
    {
        foreach (var model in new[] { "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o1", "o3", "o3-mini", "o4-mini", "claude-3-haiku-20240307",
                     "claude-3-opus-20240229", "claude-3-5-sonnet-20241022", "claude-3-7-sonnet-20250219", "claude-sonnet-4-20250514", "claude-opus-4-20250514" })
        {
            Assert.True(Prices.TryGetPrice(model, out _), model);
        }
    }
}
