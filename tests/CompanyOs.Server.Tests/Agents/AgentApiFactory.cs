using CompanyOs.Emulator;
using CompanyOs.Server.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace CompanyOs.Server.Tests.Agents;

/// <summary>
/// The server's own entry point (the <c>Program</c> of the assembly of <see cref="GatewayServer"/>) hosted in memory by
/// <see cref="WebApplicationFactory{TEntryPoint}"/> over an <see cref="AgentProject"/>, keys on. The model is an emulator
/// the test started, configured as an OpenAI-compatible provider (base URL): the server's own <c>--emulator</c> mode would
/// build the emulator's host first, and the factory takes the first host the entry point builds.
/// </summary>
internal sealed class AgentApiFactory : WebApplicationFactory<GatewayServer>
{
    private readonly AgentProject _project;

    public AgentApiFactory(AgentProject project, EmulatorServer emulator)
    {
        _project = project;
        File.WriteAllText(_project.LlmConfig, $$"""
            default_provider: openai
            providers:
              openai:
                api_key: "emulator-key"
                base_url: "{{emulator.OpenAIEndpoint}}"
                default_model: "gpt-4o"
                max_retries: 0
            circuit_breaker: { enabled: false }
            """);
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        // Host configuration reaches a minimal-hosting entry point as its command-line arguments, so the server reads
        // these settings as early as the ones given on a real command line.
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["contentRoot"] = _project.Root,
            ["CompanyOs:Llm:ConfigFile"] = _project.LlmConfig,
            ["CompanyOs:Server:KeysDatabase"] = Path.Combine(_project.Root, "keys.db"),
            ["Logging:LogLevel:Default"] = "None",
        }));
        return base.CreateHost(builder);
    }
}
