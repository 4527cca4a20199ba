namespace CompanyOs.Llm.Configuration;

/// <summary>
/// One top-level section of <c>config/llm.yaml</c> (e.g. <c>providers</c>, <c>retry</c>). The loader rejects top-level keys
/// that no section claims, and calls sections in registration order, so a later section can check references against what
/// earlier ones produced (e.g. <c>agent_models</c> against <c>providers</c>). See docs/configuration.md, "Adding a section".
/// </summary>
public interface ILlmConfigSection
{
    /// <summary>The top-level key this section owns.</summary>
    string Key { get; }

    /// <summary>
    /// Reads <paramref name="node"/> (which may be missing: apply defaults or fail with <see cref="ConfigNode.Error"/>) and
    /// returns <paramref name="options"/> with this section's part set. Must reject unknown keys
    /// (<see cref="ConfigNode.ExpectOnlyKeys"/>) and bad values with errors that name the key.
    /// </summary>
    LlmOptions Read(ConfigNode node, LlmOptions options);
}
