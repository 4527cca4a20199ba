using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Llm.Configuration;

/// <summary>
/// A value of the configuration file with its key path and position, so that every error names the file, the key and the
/// line. Sections read their part of the file through this type only (see <see cref="ILlmConfigSection"/>).
/// </summary>
public sealed class ConfigNode
{
    private static readonly string[] SecretKeyNames = ["api_key", "secret", "password", "token", "auth_token"];
    private readonly YamlNode? _node;

    internal ConfigNode(ConfigReadContext context, string path, YamlNode? node, YamlNode? parent = null)
    {
        Context = context;
        Path = path;
        _node = node;
        Position = node ?? parent;
    }

    public ConfigReadContext Context { get; }

    /// <summary>Dotted key path, e.g. <c>providers.openai.rate_limit_rpm</c>.</summary>
    public string Path { get; }

    /// <summary>The key is absent from the file.</summary>
    public bool IsMissing => _node is null;

    /// <summary>Absent, or an explicit YAML null (<c>~</c>, <c>null</c>, or nothing after the colon).</summary>
    public bool IsNull => _node is null || (_node is YamlScalarNode { Style: ScalarStyle.Plain } s && IsNullLiteral(s.Value));

    private YamlNode? Position { get; }

    private string Where => Position is null ? string.Empty : $" (line {Position.Start.Line}, column {Position.Start.Column})";

    /// <summary>An error at this key; the position is appended.</summary>
    public ConfigurationException Error(string problem) => new(Context.File, Path, problem + Where);

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
                throw new ConfigurationException(Context.File, Path, $"keys must be plain names (line {k.Start.Line}, column {k.Start.Column})");
            }

            list.Add(new(key, new ConfigNode(Context, ChildPath(key), v, k)));
        }

        return list;
    }

    /// <summary>Fails on the first key that is not in <paramref name="known"/>, suggesting the closest known key.</summary>
    public void ExpectOnlyKeys(IReadOnlyCollection<string> known)
    {
        foreach (var (key, child) in Entries())
        {
            if (!known.Contains(key))
            {
                var hint = KeySuggestion.Closest(key, known) is { } s ? $"; did you mean '{s}'?" : $"; known keys: {string.Join(", ", known)}";
                throw child.ErrorAtKey($"unknown key '{key}'{hint}");
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

        return new ConfigNode(Context, ChildPath(key), null, _node);
    }

    /// <summary>Plain scalar text; null when absent or YAML null. Mappings and sequences are type errors.</summary>
    public string? AsString()
    {
        if (IsNull)
        {
            return null;
        }

        return _node is YamlScalarNode s ? s.Value ?? string.Empty : throw Error($"expected a string, got {Describe()}");
    }

    /// <summary>A non-empty string; fails when absent, null or blank.</summary>
    public string AsRequiredString()
    {
        var value = AsString();
        if (IsMissing)
        {
            throw Error("is required");
        }

        return string.IsNullOrWhiteSpace(value) ? throw Error("must not be empty") : value;
    }

    /// <summary><c>true</c>/<c>false</c> (unquoted); null when absent.</summary>
    public bool? AsBool()
    {
        var s = RequirePlainScalar("true or false");
        return s is null ? null
            : s.Equals("true", StringComparison.OrdinalIgnoreCase) ? true
            : s.Equals("false", StringComparison.OrdinalIgnoreCase) ? false
            : throw Error($"expected true or false, got {Describe()}");
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>]; null when absent or null.</summary>
    public int? AsInt(int min = int.MinValue, int max = int.MaxValue)
    {
        var s = RequirePlainScalar("an integer");
        if (s is null)
        {
            return null;
        }

        if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Error($"expected an integer, got {Describe()}");
        }

        return value < min || value > max ? throw Error(RangeProblem(value.ToString(CultureInfo.InvariantCulture), min, max)) : value;
    }

    /// <summary>A decimal number in [<paramref name="min"/>, <paramref name="max"/>]; null when absent or null.</summary>
    public decimal? AsDecimal(decimal min = decimal.MinValue, decimal max = decimal.MaxValue)
    {
        var s = RequirePlainScalar("a number");
        if (s is null)
        {
            return null;
        }

        if (!decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw Error($"expected a number, got {Describe()}");
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

    /// <summary>The string with <c>${VAR}</c> references expanded; <c>MissingVariable</c> is set (and the value null) when one is unset.</summary>
    public (string? Value, string? MissingVariable, string? Variable) AsExpandedString()
    {
        var raw = AsString();
        return raw is null ? (null, null, null) : EnvironmentReference.Expand(this, raw, Context.Environment);
    }

    /// <summary>An absolute http(s) URL, after <c>${VAR}</c> expansion; null when absent. A missing variable is an error.</summary>
    public Uri? AsHttpUrl()
    {
        var (value, missing, variable) = AsExpandedString();
        if (missing is not null)
        {
            throw Error($"environment variable '{missing}' is not set");
        }

        if (value is null)
        {
            return null;
        }

        var shown = variable is null ? $"'{value}'" : "the value";
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw Error($"{shown} is not an absolute http(s) URL");
        }

        return !string.IsNullOrEmpty(uri.UserInfo) ? throw Error("URL must not contain credentials; use api_key") : uri;
    }

    internal ConfigurationException ErrorAtKey(string problem) => Error(problem);

    private string ChildPath(string key) =>
        key.Contains('.', StringComparison.Ordinal) || key.Contains(' ', StringComparison.Ordinal)
            ? $"{Path}[\"{key}\"]"
            : Path.Length == 0 ? key : $"{Path}.{key}";

    private string? RequirePlainScalar(string expected)
    {
        if (IsNull)
        {
            return null;
        }

        return _node is YamlScalarNode { Style: ScalarStyle.Plain } s ? s.Value : throw Error($"expected {expected}, got {Describe()}");
    }

    private string Describe()
    {
        var isSecret = Array.Exists(SecretKeyNames, n => Path.EndsWith(n, StringComparison.Ordinal));
        return _node switch
        {
            null => "nothing",
            YamlMappingNode => "a mapping",
            YamlSequenceNode => "a list",
            YamlScalarNode s when isSecret => s.Style == ScalarStyle.Plain ? "a value (not shown: secret)" : "a quoted string (not shown: secret)",
            YamlScalarNode { Style: ScalarStyle.Plain } s => $"'{Truncate(s.Value)}'",
            YamlScalarNode s => $"the quoted string \"{Truncate(s.Value)}\"",
            _ => "an alias",
        };
    }

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
