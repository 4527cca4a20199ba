using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Runtime;
using CompanyOs.Cli.Errors;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Prompts.Library;
using CompanyOs.Tools;
using CompanyOs.Tools.Configuration;
using CompanyOs.Tools.Registry;

namespace CompanyOs.Cli.Hosting;

/// <summary>
/// Everything an agent command needs, built from the configuration files: gateway (emulated providers when no API key is
/// set), agent definitions, prompt library, tools and the SQLite event store, wired into one <see cref="AgentRuntime"/>.
/// </summary>
internal sealed class AgentHost : IAsyncDisposable
{
    private readonly List<object> _owned = [];

    private AgentHost(CompanyOsPaths paths) => Paths = paths;

    public CompanyOsPaths Paths { get; }

    public AgentRuntime Runtime { get; private set; } = null!;

    public IReadOnlyDictionary<string, AgentDefinition> Definitions { get; private set; } = null!;

    public IToolRegistry Tools { get; private set; } = null!;

    /// <summary>The loaded <c>tools.yaml</c>; null when there is none.</summary>
    public ToolsOptions? ToolsOptions { get; private set; }

    /// <summary>The in-process emulator's script; null when no provider is emulated.</summary>
    public TurnScript? EmulatorScript { get; private set; }

    /// <summary>Providers answered by the built-in emulator (empty when every enabled provider is real).</summary>
    public IReadOnlyList<string> Emulated { get; private set; } = [];

    /// <summary>Things the user should know (emulation, missing tool configuration), one line each, for stderr.</summary>
    public IReadOnlyList<string> Notices { get; private set; } = [];

    /// <summary>The gateway's retries and fallbacks and each model call's start and end, as they happen (stderr lines until a command sets its sinks).</summary>
    public GatewayActivity Activity { get; private set; } = null!;

    /// <summary>Why providers are emulated (<c>ANTHROPIC_API_KEY, OPENAI_API_KEY not set</c>, <c>--emulator was given</c>); null when none is.</summary>
    public string? EmulatedReason { get; private set; }

    /// <summary>The <c>EMULATED: …</c> line among <see cref="Notices"/>; null when nothing is emulated.</summary>
    public string? EmulatedNotice { get; private set; }

    /// <exception cref="CliUsageException">Unknown agent type, unreadable tool configuration.</exception>
    /// <remarks><paramref name="progress"/> is where the gateway's retries and fallbacks are reported as they happen (stderr).</remarks>
    public static async Task<AgentHost> OpenAsync(
        CompanyOsPaths paths, CliEnvironment environment, bool forceEmulator, bool allowMissingTools, AgentOverrides? overrides, TextWriter progress,
        CancellationToken cancellationToken)
    {
        var host = new AgentHost(paths);
        try
        {
            await host.BuildAsync(environment, forceEmulator, allowMissingTools, overrides, progress, cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            switch (_owned[i])
            {
                case IAsyncDisposable d:
                    await d.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable d:
                    d.Dispose();
                    break;
            }
        }

        _owned.Clear();
    }

    private async Task BuildAsync(
        CliEnvironment environment, bool forceEmulator, bool allowMissingTools, AgentOverrides? overrides, TextWriter progress, CancellationToken cancellationToken)
    {
        var notices = new List<string>();
        var llm = await new LlmConfigLoader(environment.Variables, requireApiKeys: false).LoadAsync(Paths.LlmConfig, cancellationToken).ConfigureAwait(false);
        Definitions = ApplyOverrides(AgentDefinitionLoader.LoadDirectory(Paths.AgentsDirectory, environment.Variables), overrides);
        var prompts = Own(new PromptLibrary(new PromptLibraryOptions { Directory = Paths.PromptsDirectory }));
        Tools = await LoadToolsAsync(environment, notices, cancellationToken).ConfigureAwait(false);
        var store = Own(await EventStoreFile.OpenAsync(Paths.Database, cancellationToken).ConfigureAwait(false));

        var emulated = Own(await EmulatedProviders.ApplyAsync(llm, forceEmulator, cancellationToken).ConfigureAwait(false));
        Emulated = emulated.Emulated;
        EmulatorScript = emulated.Script;
        if (Emulated.Count > 0)
        {
            EmulatedReason = forceEmulator ? "--emulator was given"
                : string.Join(", ", Emulated.Select(n => llm.Providers[n].ApiKeyVariable ?? $"no API key for {n}")) + " not set";
            EmulatedNotice = $"EMULATED: {EmulatedReason}; {string.Join(", ", Emulated)} answered by the built-in CompanyOS emulator, not a real model.";
            notices.Insert(0, EmulatedNotice);
        }

        Activity = new GatewayActivity(progress);
        var reporter = Own(Activity.CreateLoggerFactory());
        var gateway = new ActivityChatClient(Own(LlmGateway.CreateBuilder(emulated.Options).WithLoggerFactory(reporter).Build()), Activity, emulated.Options);
        // The run records which configuration (and tool set) started it, so a decision from another directory is refused
        // with the config to use instead of failing the approved call as "no longer available".
        var options = new AgentRuntimeOptions { ConfigurationPath = Paths.LlmConfig, AllowMissingTools = allowMissingTools, Emulated = Emulated.Count > 0 };
        Runtime = Own(new AgentRuntime(gateway, store, Tools, prompts, Definitions, options, TimeProvider.System));
        Notices = notices;
    }

    private async Task<IToolRegistry> LoadToolsAsync(CliEnvironment environment, List<string> notices, CancellationToken cancellationToken)
    {
        if (!File.Exists(Paths.ToolsConfig))
        {
            notices.Add($"note: no tool configuration at {Paths.ToolsConfig}; agents run with the built-in tools only (ask_human, complete_task).");
            return new ToolRegistry();
        }

        ToolsOptions options;
        try
        {
            options = await new ToolsConfigLoader(environment.Variables).LoadAsync(Paths.ToolsConfig, cancellationToken).ConfigureAwait(false);
        }
        catch (ConfigurationException e)
        {
            throw new CliUsageException($"the tool configuration could not be loaded: {e.Message}");
        }

        ToolsOptions = options;
        var set = Own(await ToolSet.CreateAsync(options, timeProvider: TimeProvider.System, cancellationToken: cancellationToken).ConfigureAwait(false));
        return set.Registry;
    }

    private static IReadOnlyDictionary<string, AgentDefinition> ApplyOverrides(
        IReadOnlyDictionary<string, AgentDefinition> definitions, AgentOverrides? overrides)
    {
        if (overrides is null)
        {
            return definitions;
        }

        if (!definitions.TryGetValue(overrides.AgentType, out var definition))
        {
            var known = definitions.Count == 0 ? "none defined" : string.Join(", ", definitions.Keys.Order(StringComparer.Ordinal));
            throw new CliUsageException($"unknown agent type '{overrides.AgentType}' (known: {known}).");
        }

        var copy = definitions.ToDictionary(StringComparer.Ordinal);
        copy[overrides.AgentType] = overrides.Apply(definition);
        return copy;
    }

    private T Own<T>(T item)
        where T : notnull
    {
        _owned.Add(item);
        return item;
    }
}
