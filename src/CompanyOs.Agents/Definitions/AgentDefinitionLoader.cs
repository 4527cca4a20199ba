using System.Globalization;
using System.Text.RegularExpressions;
using CompanyOs.Llm.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Agents.Definitions;

/// <summary>
/// Parses and validates agent definitions (<c>config/agents/*.yaml</c>). Every problem is a
/// <see cref="ConfigurationException"/> naming the file, the key and what is wrong; unknown keys are errors (typos).
/// </summary>
public static partial class AgentDefinitionLoader
{
    private static readonly HashSet<string> KnownKeys =
    [
        "type", "description", "persona_prompt", "persona_prompt_version", "model", "tools", "autonomy", "max_iterations",
        "temperature", "max_output_tokens", "max_parallel_tools", "memory_items", "approval_timeout_minutes", "budget",
    ];

    /// <summary>Loads every <c>*.yaml</c>/<c>*.yml</c> file of <paramref name="directory"/>; agent types must be unique.</summary>
    public static IReadOnlyDictionary<string, AgentDefinition> LoadDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new ConfigurationException(directory, string.Empty, "the agent definitions directory does not exist");
        }

        var result = new Dictionary<string, AgentDefinition>(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(directory, "*.yaml").Concat(Directory.EnumerateFiles(directory, "*.yml"))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var definition = LoadFile(file);
            if (result.TryGetValue(definition.Type, out var existing))
            {
                throw new ConfigurationException(file, "type", $"agent type '{definition.Type}' is already defined in {existing.SourceFile}");
            }

            result[definition.Type] = definition;
        }

        return result;
    }

    public static AgentDefinition LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            throw new ConfigurationException(path, string.Empty, $"cannot read the file: {ex.Message}", ex);
        }

        return Parse(text, path);
    }

    /// <summary>Parses one definition from YAML text; <paramref name="sourceFile"/> is used in error messages.</summary>
    public static AgentDefinition Parse(string yaml, string sourceFile)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrEmpty(sourceFile);
        var root = ReadRoot(yaml, sourceFile);
        var reader = new YamlMapReader(root, sourceFile, string.Empty);
        foreach (var key in reader.Keys)
        {
            if (!KnownKeys.Contains(key))
            {
                throw reader.Error(key, $"unknown key (known keys: {string.Join(", ", KnownKeys.Order(StringComparer.Ordinal))})");
            }
        }

        var type = reader.RequiredString("type");
        if (!NamePattern().IsMatch(type))
        {
            throw reader.Error("type", $"'{type}' is not a valid agent type (lowercase letters, digits, '_' and '-', starting with a letter)");
        }

        var persona = reader.RequiredString("persona_prompt");
        if (!PromptRefPattern().IsMatch(persona))
        {
            throw reader.Error("persona_prompt", $"'{persona}' is not a prompt reference of the form 'agent/name'");
        }

        return new AgentDefinition
        {
            Type = type,
            Description = reader.OptionalString("description"),
            PersonaPrompt = persona,
            PersonaPromptVersion = reader.OptionalString("persona_prompt_version"),
            Model = reader.OptionalString("model"),
            Tools = ReadTools(reader),
            Autonomy = ReadAutonomy(reader),
            MaxIterations = reader.OptionalInt("max_iterations", 1, 1000) ?? 10,
            Temperature = reader.OptionalDouble("temperature", 0, 2),
            MaxOutputTokens = reader.OptionalInt("max_output_tokens", 1, 1_000_000),
            MaxParallelTools = reader.OptionalInt("max_parallel_tools", 1, 64) ?? 4,
            MemoryItems = reader.OptionalInt("memory_items", 0, 100) ?? 5,
            ApprovalTimeout = reader.OptionalInt("approval_timeout_minutes", 1, 525_600) is { } minutes ? TimeSpan.FromMinutes(minutes) : null,
            Budget = ReadBudget(reader),
            SourceFile = sourceFile,
        };
    }

    private static YamlMappingNode ReadRoot(string yaml, string sourceFile)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ConfigurationException(sourceFile, string.Empty, $"invalid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}", ex);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigurationException(sourceFile, string.Empty, "expected a mapping of keys (type, persona_prompt, tools, ...)");
        }

        return root;
    }

    private static List<string> ReadTools(YamlMapReader reader)
    {
        var tools = reader.OptionalStringList("tools");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tools.Count; i++)
        {
            if (!ToolNamePattern().IsMatch(tools[i]))
            {
                throw reader.Error($"tools[{i}]", $"'{tools[i]}' is not a valid tool name");
            }

            if (!seen.Add(tools[i]))
            {
                throw reader.Error($"tools[{i}]", $"tool '{tools[i]}' is listed twice");
            }
        }

        return tools;
    }

    private static AutonomyLevel ReadAutonomy(YamlMapReader reader) => reader.OptionalString("autonomy") switch
    {
        null => AutonomyLevel.Supervised,
        "manual" => AutonomyLevel.Manual,
        "supervised" => AutonomyLevel.Supervised,
        "autonomous" => AutonomyLevel.Autonomous,
        var other => throw reader.Error("autonomy", $"'{other}' is not one of manual, supervised, autonomous"),
    };

    private static AgentBudget ReadBudget(YamlMapReader reader)
    {
        var budget = reader.OptionalMap("budget");
        if (budget is null)
        {
            return AgentBudget.Unlimited;
        }

        foreach (var key in budget.Keys)
        {
            if (key is not ("usd" or "tokens"))
            {
                throw budget.Error(key, "unknown key (known keys: usd, tokens)");
            }
        }

        var usd = budget.OptionalDouble("usd", 0, 1_000_000);
        return new AgentBudget(
            usd is null ? null : decimal.Parse(usd.Value.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
            budget.OptionalInt("tokens", 1, int.MaxValue));
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9_-]+/[A-Za-z0-9_.-]+$")]
    private static partial Regex PromptRefPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ToolNamePattern();
}
