using CompanyOs.Agents.Definitions;
using CompanyOs.Cli.Hosting;
using CompanyOs.Events;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway.Costs;
using CompanyOs.Llm.Gateway.Routing;
using CompanyOs.Llm.Models;
using CompanyOs.Prompts.Diagnostics;
using CompanyOs.Prompts.Linting;
using CompanyOs.Tools.Configuration;
using CompanyOs.Tools.Sandbox;

namespace CompanyOs.Cli.Commands.Doctor;

/// <summary>What <c>companyos doctor</c> checks, in the order it prints them; read-only except the store, which is opened as any command would.</summary>
/// <param name="Config"><c>--config</c>, or null.</param>
/// <param name="Database"><c>--db</c>, or null.</param>
/// <param name="Offline">Skip the network probes of the providers.</param>
/// <param name="ProbeTimeout">Bound of each provider probe.</param>
internal sealed record DoctorChecks(string? Config, string? Database, bool Offline, TimeSpan ProbeTimeout)
{
    public async Task<List<DoctorFinding>> RunAsync(CliEnvironment environment, CancellationToken cancellationToken)
    {
        var findings = new List<DoctorFinding>();
        var (llmPath, configRule) = ConfigFileLocator.LocateWithRule(Config, environment.WorkingDirectory);
        var paths = CompanyOsPaths.Resolve(Config, Database, environment);
        var (database, databaseRule) = CompanyOsPaths.ResolveDatabaseWithRule(Database, environment);
        var configFound = File.Exists(llmPath);
        findings.Add(configFound
            ? DoctorFinding.Ok("files", "config", $"{llmPath} ({configRule})")
            : DoctorFinding.Problem("files", "config", $"no LLM configuration at {llmPath} ({configRule})",
                "run `companyos init` in your project folder, or give the file with -c PATH"));
        findings.Add(Located("agents", paths.AgentsDirectory, Directory.Exists, "next to the config", $"create {paths.AgentsDirectory} with one <type>.yaml per agent (`companyos init` writes starters)"));
        findings.Add(File.Exists(paths.ToolsConfig)
            ? DoctorFinding.Ok("files", "tools", $"{paths.ToolsConfig} (next to the config)")
            : DoctorFinding.Info("files", "tools", $"no {paths.ToolsConfig}: agents get only ask_human and complete_task"));
        findings.Add(Located("prompts", paths.PromptsDirectory, Directory.Exists, "../prompts next to the config directory", $"create {paths.PromptsDirectory} (`companyos init` writes starters)"));
        findings.Add(DoctorFinding.Ok("files", "database", $"{database} ({databaseRule})"));
        findings.Add(await StoreAsync(database, cancellationToken).ConfigureAwait(false));

        LlmOptions? llm = null;
        if (configFound)
        {
            try
            {
                llm = await new LlmConfigLoader(environment.Variables, requireApiKeys: false).LoadAsync(llmPath, cancellationToken).ConfigureAwait(false);
                findings.Add(DoctorFinding.Ok("config", "llm.yaml", $"valid: {llm.Providers.Values.Count(p => p.Enabled)} enabled provider(s) ({string.Join(", ", llm.Providers.Values.Where(p => p.Enabled).Select(p => p.Name))})"));
            }
            catch (ConfigurationException e)
            {
                findings.Add(DoctorFinding.Problem("config", "llm.yaml", e.Message, $"correct {llmPath} (keys are described in docs/configuration.md)"));
            }
        }

        IReadOnlyDictionary<string, AgentDefinition> agents = new Dictionary<string, AgentDefinition>();
        if (Directory.Exists(paths.AgentsDirectory))
        {
            try
            {
                agents = AgentDefinitionLoader.LoadDirectory(paths.AgentsDirectory, environment.Variables);
                findings.Add(DoctorFinding.Ok("agents", "definitions", $"{agents.Count} agent type(s): {string.Join(", ", agents.Keys.Order(StringComparer.Ordinal))}"));
            }
            catch (ConfigurationException e)
            {
                findings.Add(DoctorFinding.Problem("agents", "definitions", e.Message, $"correct the agent file named (see docs/agents.md)"));
            }
        }

        ToolsOptions? tools = null;
        if (File.Exists(paths.ToolsConfig))
        {
            try
            {
                tools = await new ToolsConfigLoader(environment.Variables).LoadAsync(paths.ToolsConfig, cancellationToken).ConfigureAwait(false);
                findings.Add(DoctorFinding.Ok("tools", "tools.yaml", "valid"));
            }
            catch (ConfigurationException e)
            {
                findings.Add(DoctorFinding.Problem("tools", "tools.yaml", e.Message, $"correct {paths.ToolsConfig} (see docs/tools.md)"));
            }
        }

        if (llm is not null)
        {
            findings.AddRange(Keys(llm, environment));
            findings.AddRange(await ProvidersAsync(llm, cancellationToken).ConfigureAwait(false));
            findings.AddRange(Prices(llm, agents.Values));
        }

        findings.Add(await SandboxAsync(tools, paths.ToolsConfig, cancellationToken).ConfigureAwait(false));
        if (Directory.Exists(paths.PromptsDirectory))
        {
            findings.AddRange(Prompts(paths.PromptsDirectory));
        }

        return findings;
    }

