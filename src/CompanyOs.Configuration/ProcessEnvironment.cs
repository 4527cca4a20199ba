namespace CompanyOs.Configuration;

/// <summary>The default environment lookup of every configuration loader: the current process's environment variables.</summary>
public static class ProcessEnvironment
{
    /// <summary>Reads a variable of the current process; null when unset.</summary>
    public static string? Lookup(string name) => System.Environment.GetEnvironmentVariable(name);
}
