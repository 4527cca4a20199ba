using System.Text.RegularExpressions;

namespace CompanyOs.Cli.Runs;

/// <summary>Text helpers for terminal output: POSIX shell quoting for printed commands, one-line summaries.</summary>
internal static partial class ShellText
{
    /// <summary>Quotes <paramref name="value"/> for a POSIX shell unless it only has safe characters.</summary>
    public static string Quote(string value) =>
        value.Length > 0 && SafeWord().IsMatch(value) ? value : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Folds whitespace (newlines included) into single spaces and cuts at <paramref name="max"/> characters.</summary>
    public static string OneLine(string text, int max)
    {
        var line = Whitespace().Replace(text, " ").Trim();
        return line.Length <= max ? line : string.Concat(line.AsSpan(0, max - 1), "…");
    }

    [GeneratedRegex(@"^[A-Za-z0-9_@%+=:,./-]+$")]
    private static partial Regex SafeWord();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
