using System.Text.RegularExpressions;

namespace CompanyOs.Tools.Registry;

/// <summary>Rules for tool names: what every provider accepts as a function name.</summary>
public static partial class ToolNames
{
    /// <summary>Longest name accepted (OpenAI and Anthropic both cap function names at 64 characters).</summary>
    public const int MaxLength = 64;

    /// <summary>True when <paramref name="name"/> is 1–64 characters of ASCII letters, digits, <c>_</c> or <c>-</c>.</summary>
    public static bool IsValid(string? name) => name is not null && ValidName().IsMatch(name);

    /// <summary>Replaces every character not allowed in a tool name with <c>_</c> and truncates to <see cref="MaxLength"/>.</summary>
    public static string Sanitize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sanitized = InvalidChars().Replace(name, "_");
        if (sanitized.Length == 0)
        {
            sanitized = "_";
        }

        return sanitized.Length > MaxLength ? sanitized[..MaxLength] : sanitized;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ValidName();

    [GeneratedRegex("[^A-Za-z0-9_-]", RegexOptions.CultureInvariant)]
    private static partial Regex InvalidChars();
}
