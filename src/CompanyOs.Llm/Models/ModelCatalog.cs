using CompanyOs.Llm.Configuration;

namespace CompanyOs.Llm.Models;

/// <summary>
/// The one place where model names are resolved: alias → exact model id (built-in aliases plus <c>model_aliases</c> from
/// configuration, which win), and which provider protocol a model id belongs to. Immutable and thread-safe.
/// </summary>
public sealed class ModelCatalog
{
    private const int MaxAliasDepth = 8;
    private readonly Dictionary<string, string> _aliases;

    /// <param name="configuredAliases">Aliases from configuration; they override built-in aliases of the same name.</param>
    public ModelCatalog(IReadOnlyDictionary<string, string>? configuredAliases = null)
    {
        _aliases = new Dictionary<string, string>(BuiltInModelAliases.All, StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, target) in configuredAliases ?? new Dictionary<string, string>())
        {
            _aliases[alias] = target;
        }
    }

    /// <summary>A catalog with the built-in aliases only.</summary>
    public static ModelCatalog BuiltIn { get; } = new();

    /// <summary>Every alias known to this catalog (alias → the id it points to, before further resolution).</summary>
    public IReadOnlyDictionary<string, string> Aliases => _aliases;

    public static ModelCatalog FromOptions(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ModelCatalog(options.ModelAliases);
    }

    /// <summary>The exact model id for <paramref name="model"/>: aliases followed (chains allowed), anything else unchanged.</summary>
    public string Resolve(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        var current = model.Trim();
        for (var depth = 0; depth < MaxAliasDepth && _aliases.TryGetValue(current, out var next); depth++)
        {
            current = next;
        }

        return current;
    }

    /// <summary>True when <paramref name="model"/> is an alias (not an exact id).</summary>
    public bool IsAlias(string model) => _aliases.ContainsKey(model?.Trim() ?? string.Empty);

    /// <summary>
    /// Which protocol serves <paramref name="model"/> by its family (Claude → Anthropic; GPT/o-series → OpenAI; Ollama
    /// <c>name:tag</c> ids and the open-weight families → Ollama); null when it cannot tell.
    /// </summary>
    public ProviderKind? GetProviderKind(string model)
    {
        var id = Resolve(model).ToLowerInvariant();
        if (id.StartsWith("claude-", StringComparison.Ordinal))
        {
            return ProviderKind.Anthropic;
        }

        if (id.StartsWith("gpt-", StringComparison.Ordinal) || id.StartsWith("chatgpt-", StringComparison.Ordinal) ||
            id.StartsWith("text-embedding-", StringComparison.Ordinal) || IsOSeries(id))
        {
            return ProviderKind.OpenAI;
        }

        if (id.Contains(':', StringComparison.Ordinal) || OllamaFamilies.Any(f => id.StartsWith(f, StringComparison.Ordinal)))
        {
            return ProviderKind.Ollama;
        }

        return null;
    }

    private static readonly string[] OllamaFamilies = ["llama", "qwen", "mistral", "mixtral", "gemma", "phi", "deepseek", "codellama", "granite", "smollm"];

    private static bool IsOSeries(string id) =>
        id.Length >= 2 && id[0] == 'o' && char.IsAsciiDigit(id[1]) && (id.Length == 2 || id[2] == '-');
}
