using System.Text;

namespace CompanyOs.Configuration;

/// <summary>
/// The one expander of <c>${VAR}</c> and <c>${VAR:-default}</c> in configuration values, with shell semantics: a variable that
/// is unset or empty counts as missing, and <c>:-</c> supplies the default in both cases. Never puts resolved values into
/// messages.
/// </summary>
internal static class EnvironmentReference
{
    /// <summary>The expanded text, or a null value with the first missing variable's name.</summary>
    public static ExpandedValue Expand(string raw, Func<string, string?> environment, Func<string, ConfigurationException> error)
    {
        if (!raw.Contains("${", StringComparison.Ordinal))
        {
            return new(raw, null, null);
        }

        var result = new StringBuilder(raw.Length);
        string? first = null;
        var i = 0;
        while (i < raw.Length)
        {
            var start = raw.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0)
            {
                result.Append(raw, i, raw.Length - i);
                break;
            }

            result.Append(raw, i, start - i);
            var end = raw.IndexOf('}', start + 2);
            if (end < 0)
            {
                throw error("unterminated '${' (expected '${NAME}' or '${NAME:-default}')");
            }

            var body = raw.AsSpan(start + 2, end - start - 2);
            var sep = body.IndexOf(":-", StringComparison.Ordinal);
            var name = (sep < 0 ? body : body[..sep]).ToString();
            string? fallback = sep < 0 ? null : body[(sep + 2)..].ToString();
            if (!IsValidName(name))
            {
                throw error($"'${{{name}}}' is not a valid environment variable reference (letters, digits and '_', not starting with a digit)");
            }

            // "${A:-${B}}" ends at the first '}': the default would be the text "${B" and the value "${B}" — a placeholder
            // sent as a key or URL without a word. Defaults are literal, so a '${' in one can only be a mistake.
            if (fallback is not null && fallback.Contains("${", StringComparison.Ordinal))
            {
                throw error($"the default of '${{{name}:-…}}' contains '${{': defaults are literal text, a nested ${{…}} is not expanded");
            }

            first ??= name;
            var value = environment(name);
            if (string.IsNullOrEmpty(value))
            {
                value = fallback;
            }

            if (value is null)
            {
                return new(null, name, first);
            }

            result.Append(value);
            i = end + 1;
        }

        return new(result.ToString(), null, first);
    }

    private static bool IsValidName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
