using System.Text.RegularExpressions;

namespace CompanyOs.Agents.Definitions;

/// <summary>
/// Parses and validates agent definitions (<c>config/agents/*.yaml</c>). Every problem is a
/// <see cref="ConfigurationException"/> naming the file, the key and what is wrong; unknown keys are errors (typos).
/// </summary>
public static partial class AgentDefinitionLoader
{
    private static readonly string[] KnownKeys =
    [
        "type", "description", "persona_prompt", "persona_prompt_version", "model", "tools", "autonomy", "max_iterations",
        "temperature", "max_output_tokens", "max_parallel_tools", "memory_items", "approval_timeout_minutes", "budget", "capabilities",
    ];

    /// <summary>Loads every <c>*.yaml</c>/<c>*.yml</c> file of <paramref name="directory"/>; agent types must be unique.</summary>
    /// <param name="directory">The directory of definition files.</param>
    /// <param name="environment">Environment lookup for <c>${VAR}</c>; default <see cref="ProcessEnvironment.Lookup"/>.</param>
    /// <exception cref="ConfigurationException">The directory is missing, or a file is invalid or repeats an agent type.</exception>
    public static IReadOnlyDictionary<string, AgentDefinition> LoadDirectory(string directory, Func<string, string?>? environment = null)
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
            var definition = LoadFile(file, environment);
            if (result.TryGetValue(definition.Type, out var existing))
            {
                throw new ConfigurationException(file, "type", $"agent type '{definition.Type}' is already defined in {existing.SourceFile}");
            }

            result[definition.Type] = definition;
        }

        return result;
    }

    /// <summary>Loads one definition file.</summary>
    /// <exception cref="ConfigurationException">The file cannot be read or is not a valid definition.</exception>
    public static AgentDefinition LoadFile(string path, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = ConfigFile.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, string.Empty, $"cannot read the file: {ex.Message}", ex);
        }

        return Parse(text, path, environment);
    }

    /// <summary>
    /// Parses one definition from YAML text; <paramref name="sourceFile"/> is used in error messages. Values may use
    /// <c>${VAR}</c> and <c>${VAR:-default}</c> (e.g. <c>model: ${RESEARCHER_MODEL:-openai/gpt-4o}</c>).
    /// </summary>
    /// <param name="yaml">The definition's YAML text.</param>
    /// <param name="sourceFile">The file name used in errors and recorded on the definition.</param>
    /// <param name="environment">Environment lookup for <c>${VAR}</c>; default <see cref="ProcessEnvironment.Lookup"/>.</param>
    /// <exception cref="ConfigurationException">The text is not a valid definition.</exception>
    public static AgentDefinition Parse(string yaml, string sourceFile, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrEmpty(sourceFile);
        var root = ConfigDocument.Parse(yaml, new ConfigReadContext(sourceFile, environment));
        if (!root.IsMapping)
        {
            throw root.Error("expected a mapping of keys (type, persona_prompt, tools, ...)");
        }

        root.ExpectOnlyKeys(KnownKeys);
        var typeNode = root.Child("type");
        var type = typeNode.AsRequiredString();
        if (!NamePattern().IsMatch(type))
        {
            throw typeNode.Error($"'{type}' is not a valid agent type (lowercase letters, digits, '_' and '-', starting with a letter)");
        }

        var personaNode = root.Child("persona_prompt");
        var persona = personaNode.AsRequiredString();
        if (!PromptRefPattern().IsMatch(persona))
        {
            throw personaNode.Error($"'{persona}' is not a prompt reference of the form 'agent/name'");
        }

        var temperature = root.Child("temperature").AsDecimal(0, 2);
        return new AgentDefinition
        {
            Type = type,
            Description = root.Child("description").AsString(),
            PersonaPrompt = persona,
            PersonaPromptVersion = root.Child("persona_prompt_version").AsString(),
            Model = root.Child("model").AsString(),
            Tools = ReadTools(root.Child("tools")),
            Autonomy = ReadAutonomy(root.Child("autonomy")),
            MaxIterations = root.Child("max_iterations").AsInt(1, 1000) ?? 10,
            Temperature = temperature is null ? null : (double)temperature.Value,
            MaxOutputTokens = root.Child("max_output_tokens").AsInt(1, 1_000_000),
            MaxParallelTools = root.Child("max_parallel_tools").AsInt(1, 64) ?? 4,
            MemoryItems = root.Child("memory_items").AsInt(0, 100) ?? 5,
            ApprovalTimeout = root.Child("approval_timeout_minutes").AsInt(1, 525_600) is { } minutes ? TimeSpan.FromMinutes(minutes) : null,
            Budget = ReadBudget(root.Child("budget")),
            Capabilities = ReadCapabilities(root.Child("capabilities")),
            SourceFile = sourceFile,
        };
    }

    private static List<string> ReadTools(ConfigNode node)
    {
        var tools = new List<string>();
        foreach (var item in node.Items())
        {
            var name = item.AsRequiredString();
            if (!ToolNamePattern().IsMatch(name))
            {
                throw item.Error($"'{name}' is not a valid tool name");
            }

            if (tools.Contains(name, StringComparer.Ordinal))
            {
                throw item.Error($"tool '{name}' is listed twice");
            }

            tools.Add(name);
        }

        return tools;
    }

    /// <summary><c>name: agent/prompt</c>, or <c>name: { prompt, prompt_version, model, description }</c>.</summary>
    private static Dictionary<string, AgentCapability> ReadCapabilities(ConfigNode node)
    {
        var result = new Dictionary<string, AgentCapability>(StringComparer.Ordinal);
        foreach (var (name, value) in node.Entries())
        {
            if (!NamePattern().IsMatch(name))
            {
                throw value.Error($"'{name}' is not a valid capability name (lowercase letters, digits, '_' and '-', starting with a letter)");
            }

            var promptNode = value.IsMapping ? value.Child("prompt") : value;
            if (value.IsMapping)
            {
                value.ExpectOnlyKeys(["prompt", "prompt_version", "model", "description"]);
            }

            var prompt = promptNode.AsRequiredString();
            if (!PromptRefPattern().IsMatch(prompt))
            {
                throw promptNode.Error($"'{prompt}' is not a prompt reference of the form 'agent/name'");
            }

            result[name] = new AgentCapability
            {
                Prompt = prompt,
                PromptVersion = value.IsMapping ? value.Child("prompt_version").AsString() : null,
                Model = value.IsMapping ? value.Child("model").AsString() : null,
                Description = value.IsMapping ? value.Child("description").AsString() : null,
            };
        }

        return result;
    }

    private static AutonomyLevel ReadAutonomy(ConfigNode node) => node.AsString() switch
    {
        null => AutonomyLevel.Supervised,
        "manual" => AutonomyLevel.Manual,
        "supervised" => AutonomyLevel.Supervised,
        "autonomous" => AutonomyLevel.Autonomous,
        var other => throw node.Error($"'{other}' is not one of manual, supervised, autonomous"),
    };

    private static AgentBudget ReadBudget(ConfigNode node)
    {
        if (node.IsNull)
        {
            return AgentBudget.Unlimited;
        }

        node.ExpectOnlyKeys(["usd", "tokens"]);
        return new AgentBudget(node.Child("usd").AsDecimal(0, 1_000_000), node.Child("tokens").AsInt(1, int.MaxValue));
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9_-]+/[A-Za-z0-9_.-]+$")]
    private static partial Regex PromptRefPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ToolNamePattern();
}
