using CompanyOs.Llm.Hosting;
using CompanyOs.Server.Hosting;

namespace CompanyOs.Server.Agents;

/// <summary>
/// Where the agent runtime's inputs are (docs/server.md, "Agent API"): the LLM configuration file, and the agent definitions,
/// prompts and tools configuration — each as configured, or in its default place next to the configuration file — and whether
/// each is there to load (a configured one always is: loading it reports it missing).
/// </summary>
internal sealed record RuntimePaths(string LlmConfig, string Agents, bool HasAgents, string Prompts, bool HasPrompts, string Tools, bool HasTools)
{
    /// <summary>The paths of <paramref name="server"/>'s runtime, relative ones resolved against <paramref name="root"/>.</summary>
    public static RuntimePaths Of(ServerOptions server, string root, IConfiguration configuration)
    {
        var llm = Path.GetFullPath(LlmGatewayOptions.ResolveConfigFile(configuration, root), root);
        var configDirectory = Path.GetDirectoryName(llm)!;
        var agents = server.AgentsDirectory is { } a ? Path.GetFullPath(a, root) : Path.Combine(configDirectory, "agents");
        var prompts = server.PromptsDirectory is { } p
            ? Path.GetFullPath(p, root)
            : Path.Combine(Path.GetDirectoryName(configDirectory) ?? configDirectory, "prompts");
        var tools = server.ToolsConfig is { } t ? Path.GetFullPath(t, root) : Path.Combine(configDirectory, "tools.yaml");
        return new RuntimePaths(
            llm,
            agents,
            server.AgentsDirectory is not null || Directory.Exists(agents),
            prompts,
            server.PromptsDirectory is not null || Directory.Exists(prompts),
            tools,
            server.ToolsConfig is not null || File.Exists(tools));
    }
}
