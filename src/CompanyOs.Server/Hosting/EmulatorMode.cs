using CompanyOs.Configuration;
using CompanyOs.Emulator;
using CompanyOs.Llm.Configuration;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// <c>--emulator</c>: every enabled provider is re-pointed at one in-process emulator on 127.0.0.1, whether or not its key
/// is set, so that the server never mixes real and emulated answers. Owns the emulator.
/// </summary>
internal static class EmulatorMode
{
    private const string EmulatorKey = "emulator-key";

    /// <summary>Loads <paramref name="configFile"/> without requiring provider keys and re-points its providers.</summary>
    /// <exception cref="ConfigurationException">The file is missing or invalid.</exception>
    public static async Task<(LlmOptions Options, EmulatorServer Server)> StartAsync(
        string configFile, Func<string, string?> environment, EmulatorOptions? emulatorOptions, CancellationToken cancellationToken)
    {
        var options = await new LlmConfigLoader(environment, requireApiKeys: false).LoadAsync(configFile, cancellationToken);
        var server = await EmulatorServer.StartAsync(emulatorOptions ?? new EmulatorOptions(), cancellationToken);
        var providers = options.Providers.ToDictionary(
            p => p.Key,
            p => p.Value.Enabled
                ? p.Value with
                {
                    ApiKey = EmulatorKey,
                    BaseUrl = p.Value.Kind == ProviderKind.OpenAI ? server.OpenAIEndpoint : server.BaseUri,
                }
                : p.Value);
        return (options with { Providers = providers }, server);
    }
}
