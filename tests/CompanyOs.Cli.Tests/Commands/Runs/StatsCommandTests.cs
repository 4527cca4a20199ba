using System.Text.Json;

namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary><c>companyos stats</c>: sums of the stored LLM calls, checked against the events themselves.</summary>
public sealed class StatsCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private async Task<List<JsonElement>> CallsAsync(string runId) =>
        [.. (await _cli.EventsAsync(runId)).Where(e => e.Type == "LlmCallCompleted").Select(e => e.Data)];

    [Fact]
    public async Task Stats_sum_the_stored_calls_by_model_org_agent_and_day()
    {
        var researched = (await _cli.Cli("run", "researcher", "Use read_file on README.md", "--org", "acme")).RunId;
        var sketched = (await _cli.Cli("run", "architect", "Sketch a cache")).RunId;
        var researchCalls = await CallsAsync(researched);
        var sketchCalls = await CallsAsync(sketched);

        var byModel = await _cli.Cli("stats", "--json");
        var byOrg = await _cli.Cli("stats", "--by", "org", "--json");
        var byDay = await _cli.Cli("stats", "--by", "day", "--json");
        var table = await _cli.Cli("stats", "--by", "agent");

        Assert.True(byModel.Exit == ExitCodes.Success, byModel.All);
        var models = JsonDocument.Parse(byModel.Out).RootElement.EnumerateArray().ToDictionary(g => g.GetProperty("model").GetString()!);
        var researchModel = $"{researchCalls[0].GetProperty("provider").GetString()}/{researchCalls[0].GetProperty("model").GetString()}";
        Assert.Equal(researchCalls.Sum(c => c.GetProperty("cost_usd").GetDecimal()), models[researchModel].GetProperty("cost_usd").GetDecimal());
        Assert.Equal(researchCalls.Sum(c => c.GetProperty("input_tokens").GetInt64()), models[researchModel].GetProperty("input_tokens").GetInt64());
        Assert.Equal(researchCalls.Count, models[researchModel].GetProperty("llm_calls").GetInt32());

        var orgs = JsonDocument.Parse(byOrg.Out).RootElement.EnumerateArray().ToDictionary(g => g.GetProperty("org").GetString()!);
        Assert.Equal(["-", "acme"], orgs.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(sketchCalls.Sum(c => c.GetProperty("output_tokens").GetInt64()), orgs["-"].GetProperty("output_tokens").GetInt64());

        var day = Assert.Single(JsonDocument.Parse(byDay.Out).RootElement.EnumerateArray());
        Assert.Equal(researchCalls[0].GetProperty("at").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), day.GetProperty("day").GetString());
        Assert.Equal(2, day.GetProperty("runs").GetInt32());

        Assert.Matches(@"(?m)^architect\s+1\s+\d+\s+\d+\s+\d+\s+0\.\d{6}$", table.Out);
        Assert.Matches(@"(?m)^total\s+2\s+", table.Out);
    }

    [Fact]
    public async Task Stats_of_an_empty_store_and_a_bad_dimension_say_so()
    {
        var empty = await _cli.Cli("stats");
        var bad = await _cli.Cli("stats", "--by", "week");

        Assert.Equal(ExitCodes.Success, empty.Exit);
        Assert.Contains($"no LLM calls in {_cli.Database}.", empty.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, bad.Exit);
        Assert.Equal("error: --by 'week' is not valid; expected one of model, provider, agent, org, day.", bad.Err.Trim());
    }

    [Fact]
    public async Task Stats_works_as_a_process()
    {
        await _cli.Cli("run", "architect", "Sketch a cache");

        var stats = await CliProcess.RunAsync(_cli.WorkingDirectory, TimeSpan.FromSeconds(60), "stats", "--by", "provider", "--db", _cli.Database);

        Assert.True(stats.Exit == ExitCodes.Success, stats.All);
        Assert.Matches(@"(?m)^anthropic\s+1\s+", stats.Out);
    }
}
