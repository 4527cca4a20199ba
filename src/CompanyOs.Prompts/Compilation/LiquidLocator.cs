using System.Globalization;
using System.Text.RegularExpressions;

namespace CompanyOs.Prompts.Compilation;

/// <summary>Finds positions inside Liquid text: Fluid parse-error positions and the first use of a variable.</summary>
internal static partial class LiquidLocator
{
    /// <summary>Splits Fluid's "message at (line:col)\nSource: …" into the message and its 1-based position.</summary>
    public static (string Message, int Line, int Column) ParseError(string error)
    {
        var firstLine = error.Split('\n', 2)[0].Trim();
        var match = PositionPattern().Match(firstLine);
        if (!match.Success)
        {
            return (firstLine, 1, 0);
        }

        var line = int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture);
        var column = int.Parse(match.Groups["col"].Value, CultureInfo.InvariantCulture);
        return (firstLine[..match.Index].TrimEnd(), line, column);
    }

    /// <summary>1-based position of the first <c>{{ … }}</c> or <c>{% … %}</c> that reads <paramref name="identifier"/>, or (1, 0).</summary>
    public static (int Line, int Column) FindIdentifier(string text, string identifier)
    {
        var pattern = new Regex(@"(?<![\w.$'""])" + Regex.Escape(identifier) + @"(?![\w])", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        foreach (Match tag in TagPattern().Matches(text))
        {
            var use = pattern.Match(tag.Value);
            if (use.Success)
            {
                return Position(text, tag.Index + use.Index);
            }
        }

        return (1, 0);
    }

    /// <summary>True when the text contains no Liquid markup at all, so it can be used verbatim.</summary>
    public static bool IsPlainText(string text) =>
        !text.Contains("{{", StringComparison.Ordinal) && !text.Contains("{%", StringComparison.Ordinal);

    /// <summary>1-based line and column of the character at <paramref name="index"/>.</summary>
    public static (int Line, int Column) Position(string text, int index)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, index - lineStart + 1);
    }

    [GeneratedRegex(@"at \((?<line>\d+):(?<col>\d+)\)")]
    private static partial Regex PositionPattern();

    [GeneratedRegex(@"\{\{.*?\}\}|\{%.*?%\}", RegexOptions.Singleline)]
    private static partial Regex TagPattern();
}
