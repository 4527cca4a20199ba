using CompanyOs.Agents.Definitions;
using CompanyOs.Cli.Errors;
using CompanyOs.Cli.Hosting;

namespace CompanyOs.Cli.Commands.Runs;

/// <summary>Validates what <c>run</c> is given, with messages that name the option and the bad value.</summary>
internal static class RunInputs
{
    public static string CheckTask(string? task) =>
        string.IsNullOrWhiteSpace(task) ? throw new CliUsageException("the task must not be empty.") : task;

    public static string? CheckCapability(string? capability) =>
        capability is null || !string.IsNullOrWhiteSpace(capability) ? capability?.Trim() : throw new CliUsageException("--capability must name a capability of the agent (see capabilities: in its definition).");

    public static AutonomyLevel? ParseAutonomy(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "manual" => AutonomyLevel.Manual,
        "supervised" => AutonomyLevel.Supervised,
        "autonomous" => AutonomyLevel.Autonomous,
        _ => throw new CliUsageException($"--autonomy '{value}' is not valid; expected manual, supervised or autonomous."),
    };

    /// <summary>Parses <c>--max-iterations</c>, naming the option and the value when it is not a whole number (not the .NET type).</summary>
    public static int? ParseMaxIterations(System.CommandLine.Parsing.ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"--max-iterations '{text}' is not a whole number; expected 1 to 1000.");
        return null;
    }

    public static int? CheckMaxIterations(int? value) =>
        value is null or (>= 1 and <= 1000) ? value : throw new CliUsageException($"--max-iterations {value} is out of range; expected 1 to 1000.");

    public static Dictionary<string, object?> ParseVariables(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? string.Empty : pair[..eq].Trim();
            if (eq < 0 || key.Length == 0)
            {
                throw new CliUsageException($"--var '{pair}' is not valid; expected key=value (e.g. --var audience=engineers).");
            }

            if (!result.TryAdd(key, pair[(eq + 1)..]))
            {
                throw new CliUsageException($"--var '{key}' is given twice.");
            }
        }

        return result;
    }

    public static async Task WarnAboutUnavailableToolsAsync(AgentHost host, string agentType, TextWriter error)
    {
        if (!host.Definitions.TryGetValue(agentType, out var definition))
        {
            return;
        }

        var missing = definition.Tools.Where(t => !host.Tools.TryGet(t, out _)).ToList();
        if (missing.Count > 0)
        {
            await error.WriteLineAsync(
                $"note: {string.Join(", ", missing)} not available (not enabled in {host.Paths.ToolsConfig}); the {agentType} runs without {(missing.Count == 1 ? "it" : "them")}.").ConfigureAwait(false);
        }
    }
}
