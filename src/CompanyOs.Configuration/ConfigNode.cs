using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Configuration;

/// <summary>
/// A value of a configuration file with its key path and position, so that every error names the file, the key and the
/// line. The same rules hold in every file read through it:
/// <list type="bullet">
/// <item>null (<c>~</c>, <c>null</c>, nothing after the colon) means the same as an absent key: the default applies;</item>
/// <item>every scalar value may use <c>${VAR}</c> or <c>${VAR:-default}</c>; a variable that is unset or empty counts as
/// missing (then the default is used, or reading fails naming the variable);</item>
/// <item>an empty string (<c>""</c>, or an expansion that yields nothing) is an error: remove the key, or write <c>~</c>;</item>
/// <item>unknown keys are errors with a "did you mean" hint.</item>
/// </list>
/// </summary>
public sealed class ConfigNode
{
    private const string EmptyProblem = "must not be empty (remove the key, or write ~, to use the default)";
    private static readonly string[] SecretKeyNames = ["api_key", "secret", "password", "token", "auth_token", "headers", "env"];
    private readonly YamlNode? _node;
    private readonly YamlNode? _position;

    internal ConfigNode(ConfigReadContext context, string path, YamlNode? node, YamlNode? position = null)
    {
        Context = context;
        Path = path;
        _node = node;
        _position = node ?? position;
    }

    public ConfigReadContext Context { get; }

    /// <summary>Dotted key path, e.g. <c>providers.openai.rate_limit_rpm</c>; list items as <c>tools[2]</c>.</summary>
    public string Path { get; }

    /// <summary>The key is absent from the file.</summary>
    public bool IsMissing => _node is null;

    /// <summary>Absent, or an explicit YAML null (<c>~</c>, <c>null</c>, or nothing after the colon). Quoted text is never null.</summary>
    public bool IsNull => _node is null || (_node is YamlScalarNode { Style: ScalarStyle.Plain } s && IsNullLiteral(s.Value));

    /// <summary>The value is a mapping (<c>key: value</c> lines).</summary>
    public bool IsMapping => _node is YamlMappingNode;

    /// <summary>1-based line of this value (of its parent when the key is absent); null when unknown.</summary>
    public int? Line => _position is null ? null : (int)_position.Start.Line;

    private int? Column => _position is null ? null : (int)_position.Start.Column;

    /// <summary>An error at this key, with its line and column.</summary>
    public ConfigurationException Error(string problem) => new(Context.File, Path, problem, Line, Column);

    /// <summary>The entries of a mapping in file order; fails when this is not a mapping. Missing/null = no entries.</summary>
    public IReadOnlyList<KeyValuePair<string, ConfigNode>> Entries()
    {
        if (IsNull)
        {
            return [];
        }

        if (_node is not YamlMappingNode map)
        {
            throw Error($"expected a mapping (key: value lines), got {Describe()}");
        }

        var list = new List<KeyValuePair<string, ConfigNode>>(map.Children.Count);
        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode { Value: { Length: > 0 } key })
            {
                throw new ConfigurationException(Context.File, Path, "keys must be plain names", (int)k.Start.Line, (int)k.Start.Column);
            }

