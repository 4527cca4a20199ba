using CompanyOs.Emulator;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Configuration;

namespace CompanyOs.Cli.Hosting;

/// <summary>
/// Points providers that cannot reach a real service (enabled, but no API key in the environment) at an in-process
/// emulator, so that the CLI works on a fresh clone — and says so. Owns the emulator; dispose to stop it.
/// </summary>
public sealed class EmulatedProviders : IAsyncDisposable
{
    private const string EmulatorKey = "emulator-key";
    private readonly EmulatorServer? _server;

    private EmulatedProviders(LlmOptions options, EmulatorServer? server, IReadOnlyList<string> emulated)
    {
        Options = options;
        _server = server;
        Emulated = emulated;
    }

    /// <summary>The options with emulated providers re-pointed.</summary>
    public LlmOptions Options { get; }

    /// <summary>Names of the providers answered by the emulator.</summary>
    public IReadOnlyList<string> Emulated { get; }

    /// <summary>The emulator's script (turns it plays before its default model answers); null when nothing is emulated.</summary>
    public TurnScript? Script => _server?.Script;

    /// <summary>
    /// Re-points every enabled provider without a key (Anthropic/OpenAI; Ollama needs none) — or all enabled providers
    /// when <paramref name="force"/> — at one in-process emulator on 127.0.0.1.
    /// </summary>
    /// <exception cref="ConfigurationException">An enabled Anthropic provider has its own <c>base_url</c> but no key.</exception>
    public static async Task<EmulatedProviders> ApplyAsync(LlmOptions options, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        // An Anthropic provider with its own base_url is not emulated, and its SDK cannot be built without a key: say so
        // here, naming the variable, instead of failing later with an exception from the provider layer.
        if (!force && options.Providers.Values.FirstOrDefault(p => p is { Enabled: true, Kind: ProviderKind.Anthropic, ApiKey: null, BaseUrl: not null }) is { } keyless)
        {
            var variable = keyless.ApiKeyVariable ?? "its API key";
            throw new ConfigurationException(
                options.SourceFile,
                $"providers.{keyless.Name}.api_key",
                $"{variable} is not set, and a provider with its own base_url ({keyless.BaseUrl}) is not emulated: export {variable}, or remove base_url to answer '{keyless.Name}' from the built-in emulator");
        }

        var targets = options.Providers.Values
            .Where(p => p.Enabled && (force || (p.ApiKey is null && p.Kind != ProviderKind.Ollama && p.BaseUrl is null)))
            .Select(p => p.Name)
            .ToList();
        if (targets.Count == 0)
        {
            return new EmulatedProviders(options, null, []);
        }

        var server = await EmulatorServer.StartAsync(new EmulatorOptions(), cancellationToken).ConfigureAwait(false);
        var providers = options.Providers.ToDictionary(
            p => p.Key,
            p => targets.Contains(p.Key)
                ? p.Value with
                {
                    ApiKey = EmulatorKey,
                    BaseUrl = p.Value.Kind == ProviderKind.OpenAI ? server.OpenAIEndpoint : server.BaseUri,
                }
                : p.Value);
        return new EmulatedProviders(options with { Providers = providers }, server, targets);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
