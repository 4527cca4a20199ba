using System.Text.RegularExpressions;

namespace CompanyOs.Llm.Configuration.Sections;

/// <summary>Reads one entry under <c>providers:</c>.</summary>
internal static partial class ProviderReader
{
    private static readonly string[] Keys =
    [
        "enabled", "type", "api_key", "base_url", "default_model", "rate_limit_rpm", "rate_limit_tpm",
        "fallback_provider", "fallback_models", "timeout_seconds", "max_retries",
    ];

    public static ProviderOptions Read(string name, ConfigNode node)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw node.Error($"provider name '{name}' must be lower-case letters, digits, '-' or '_'");
        }

        if (node.IsNull)
        {
            throw node.Error("expected the provider's settings (enabled, api_key, default_model, ...), got nothing");
        }

        node.ExpectOnlyKeys(Keys);
        var enabled = node.Child("enabled").AsBool() ?? true;
        var kind = ReadKind(name, node.Child("type"));
        var baseUrl = node.Child("base_url").AsHttpUrl();
        var (apiKey, keyVariable) = ReadApiKey(node.Child("api_key"), kind, enabled, baseUrl);

        var fallback = node.Child("fallback_provider").AsString();
        return new ProviderOptions
        {
            Name = name,
            Kind = kind,
            Enabled = enabled,
            ApiKey = apiKey,
            ApiKeyVariable = keyVariable,
            BaseUrl = baseUrl,
            DefaultModel = node.Child("default_model").AsRequiredString(),
            RateLimitRpm = node.Child("rate_limit_rpm").AsInt(min: 1),
            RateLimitTpm = node.Child("rate_limit_tpm").AsInt(min: 1),
            FallbackProvider = string.IsNullOrWhiteSpace(fallback) ? null : fallback,
            FallbackModels = ReadFallbackModels(node.Child("fallback_models")),
            Timeout = node.Child("timeout_seconds").AsSeconds(maxSeconds: 3600) ?? TimeSpan.FromSeconds(120),
            MaxRetries = node.Child("max_retries").AsInt(min: 0, max: 10) ?? 3,
        };
    }

    private static ProviderKind ReadKind(string name, ConfigNode type)
    {
        var text = type.AsString();
        if (text is null)
        {
            return TryParseKind(name) ?? throw type.Error(
                $"is required because the provider name '{name}' is not a provider type; use one of: anthropic, openai, ollama");
        }

        return TryParseKind(text) ?? throw type.Error($"unknown provider type '{text}'; use one of: anthropic, openai, ollama");
    }

    private static ProviderKind? TryParseKind(string text) => text.ToLowerInvariant() switch
    {
        "anthropic" => ProviderKind.Anthropic,
        "openai" => ProviderKind.OpenAI,
        "ollama" => ProviderKind.Ollama,
        _ => null,
    };

    private static (string? Key, string? Variable) ReadApiKey(ConfigNode node, ProviderKind kind, bool enabled, Uri? baseUrl)
    {
        var (value, missing, variable) = node.AsExpandedString();
        if (!enabled || kind == ProviderKind.Ollama)
        {
            // A disabled provider needs no key; Ollama takes one only when a proxy in front of it asks for it.
            return (missing is null ? NullIfEmpty(value) : null, variable);
        }

        if (missing is not null)
        {
            return LlmConfigReadContext.RequiresApiKeys(node)
                ? throw node.Error($"environment variable '{missing}' is not set (needed because this provider is enabled; set it, or set 'enabled: false')")
                : (null, missing);
        }

        if (node.IsNull && baseUrl is null)
        {
            return LlmConfigReadContext.RequiresApiKeys(node)
                ? throw node.Error("is required for an enabled provider (use api_key: \"${ENV_VAR}\")")
                : (null, null);
        }

        if (!node.IsNull && string.IsNullOrWhiteSpace(value))
        {
            throw node.Error("must not be empty");
        }

        return (NullIfEmpty(value), variable);
    }

    private static Dictionary<string, string> ReadFallbackModels(ConfigNode node)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (from, to) in node.Entries())
        {
            map[from] = to.AsRequiredString();
        }

        return map;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex NamePattern();
}
