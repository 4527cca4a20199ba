using System.Text.Json;
using System.Text.Json.Nodes;
using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Runs;
using CompanyOs.Tools;

namespace CompanyOs.Agents.Runtime;

/// <summary>
/// The identity of this runtime's configuration (its path as the host gave it, and a hash of the tool set), recorded in
/// every <c>RunStarted</c>; and the check that refuses to drive or decide a run whose tools this process lacks — a process
/// started with another configuration would otherwise fail an approved call with "tool no longer available" and carry on.
/// </summary>
internal sealed class ToolSetGuard(IToolRegistry registry, string? configurationPath, bool allowMissingTools)
{
    /// <summary>SHA-256 (hex) of the canonical JSON of every registry tool's name and parameter schema.</summary>
    public string ToolSetHash { get; } = Hash(registry);

    public string? ConfigurationPath => configurationPath;

    /// <exception cref="AgentRunException"><see cref="AgentRunErrorKind.ToolsUnavailable"/>: the run needs tools this tool set lacks.</exception>
    public void EnsureCanDrive(RunState state)
    {
        if (allowMissingTools || state.Start is not { } start || state.Status.IsTerminal())
        {
            return;
        }

        var missing = start.Settings.Tools.Where(t => !BuiltInTools.IsBuiltIn(t) && !registry.TryGet(t, out _)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var origin = start.ConfigPath is { } path
            ? $"it was started with configuration '{path}' (tool set {Short(start.ToolSetHash)}); drive it with that configuration"
            : "it was started with another configuration (not recorded: the run predates configuration identity); drive it with that one";
        var here = configurationPath is null ? "this process's tool set" : $"the tool set of '{configurationPath}' (tool set {Short(ToolSetHash)})";
        throw new AgentRunException(
            AgentRunErrorKind.ToolsUnavailable,
            $"Run '{start.RunId}' needs tool(s) {string.Join(", ", missing)}, which {here} does not have: {origin}, "
            + "or allow missing tools to drive it anyway (calls to them then fail).",
            start.RunId);
    }

    private static string Short(string? hash) => hash is null ? "unknown" : hash[..Math.Min(12, hash.Length)];

    private static string Hash(IToolRegistry registry)
    {
        var tools = new JsonObject();
        foreach (var tool in registry.Tools)
        {
            tools[tool.Name] = JsonNode.Parse(tool.ParametersSchema.GetRawText());
        }

        // Keys are sorted by the canonical form, so the hash does not depend on registration order.
        using var document = JsonDocument.Parse(tools.ToJsonString());
        return ArgumentsHash.Compute(document.RootElement);
    }
}