    private static DoctorFinding Located(string subject, string path, Func<string, bool> exists, string rule, string fix) =>
        exists(path) ? DoctorFinding.Ok("files", subject, $"{path} ({rule})") : DoctorFinding.Problem("files", subject, $"no {path} ({rule})", fix);

    /// <summary>An existing store is opened as every command opens it; a missing one is not created, only its directory probed.</summary>
    private static async Task<DoctorFinding> StoreAsync(string database, CancellationToken cancellationToken)
    {
        var fix = $"give a writable file with --db PATH (or {CompanyOsPaths.DatabaseVariable}), or make its directory writable";
        if (EventStoreFile.ProblemAt(database) is { } problem)
        {
            return DoctorFinding.Problem("store", "database", $"the event store cannot be used: {problem}", fix);
        }

        if (!File.Exists(database))
        {
            return DoctorFinding.Ok("store", "database", $"writable: {database} will be created by the first run");
        }

        try
        {
            await using var store = await EventStoreFile.OpenAsync(database, cancellationToken).ConfigureAwait(false);
            return DoctorFinding.Ok("store", "database", $"opened for reading and writing: {database} ({new FileInfo(database).Length / 1024} KB)");
        }
        catch (Errors.CliUsageException e)
        {
            return DoctorFinding.Problem("store", "database", e.Message, fix);
        }
        catch (EventStoreException e)
        {
            return DoctorFinding.Problem("store", "database", $"the event store {database} cannot be used: {e.Message}", fix);
        }
    }

    private static IEnumerable<DoctorFinding> Keys(LlmOptions llm, CliEnvironment environment)
    {
        foreach (var provider in llm.Providers.Values.Where(p => p.Enabled))
        {
            if (provider.ApiKeyVariable is { } variable)
            {
                yield return string.IsNullOrEmpty(environment.Variables(variable))
                    ? DoctorFinding.Problem("keys", provider.Name, $"{variable} is not set; the CLI answers {provider.Name} from the built-in emulator (EMULATED), not the real service",
                        $"export {variable}=<your key>, or set enabled: false under providers.{provider.Name} in {llm.SourceFile}")
                    : DoctorFinding.Ok("keys", provider.Name, $"{variable} is set");
            }
            else if (provider.ApiKey is not null)
            {
                yield return DoctorFinding.Info("keys", provider.Name, $"the key is written in {llm.SourceFile}; prefer api_key: \"${{VARIABLE}}\" so it stays out of files");
            }
            else
            {
                yield return DoctorFinding.Ok("keys", provider.Name, $"no key needed ({provider.Kind})");
            }
        }
    }

    private async Task<IEnumerable<DoctorFinding>> ProvidersAsync(LlmOptions llm, CancellationToken cancellationToken)
    {
        var probes = new List<Task<DoctorFinding>>();
        foreach (var provider in llm.Providers.Values.Where(p => p.Enabled))
        {
            var url = ProviderProbe.BaseUrlOf(provider);
            if (Offline)
            {
                probes.Add(Task.FromResult(DoctorFinding.Info("providers", provider.Name, $"{url} not probed (--offline)")));
            }
            else if (provider.ApiKey is null && provider.ApiKeyVariable is not null && provider.BaseUrl is null)
            {
                probes.Add(Task.FromResult(DoctorFinding.Info("providers", provider.Name, $"{url} not probed: without its key the CLI uses the built-in emulator")));
            }
            else
            {
                probes.Add(ProviderProbe.ProbeAsync(provider, llm.SourceFile, ProbeTimeout, cancellationToken));
            }
        }

        return await Task.WhenAll(probes).ConfigureAwait(false);
    }

