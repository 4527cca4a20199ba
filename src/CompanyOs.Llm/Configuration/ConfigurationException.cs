using CompanyOs.Llm.Errors;

namespace CompanyOs.Llm.Configuration;

/// <summary>Invalid configuration, found at load time. The message names the file, the key path and the problem.</summary>
public sealed class ConfigurationException : LlmException
{
    public ConfigurationException(string file, string keyPath, string problem, Exception? innerException = null)
        : base($"{file}: {(string.IsNullOrEmpty(keyPath) ? "(root)" : keyPath)}: {problem}", innerException)
    {
        File = file;
        KeyPath = keyPath;
        Problem = problem;
    }

    public string File { get; }

    /// <summary>Dotted path of the offending key, e.g. <c>providers.openai.rate_limit_rpm</c>.</summary>
    public string KeyPath { get; }

    public string Problem { get; }
}