            list.Add(new(key, new ConfigNode(Context, ChildPath(key), v, k)));
        }

        return list;
    }

    /// <summary>The items of a list; fails when this is not a list. Missing/null = no items.</summary>
    public IReadOnlyList<ConfigNode> Items()
    {
        if (IsNull)
        {
            return [];
        }

        if (_node is not YamlSequenceNode list)
        {
            throw Error($"expected a list, got {Describe()}");
        }

        return [.. list.Children.Select((item, i) => new ConfigNode(Context, $"{Path}[{i}]", item))];
    }

    /// <summary>Fails on the first key that is not in <paramref name="known"/>, suggesting the closest known key.</summary>
    public void ExpectOnlyKeys(params IReadOnlyCollection<string> known)
    {
        ArgumentNullException.ThrowIfNull(known);
        foreach (var (key, child) in Entries())
        {
            if (!known.Contains(key))
            {
                var hint = KeySuggestion.Closest(key, known) is { } s ? $"; did you mean '{s}'?" : $"; known keys: {string.Join(", ", known)}";
                throw child.Error($"unknown key '{key}'{hint}");
            }
        }
    }

    /// <summary>The value under <paramref name="key"/> (a missing node when absent). This must be a mapping or null.</summary>
    public ConfigNode Child(string key)
    {
        foreach (var (k, v) in Entries())
        {
            if (k == key)
            {
                return v;
            }
        }

        return new ConfigNode(Context, ChildPath(key), null, _position);
    }

    /// <summary>
    /// The text after <c>${VAR}</c> expansion; null when absent or null. A missing variable, an empty result and a mapping or
    /// list are errors.
    /// </summary>
    public string? AsString() => Text().Value;

    /// <summary>A non-empty string; fails when absent, null or blank.</summary>
    public string AsRequiredString() => AsString() ?? throw Error("is required");

    /// <summary>
    /// The text with <c>${VAR}</c> references expanded, leaving the decision about a missing variable (and an empty value)
    /// to the caller: e.g. an API key that is only needed when its provider is enabled.
    /// </summary>
    public ExpandedValue AsExpandedString()
    {
        if (IsNull)
        {
            return new(null, null, null);
        }

        var raw = _node is YamlScalarNode s ? s.Value ?? string.Empty : throw Error($"expected a string, got {Describe()}");
        return EnvironmentReference.Expand(raw, Context.Environment, Error);
    }

    /// <summary>The items of a list of non-empty strings; missing/null = empty list.</summary>
    public IReadOnlyList<string> AsStringList() => [.. Items().Select(item => item.AsRequiredString())];

    /// <summary>A mapping of names to non-empty strings, in file order; missing/null = empty.</summary>
    public IReadOnlyDictionary<string, string> AsStringMap() =>
        Entries().ToDictionary(e => e.Key, e => e.Value.AsRequiredString(), StringComparer.Ordinal);

    /// <summary><c>true</c>/<c>false</c> (unquoted); null when absent.</summary>
    public bool? AsBool()
    {
        var (text, shown) = PlainScalar("true or false");
        return text is null ? null
            : text.Equals("true", StringComparison.OrdinalIgnoreCase) ? true
            : text.Equals("false", StringComparison.OrdinalIgnoreCase) ? false
            : throw Error($"expected true or false, got {shown}");
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>]; null when absent or null.</summary>
    public int? AsInt(int min = int.MinValue, int max = int.MaxValue)
    {
        var (text, shown) = PlainScalar("an integer");
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Error($"expected an integer, got {shown}");
        }

        return value < min || value > max ? throw Error(RangeProblem(value.ToString(CultureInfo.InvariantCulture), min, max)) : value;
    }

    /// <summary>A decimal number in [<paramref name="min"/>, <paramref name="max"/>]; null when absent or null.</summary>
    public decimal? AsDecimal(decimal min = decimal.MinValue, decimal max = decimal.MaxValue)
    {
        var (text, shown) = PlainScalar("a number");
        if (text is null)
        {
            return null;
        }

        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw Error($"expected a number, got {shown}");
        }

        return value < min || value > max ? throw Error(RangeProblem(value.ToString(CultureInfo.InvariantCulture), min, max)) : value;
    }

    /// <summary>A positive number of seconds (fractions allowed) up to <paramref name="maxSeconds"/>.</summary>
    public TimeSpan? AsSeconds(double maxSeconds = 86_400)
    {
        var value = AsDecimal();
        if (value is null)
        {
            return null;
        }

        return value <= 0 || value > (decimal)maxSeconds
            ? throw Error($"must be a positive number of seconds up to {maxSeconds.ToString(CultureInfo.InvariantCulture)}, got {value.Value.ToString(CultureInfo.InvariantCulture)}")
            : TimeSpan.FromSeconds((double)value.Value);
    }

    /// <summary>An absolute http(s) URL without credentials, after <c>${VAR}</c> expansion; null when absent or null.</summary>
    public Uri? AsHttpUrl()
    {
        var (value, variable) = Text();
        if (value is null)
        {
            return null;
        }

        var shown = Shown(value, variable);
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw Error($"{shown} is not an absolute http(s) URL");
        }

        return !string.IsNullOrEmpty(uri.UserInfo) ? throw Error("URL must not contain credentials; use api_key") : uri;
    }

    private string ChildPath(string key) =>
        key.Contains('.', StringComparison.Ordinal) || key.Contains(' ', StringComparison.Ordinal)
            ? $"{Path}[\"{key}\"]"
            : Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>An unquoted scalar after expansion, and how to show it in an error.</summary>
    private (string? Text, string Shown) PlainScalar(string expected)
    {
        if (IsNull)
        {
            return (null, string.Empty);
        }

        if (_node is not YamlScalarNode { Style: ScalarStyle.Plain })
        {
            throw Error($"expected {expected}, got {Describe()}");
        }

        var (value, variable) = Text();
        return (value, Shown(value!, variable));
    }

    /// <summary>The expanded text (null when null/absent) and the variable it came from; a missing variable or an empty result fails.</summary>
    private (string? Value, string? Variable) Text()
    {
        var (value, missing, variable) = AsExpandedString();
        if (missing is not null)
        {
            throw Error($"environment variable '{missing}' is not set (or is empty); set it, or give a default: ${{{missing}:-default}}");
        }

        return value is not null && string.IsNullOrWhiteSpace(value) ? throw Error(EmptyProblem) : (value, variable);
    }

    // Values that came from the environment, and values of secret keys, are never echoed.
    private string Shown(string value, string? variable) =>
        variable is not null ? $"the value of ${{{variable}}}" : IsSecret ? "a value (not shown: secret)" : $"'{Truncate(value)}'";

    private bool IsSecret => Array.Exists(SecretKeyNames, n => Path.EndsWith(n, StringComparison.Ordinal) || Path.Contains($".{n}.", StringComparison.Ordinal));

    private string Describe() => _node switch
    {
        null => "nothing",
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsSecret => s.Style == ScalarStyle.Plain ? "a value (not shown: secret)" : "a quoted string (not shown: secret)",
        YamlScalarNode { Style: ScalarStyle.Plain } s => $"'{Truncate(s.Value)}'",
        YamlScalarNode s => $"the quoted string \"{Truncate(s.Value)}\"",
        _ => "an alias",
    };

    private static string Truncate(string? s) => s is null ? string.Empty : s.Length <= 60 ? s : string.Concat(s.AsSpan(0, 57), "...");

    private static string RangeProblem(string value, IFormattable min, IFormattable max)
    {
        var lo = min.ToString(null, CultureInfo.InvariantCulture);
        var hi = max.ToString(null, CultureInfo.InvariantCulture);
        return (lo, hi) switch
        {
            ("1", _) when hi.Length > 9 => $"must be positive, got {value}",
            ("0", _) when hi.Length > 9 => $"must not be negative, got {value}",
            _ => $"must be between {lo} and {hi}, got {value}",
        };
    }

    private static bool IsNullLiteral(string? v) => v is null or "" or "~" or "null" or "Null" or "NULL";
}
