namespace CompanyOs.Configuration;

/// <summary>
/// What reading one configuration file needs besides its text: the file name (for errors) and the environment lookup for
/// <c>${VAR}</c>. A loader may derive from it to pass its own switches to the code that reads its sections.
/// </summary>
public class ConfigReadContext
{
    /// <param name="file">The file being read, as given to the loader; used in every error.</param>
    /// <param name="environment">Environment lookup; null reads the process environment (<see cref="ProcessEnvironment.Lookup"/>).</param>
    public ConfigReadContext(string file, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        File = file;
        Environment = environment ?? ProcessEnvironment.Lookup;
    }

    /// <summary>The file being read, as given to the loader; used in every error.</summary>
    public string File { get; }

    /// <summary>Looks up an environment variable (injectable; the default reads the process environment).</summary>
    public Func<string, string?> Environment { get; }

    /// <summary>An error about <paramref name="keyPath"/> of this file, without a position.</summary>
    public ConfigurationException Error(string keyPath, string problem) => new(File, keyPath, problem);
}
