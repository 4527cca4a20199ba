using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using CompanyOs.Agents.Journal;
using CompanyOs.Cli.Errors;
using CompanyOs.Cli.Hosting;
using CompanyOs.Cli.Runs;

namespace CompanyOs.Cli.Commands.Runs;

/// <summary><c>companyos stats</c>: spend and tokens of the stored runs' LLM calls, grouped by provider/model, agent, org or day.</summary>
internal static class StatsCommand
{
    private static readonly string[] Dimensions = ["model", "provider", "agent", "org", "day"];

    public static Command Create(CliEnvironment environment)
    {
        var by = new Option<string>("--by")
        {
            Description = $"Group by {string.Join(", ", Dimensions)} (model = provider/model).",
            DefaultValueFactory = _ => "model",
        };
        var org = new Option<string?>("--org") { Description = "Only runs of this organisation." };
        var db = new Option<string?>("--db") { Description = $"SQLite event store file (default: as for `runs`)." };
        var json = new Option<bool>("--json") { Description = "One JSON array of groups." };
        var command = new Command("stats", "Spend and tokens of every LLM call in the store, by provider/model, agent, org or day (UTC).") { by, org, db, json };
        command.SetAction((parse, ct) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var dimension = parse.GetValue(by)!.Trim().ToLowerInvariant();
            if (!Dimensions.Contains(dimension))
            {
                throw new CliUsageException($"--by '{parse.GetValue(by)}' is not valid; expected one of {string.Join(", ", Dimensions)}.");
            }

            var path = CompanyOsPaths.ResolveDatabase(parse.GetValue(db), environment);
            EventStoreFile.RejectDirectory(path);
            var output = parse.InvocationConfiguration.Output;
            var calls = new List<(string Key, string RunId, LlmCallCompleted Call)>();
            if (File.Exists(path))
            {
                await using var reader = await RunReader.OpenAsync(path, ct).ConfigureAwait(false);
                foreach (var run in await reader.ListAsync(parse.GetValue(org), ct).ConfigureAwait(false))
                {
                    var (_, steps) = await reader.ReadAsync(run.RunId, ct).ConfigureAwait(false);
                    foreach (var call in steps.Select(s => s.Event).OfType<LlmCallCompleted>())
                    {
                        var key = dimension switch
                        {
                            "provider" => call.Provider ?? "?",
                            "agent" => run.Start?.AgentType ?? "?",
                            "org" => run.OrgId ?? "-",
                            "day" => call.At.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                            _ => $"{call.Provider ?? "?"}/{call.Model ?? "?"}",
                        };
                        calls.Add((key, run.RunId, call));
                    }
                }
            }

            var groups = calls.GroupBy(c => c.Key).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => Group(g.Key, [.. g])).Append(Group("total", calls)).ToList();
            if (parse.GetValue(json))
            {
                var array = new JsonArray([.. groups.SkipLast(1).Select(g => (JsonNode?)new JsonObject
                {
                    [dimension] = g.Key,
                    ["runs"] = g.Runs,
                    ["llm_calls"] = g.Calls,
                    ["input_tokens"] = g.Input,
                    ["output_tokens"] = g.Output,
                    ["cost_usd"] = g.Cost,
                    ["cost_incomplete"] = g.Unpriced > 0,
                })]);
                await output.WriteLineAsync(array.ToJsonString(RunJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            if (calls.Count == 0)
            {
                await output.WriteLineAsync($"no LLM calls in {path}.").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            string[] header = [dimension, "runs", "calls", "input", "output", "cost $"];
            var rows = groups.Select(g => new[]
            {
                g.Key, Text(g.Runs), Text(g.Calls), Text(g.Input), Text(g.Output),
                g.Cost.ToString("0.000000", CultureInfo.InvariantCulture) + (g.Unpriced > 0 ? $" (+{g.Unpriced} unpriced)" : string.Empty),
            }).ToList();
            var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
            foreach (var row in rows.Prepend(header))
            {
                await output.WriteLineAsync(string.Join("  ", row.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i])))).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static StatsGroup Group(string key, List<(string Key, string RunId, LlmCallCompleted Call)> calls) => new(
        key,
        calls.Select(c => c.RunId).Distinct(StringComparer.Ordinal).Count(),
        calls.Count,
        calls.Sum(c => c.Call.InputTokens),
        calls.Sum(c => c.Call.OutputTokens),
        calls.Sum(c => c.Call.CostUsd ?? 0m),
        calls.Count(c => c.Call.CostUsd is null));

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record StatsGroup(string Key, int Runs, int Calls, long Input, long Output, decimal Cost, int Unpriced);
}
