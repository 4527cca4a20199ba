namespace CompanyOs.Llm.Configuration;

/// <summary>What a <see cref="ILlmConfigSection"/> may use while reading: the file name, the environment and the loader's switches.</summary>
public sealed class ConfigReadContext
{
    internal ConfigReadContext(string file, Func<string, string?> environment, bool requireApiKeys)
    {
        File = file;
        Environment = environment;
        RequireApiKeys = requireApiKeys;
    }

    /// <summary>The file being read, as given to the loader; used in every error.</summary>
    public string File { get; }

    /// <summary>Looks up an environment variable (injectable; the default reads the process environment).</summary>
    public Func<string, string?> Environment { get; }

    /// <summary>
    /// False when the caller accepts enabled providers without a resolvable API key (e.g. the CLI, which then points them at
    /// the emulator); the key stays null and <see cref="ProviderOptions.ApiKeyVariable"/> names what was missing.
    /// </summary>
    public bool RequireApiKeys { get; }

    public ConfigurationException Error(string keyPath, string problem) => new(File, keyPath, problem);
}
