using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace CompanyOs.Emulator.Model;

/// <summary>
/// What a user's task says about one tool call's arguments, so that the scripted model calls tools the way a real model
/// would: the path or quoted string after the tool's name (else the first in the text) for path-like properties, the
/// fenced code block for <c>code</c> (its info string for <c>language</c>), and the task's own words for a query.
/// </summary>
internal sealed partial class TaskHints
{
    private const int MaxQueryWords = 12;

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, TypeInfoResolver = EmulatorJsonContext.Default };
    private static readonly JsonTypeInfo<string> RelaxedString = (JsonTypeInfo<string>)Relaxed.GetTypeInfo(typeof(string));

    private static readonly HashSet<string> PathNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "path", "file", "file_path", "filepath", "filename", "file_name", "directory", "dir", "folder",
    };

    private static readonly HashSet<string> QueryNames = new(StringComparer.OrdinalIgnoreCase) { "query", "q", "search", "search_query", "question", "topic" };

    // Words that only say how to call the tool ("Use web_search to find …") and are not what to look for.
    private static readonly HashSet<string> Filler = new(StringComparer.OrdinalIgnoreCase)
    {
        "use", "using", "call", "run", "with", "to", "on", "for", "about", "please", "the", "a", "an", "and", "then", "tool", "search", "look", "up",
    };

    private static readonly Dictionary<string, string> LanguageAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["py"] = "python", ["python3"] = "python", ["sh"] = "bash", ["shell"] = "bash", ["js"] = "node", ["javascript"] = "node",
    };

    private readonly string _text;
    private readonly string _afterTool;
    private readonly string _toolName;

    private TaskHints(string text, string toolName)
    {
        _text = StripLabel(text);
        _toolName = toolName;
        var at = MentionIndex(_text, toolName);
        _afterTool = at < 0 ? _text : _text[at..];
    }

    /// <summary>The text the hints are read from: the last user text, for the tool <paramref name="toolName"/>.</summary>
    public static TaskHints For(string userText, string toolName) => new(userText ?? string.Empty, toolName ?? string.Empty);

    /// <summary>A value for the string property <paramref name="name"/> (whose schema is <paramref name="schema"/>), or null when the task says nothing about it.</summary>
    public string? StringFor(string name, JsonElement schema) =>
        PathNames.Contains(name) ? PathOrQuoted()
        : string.Equals(name, "code", StringComparison.OrdinalIgnoreCase) ? Code(LanguageValue(null))
        : string.Equals(name, "language", StringComparison.OrdinalIgnoreCase) ? LanguageValue(schema)
        : QueryNames.Contains(name) ? Query()
        : null;

    /// <summary>The first quoted string or path-like word after the tool's name, else the first anywhere in the task.</summary>
    public string? PathOrQuoted() => FirstPath(_afterTool) ?? FirstPath(_text);

    /// <summary>The task's words without the tool's name, how-to-call filler and the <c>Task:</c> label, at most 12 words.</summary>
    public string Query()
    {
        var words = Words().Select(w => w.Trim('"', '\'', '`').TrimEnd(',', ';', ':', '.', '!', '?')).Where(w => w.Length > 0).Take(MaxQueryWords).ToArray();
        return words.Length > 0 ? string.Join(' ', words) : _text.Trim();
    }

    /// <summary>
    /// The fenced code block's contents; without one, a program in <paramref name="language"/> that prints the task,
    /// so the call runs instead of failing on prose.
    /// </summary>
    public string Code(string? language)
    {
        if (Fence() is { } fence)
        {
            return fence.Code;
        }

        var request = string.Join(' ', Words());
        return language switch
        {
            "bash" => "echo " + ShellQuote(request),
            "node" => $"console.log({JsonSerializer.Serialize(request, RelaxedString)});",
            _ => $"print({JsonSerializer.Serialize(request, RelaxedString)})",
        };
    }

    /// <summary>The fenced block's language when the schema's enum allows it (aliases such as <c>py</c>, <c>sh</c>, <c>js</c> mapped).</summary>
    public string? LanguageValue(JsonElement? schema)
    {
        var wanted = Fence()?.Language is { Length: > 0 } info ? (LanguageAliases.TryGetValue(info, out var mapped) ? mapped : info.ToLowerInvariant()) : null;
        if (schema is not { ValueKind: JsonValueKind.Object } s || !s.TryGetProperty("enum", out var values) || values.ValueKind != JsonValueKind.Array)
        {
            return wanted;
        }

        var allowed = values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToArray();
        return allowed.FirstOrDefault(v => string.Equals(v, wanted, StringComparison.OrdinalIgnoreCase));
    }

    private (string? Language, string Code)? Fence()
    {
        var match = FencePattern().Match(_text);
        return match.Success ? (match.Groups["lang"].Success ? match.Groups["lang"].Value : null, match.Groups["code"].Value.Trim('\r', '\n')) : null;
    }

    // The task's words without the code block, the tool's name and the how-to-call words it starts with.
    private IEnumerable<string> Words() =>
        Mentionless(_text).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => Filler.Contains(w.Trim(',', ';', ':', '.')));

    private string Mentionless(string text)
    {
        var withoutFence = FencePattern().Replace(text, " ");
        return _toolName.Length == 0
            ? withoutFence
            : withoutFence.Replace(_toolName, " ", StringComparison.OrdinalIgnoreCase).Replace(_toolName.Replace('_', ' '), " ", StringComparison.OrdinalIgnoreCase);
    }

    private static string? FirstPath(string text)
    {
        var withoutFence = FencePattern().Replace(text, " ");
        var quoted = QuotedPattern().Match(withoutFence);
        var path = WordPattern().Matches(withoutFence)
            .Select(m => (m.Index, Word: m.Value.TrimEnd('.', ',', ';', ':', '!', '?', ')')))
            .FirstOrDefault(w => LooksLikePath(w.Word) && (!quoted.Success || w.Index < quoted.Index));
        return path.Word is not null ? path.Word : quoted.Success ? quoted.Groups["q"].Value : null;
    }

    // docs/cli.md, ./src, /etc/hosts, README.md — but not a URL, a version number or "e.g".
    private static bool LooksLikePath(string word)
    {
        if (word.Length < 2 || word.Contains("://", StringComparison.Ordinal) || !word.All(c => char.IsLetterOrDigit(c) || c is '.' or '/' or '_' or '-' or '~'))
        {
            return false;
        }

        if (word.Contains('/', StringComparison.Ordinal))
        {
            return word.Any(char.IsLetterOrDigit) || word is "/" or "./" or "../";
        }

        var dot = word.LastIndexOf('.');
        return dot >= 2 && word.Length - dot - 1 is >= 1 and <= 8 && char.IsLetter(word[dot + 1]) && word[(dot + 1)..].All(char.IsLetterOrDigit);
    }

    private static int MentionIndex(string text, string toolName)
    {
        if (toolName.Length == 0)
        {
            return -1;
        }

        var at = text.IndexOf(toolName, StringComparison.OrdinalIgnoreCase);
        if (at >= 0)
        {
            return at + toolName.Length;
        }

        var spaced = toolName.Replace('_', ' ');
        at = text.IndexOf(spaced, StringComparison.OrdinalIgnoreCase);
        return at < 0 ? -1 : at + spaced.Length;
    }

    // The agent runtime sends the task as "Task: …"; the label is not part of what the user asked.
    private static string StripLabel(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith("Task:", StringComparison.OrdinalIgnoreCase) ? trimmed["Task:".Length..].TrimStart() : trimmed;
    }

    private static string ShellQuote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    // ```lang\ncode``` or ```code```; the info string counts only when whitespace follows it.
    [GeneratedRegex(@"```(?:(?<lang>[A-Za-z0-9_+#-]+)(?:[ \t]*\r?\n|[ \t]+))?(?<code>[\s\S]*?)```")]
    private static partial Regex FencePattern();

    // "…", `…`, “…”, or '…' standing alone (not an apostrophe inside a word).
    [GeneratedRegex("""(?:"(?<q>[^"\r\n]+)"|`(?<q>[^`\r\n]+)`|“(?<q>[^”\r\n]+)”|(?<![\w])'(?<q>[^'\r\n]+)'(?![\w]))""")]
    private static partial Regex QuotedPattern();

    // A word: what may be a path, with the punctuation around it left for LooksLikePath to trim.
    [GeneratedRegex(@"[^\s,;()\[\]""'`“”]+")]
    private static partial Regex WordPattern();
}
