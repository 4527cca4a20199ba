using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using Microsoft.Extensions.Configuration;

namespace CompanyOs.Llm.Hosting;

/// <summary>
/// Where <c>AddLlmGateway</c> finds the gateway's configuration: the <c>llm.yaml</c> file named by <see cref="ConfigFile"/>
/// (bound from the <c>CompanyOs:Llm</c> configuration section), or <see cref="Llm"/> given in code. Validated when the host
/// starts (<c>ValidateOnStart</c>) or, without a host, when the gateway is first resolved.
/// </summary>
public sealed class LlmGatewayOptions
{
    /// <summary>The configuration section <c>AddLlmGateway(configuration)</c> binds: <c>ConfigFile</c>, <c>RequireApiKeys</c>.</summary>
    public const string SectionName = "CompanyOs:Llm";

    private readonly Lock _gate = new();
    private LlmOptions? _resolved;

    /// <summary>The <c>llm.yaml</c> file read when <c>CompanyOs:Llm:ConfigFile</c> names none.</summary>
    public const string DefaultConfigFile = "config/llm.yaml";

    /// <summary>Path of the <c>llm.yaml</c> file, relative to the working directory; default <c>config/llm.yaml</c>.</summary>
    public string ConfigFile { get; set; } = DefaultConfigFile;

    /// <summary>When false, an enabled provider whose <c>${VAR}</c> key is unset loads with no key instead of failing.</summary>
    public bool RequireApiKeys { get; set; } = true;

    /// <summary>Options given in code; when set, <see cref="ConfigFile"/> is not read.</summary>
    public LlmOptions? Llm { get; set; }

    /// <summary>
    /// The <c>llm.yaml</c> file <paramref name="configuration"/> names in <c>CompanyOs:Llm:ConfigFile</c> (default
    /// <see cref="DefaultConfigFile"/>); a relative path is taken relative to <paramref name="contentRoot"/> when one is given.
    /// The one rule every reader of the gateway's configuration file follows (the gateway, the server's emulator mode, the
    /// agent runtime's default paths).
    /// </summary>
    public static string ResolveConfigFile(IConfiguration configuration, string? contentRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var file = configuration.GetSection(SectionName)["ConfigFile"] is { Length: > 0 } configured ? configured : DefaultConfigFile;
        return Path.IsPathRooted(file) || string.IsNullOrEmpty(contentRoot) ? file : Path.Combine(contentRoot, file);
    }

    /// <summary>Lookup for <c>${VAR}</c> in the file; default: the process environment.</summary>
    public Func<string, string?>? Environment { get; set; }

    /// <summary>A value in the configuration section that could not be bound, reported by validation.</summary>
    internal string? BindingProblem { get; set; }

    /// <summary>Loads (once) and validates the options the gateway is built from.</summary>
    /// <exception cref="ConfigurationException">The file is missing or invalid, or the options fail the gateway's checks.</exception>
    internal LlmOptions Resolve()
    {
        lock (_gate)
        {
            return _resolved ??= Load();
        }
    }

    private LlmOptions Load()
    {
        if (BindingProblem is { } problem)
        {
            throw new ConfigurationException("(host configuration)", SectionName, problem);
        }

        // Start-up only, and the loader's own error mapping (missing file, unreadable file) is worth keeping.
        var options = Llm ?? new LlmConfigLoader(Environment, requireApiKeys: RequireApiKeys).LoadAsync(ConfigFile).GetAwaiter().GetResult();
        GatewayBuilder.Validate(options);
        return options;
    }
}
