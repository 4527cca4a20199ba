namespace CompanyOs.Llm.Configuration;

/// <summary>One entry of <c>providers:</c> in <c>config/llm.yaml</c>, validated and with <c>${ENV}</c> references resolved.</summary>
public sealed record ProviderOptions
{
    /// <summary>The key under <c>providers:</c>, e.g. <c>anthropic</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The protocol; from <c>type:</c>, or the name when it is anthropic/openai/ollama.</summary>
    public required ProviderKind Kind { get; init; }

    public bool Enabled { get; init; } = true;

    /// <summary>The resolved key. Never logged; <see cref="ToString"/> redacts it.</summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// The environment variable the key was read from (<c>api_key: "${NAME}"</c>), or null for a literal or absent key. When the
    /// loader ran without <c>requireApiKeys</c> and the variable is unset, <see cref="ApiKey"/> is null and this names it.
    /// </summary>
    public string? ApiKeyVariable { get; init; }

    /// <summary>Base URL of the API (emulator, proxy, compatible server); null = the provider's public endpoint.</summary>
    public Uri? BaseUrl { get; init; }

    public required string DefaultModel { get; init; }

    /// <summary>Requests per minute; null = unlimited.</summary>
    public int? RateLimitRpm { get; init; }

    /// <summary>Tokens (input + output) per minute; null = unlimited.</summary>
    public int? RateLimitTpm { get; init; }

    /// <summary>Provider to try when this one fails with a retriable error after retries; chains, never cycles.</summary>
    public string? FallbackProvider { get; init; }

    /// <summary>When falling back <b>to</b> this provider: requested model → model to use here. Unmapped → <see cref="DefaultModel"/>.</summary>
    public IReadOnlyDictionary<string, string> FallbackModels { get; init; } = new Dictionary<string, string>();

    /// <summary>Per-attempt timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Retries after the first attempt for retriable failures.</summary>
    public int MaxRetries { get; init; } = 3;

    public override string ToString() =>
        $"ProviderOptions {{ Name = {Name}, Kind = {Kind}, Enabled = {Enabled}, ApiKey = {(ApiKey is null ? "(none)" : "***")}, BaseUrl = {BaseUrl}, DefaultModel = {DefaultModel} }}";
}