    /// <summary>Every model the configuration can send to: defaults, agent models (llm.yaml and agent files), fallback targets and aliases.</summary>
    private static IEnumerable<DoctorFinding> Prices(LlmOptions llm, IEnumerable<AgentDefinition> agents)
    {
        var prices = PriceTable.LoadDefault().WithOverrides(llm.Prices);
        var router = new ModelRouter(llm, ModelCatalog.FromOptions(llm), prices);
        var models = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Add(string? model, string where)
        {
            if (!string.IsNullOrWhiteSpace(model))
            {
                models.TryAdd(model, where);
            }
        }

        foreach (var provider in llm.Providers.Values.Where(p => p.Enabled))
        {
            Add(provider.DefaultModel, $"providers.{provider.Name}.default_model");
            foreach (var (from, to) in provider.FallbackModels)
            {
                Add(to, $"providers.{provider.Name}.fallback_models.{from}");
            }
        }

        foreach (var (agent, choice) in llm.AgentModels)
        {
            Add(choice.Model, $"agent_models.{agent}.model");
        }

        foreach (var (alias, target) in llm.ModelAliases)
        {
            Add(target, $"model_aliases.{alias}");
        }

        foreach (var agent in agents)
        {
            Add(agent.Model is { } m && m.Contains('/', StringComparison.Ordinal) ? m[(m.IndexOf('/', StringComparison.Ordinal) + 1)..] : agent.Model, $"model in {agent.SourceFile}");
        }

        foreach (var (model, where) in models)
        {
            var exact = router.ResolveModel(model);
            var alias = exact == model ? string.Empty : $"= {exact}: ";
            yield return prices.TryGetPrice(exact, out var price)
                ? DoctorFinding.Ok("prices", model, $"{alias}${price.Input}/${price.Output} per 1M input/output tokens")
                : DoctorFinding.Problem("prices", model, $"{alias}no price known (used by {where}): its calls are recorded as unknown cost",
                    $"add it under prices: in {llm.SourceFile}, e.g. prices: {{ {exact}: {{ input: 3.00, output: 15.00 }} }} (USD per 1M tokens), or use a model config/prices.json knows");
        }
    }

    /// <summary>Runs a trivial command in the sandbox (not just looks for bwrap), as <c>execute_code</c> would.</summary>
    private static async Task<DoctorFinding> SandboxAsync(ToolsOptions? tools, string toolsFile, CancellationToken cancellationToken)
    {
        if (tools is not { Sandbox.Enabled: true })
        {
            return DoctorFinding.Info("sandbox", "execute_code", $"not enabled in {toolsFile}: agents cannot run code");
        }

        const string fix = "install bubblewrap and util-linux (apt-get install bubblewrap) and allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1), or set execute_code.enabled: false";
        using var sandbox = new BubblewrapSandbox(tools.Sandbox);
        if (await sandbox.CheckAvailableAsync().ConfigureAwait(false) is { } why)
        {
            return DoctorFinding.Problem("sandbox", "execute_code", $"bubblewrap is not usable: {why}", fix);
        }

        try
        {
            var result = await sandbox.RunAsync("bash", "echo sandbox-ok", cancellationToken).ConfigureAwait(false);
            return result is { ExitCode: 0, TimedOut: false } && result.Stdout.Contains("sandbox-ok", StringComparison.Ordinal)
                ? DoctorFinding.Ok("sandbox", "execute_code", $"bubblewrap ran a test command in {result.Elapsed.TotalMilliseconds:0} ms")
                : DoctorFinding.Problem("sandbox", "execute_code", $"a test command in bubblewrap failed (exit {result.ExitCode}): {result.Stderr.Trim()}", fix);
        }
        catch (SandboxUnavailableException e)
        {
            return DoctorFinding.Problem("sandbox", "execute_code", $"bubblewrap is not usable: {e.Message}", fix);
        }
    }

    private static IEnumerable<DoctorFinding> Prompts(string directory)
    {
        var diagnostics = new PromptLinter().LintDirectory(directory);
        foreach (var diagnostic in diagnostics)
        {
            yield return diagnostic.Severity == PromptDiagnosticSeverity.Error
                ? DoctorFinding.Problem("prompts", diagnostic.File, diagnostic.ToString(), "correct the prompt file named (`companyos prompts lint` lists the same)")
                : DoctorFinding.Info("prompts", diagnostic.File, diagnostic.ToString());
        }

        var errors = diagnostics.Count(d => d.Severity == PromptDiagnosticSeverity.Error);
        if (errors == 0)
        {
            yield return DoctorFinding.Ok("prompts", "lint", $"{directory}: 0 errors, {diagnostics.Count} warning(s)");
        }
    }
}
