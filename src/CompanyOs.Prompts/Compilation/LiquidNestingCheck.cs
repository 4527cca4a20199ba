namespace CompanyOs.Prompts.Compilation;

/// <summary>
/// Bounds how deeply Liquid text nests before it reaches Fluid's parser, which is recursive: ten thousand nested
/// <c>{% if %}</c> blocks, <c>(</c> or <c>[</c> overflow the stack, and a stack overflow ends the process whatever catches
/// it. The scan is lexical and deliberately simple (quotes are honoured, <c>raw</c> and <c>comment</c> bodies skipped); the
/// limits leave a wide margin below what Fluid survives on a thread-pool thread's 1.5 MB stack (about 300 levels).
/// </summary>
internal static class LiquidNestingCheck
{
    /// <summary>Deepest nesting of block tags (<c>if</c>, <c>for</c>, <c>case</c>, <c>capture</c>…).</summary>
    public const int MaxBlockDepth = 50;

    /// <summary>Deepest nesting of <c>(</c> and <c>[</c> inside one tag or output.</summary>
    public const int MaxExpressionDepth = 50;

    /// <summary>
    /// Most filters (<c>|</c>) and binary operators (<c>and</c>, <c>or</c>, <c>contains</c>, comparisons) in one tag or output
    /// (one line of a <c>liquid</c> tag). Fluid builds each chain as a tree as deep as it is long, which its visitors and
    /// evaluation walk recursively: 100 000 <c>and</c> (a 900 KB file) overflowed the stack and ended the process.
    /// </summary>
    public const int MaxChainLength = 200;

    private static readonly HashSet<string> Blocks = new(StringComparer.Ordinal)
    {
        "if", "unless", "case", "for", "tablerow", "capture", "ifchanged",
    };

    /// <summary>Null when the text nests within the limits; otherwise the offset of the first place too deep and why.</summary>
    public static (int Index, string Problem)? Check(string text)
    {
        var depth = 0;
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf('{', i);
            if (open < 0 || open + 1 >= text.Length)
            {
                return null;
            }

            var kind = text[open + 1];
            if (kind is not ('{' or '%'))
            {
                i = open + 1;
                continue;
            }

            var close = kind == '{' ? "}}" : "%}";
            var perLine = kind == '%' && FirstWord(text.AsSpan(open + 2).TrimStart("- \t\r\n")) == "liquid";
            var (end, badAt, tooLong) = ScanMarkup(text, open + 2, close, perLine);
            if (badAt >= 0)
            {
                return (badAt, tooLong
                    ? $"chains more than {MaxChainLength} filters or operators (and, or, contains, comparisons) in one expression"
                    : $"nests '(' or '[' deeper than {MaxExpressionDepth} levels");
            }

            if (end < 0)
            {
                return null; // unclosed markup: the parser reports it
            }

            if (kind == '%')
            {
                var body = text.AsSpan(open + 2, end - open - 2).Trim("- \t\r\n");
                var name = FirstWord(body);
                if (name is "raw" or "comment")
                {
                    var skipTo = text.IndexOf("end" + name, end, StringComparison.Ordinal);
                    i = skipTo < 0 ? text.Length : skipTo;
                    continue;
                }

                if (name == "liquid")
                {
                    foreach (var line in body[name.Length..].ToString().Split('\n'))
                    {
                        if (!Enter(FirstWord(line.AsSpan().Trim()), ref depth))
                        {
                            return (open, $"nests block tags deeper than {MaxBlockDepth} levels");
                        }
                    }
                }
                else if (!Enter(name, ref depth))
                {
                    return (open, $"nests block tags deeper than {MaxBlockDepth} levels");
                }
            }

            i = end + 2;
        }

        return null;
    }

    private static bool Enter(string tag, ref int depth)
    {
        if (Blocks.Contains(tag))
        {
            depth++;
        }
        else if (tag.StartsWith("end", StringComparison.Ordinal) && Blocks.Contains(tag[3..]))
        {
            depth = Math.Max(0, depth - 1);
        }

        return depth <= MaxBlockDepth;
    }

    /// <summary>
    /// Index of <paramref name="close"/> outside quotes (or -1), and the offset where brackets got too deep or a chain too
    /// long (or -1; <c>TooLong</c> says which).
    /// </summary>
    private static (int End, int BadAt, bool TooLong) ScanMarkup(string text, int start, string close, bool chainPerLine)
    {
        var depth = 0;
        var chain = 0;
        var quote = '\0';
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
                continue;
            }

            if (IsChainLink(text, i, out var length) && ++chain > MaxChainLength)
            {
                return (-1, i, true);
            }

            i += Math.Max(0, length - 1);
            switch (c)
            {
                case '\n' when chainPerLine:
                    chain = 0;
                    break;
                case '"' or '\'':
                    quote = c;
                    break;
                case '(' or '[':
                    if (++depth > MaxExpressionDepth)
                    {
                        return (-1, i, false);
                    }

                    break;
                case ')' or ']':
                    depth = Math.Max(0, depth - 1);
                    break;
                default:
                    if (c == close[0] && i + 1 < text.Length && text[i + 1] == close[1])
                    {
                        return (i, -1, false);
                    }

                    break;
            }
        }

        return (-1, -1, false);
    }

    /// <summary>Whether a filter bar, a comparison or an operator word starts at <paramref name="i"/>, and its length.</summary>
    private static bool IsChainLink(string text, int i, out int length)
    {
        length = 0;
        var c = text[i];
        if (c == '|')
        {
            length = 1;
            return true;
        }

        if (c is '=' or '!' or '<' or '>')
        {
            length = 1;
            while (i + length < text.Length && text[i + length] is '=' or '>')
            {
                length++;
            }

            return true;
        }

        if (!char.IsAsciiLetter(c) || (i > 0 && (char.IsAsciiLetterOrDigit(text[i - 1]) || text[i - 1] is '_' or '.')))
        {
            return false;
        }

        var word = FirstWord(text.AsSpan(i));
        length = word.Length;
        return word is "and" or "or" or "contains";
    }

    private static string FirstWord(ReadOnlySpan<char> text)
    {
        var length = 0;
        while (length < text.Length && (char.IsAsciiLetterOrDigit(text[length]) || text[length] == '_'))
        {
            length++;
        }

        return text[..length].ToString();
    }
}
