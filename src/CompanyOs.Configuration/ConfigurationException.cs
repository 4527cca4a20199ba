namespace CompanyOs.Configuration;

/// <summary>
/// Invalid configuration, found at load time. The message reads <c>file: key.path: problem (line L, column C)</c>; secrets and
/// values taken from the environment are never part of it.
/// </summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string file, string keyPath, string problem, Exception? innerException = null)
        : this(file, keyPath, problem, line: null, column: null, innerException)
    {
    }

    /// <param name="file">The file, as given to the loader.</param>
    /// <param name="keyPath">Dotted key path; empty for the whole file.</param>
    /// <param name="problem">What is wrong, without the position.</param>
    /// <param name="line">1-based line of the offending key or value, when known.</param>
    /// <param name="column">1-based column, when known.</param>
    /// <param name="innerException">The parser's exception, if any.</param>
    public ConfigurationException(string file, string keyPath, string problem, int? line, int? column, Exception? innerException = null)
        : base($"{file}: {(string.IsNullOrEmpty(keyPath) ? "(root)" : keyPath)}: {WithPosition(problem, line, column)}", innerException)
    {
        File = file;
        KeyPath = keyPath;
        Problem = WithPosition(problem, line, column);
        Line = line;
        Column = column;
    }

    public string File { get; }

    /// <summary>Dotted path of the offending key, e.g. <c>providers.openai.rate_limit_rpm</c>; empty for the whole file.</summary>
    public string KeyPath { get; }

    /// <summary>What is wrong, with the position when known.</summary>
    public string Problem { get; }

    /// <summary>1-based line of the offending key or value, when known.</summary>
    public int? Line { get; }

    /// <summary>1-based column of the offending key or value, when known.</summary>
    public int? Column { get; }

    private static string WithPosition(string problem, int? line, int? column) => line is null
        ? problem
        : column is null ? $"{problem} (line {line})" : $"{problem} (line {line}, column {column})";
}
