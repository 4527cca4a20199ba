using System.Globalization;
using System.Text.RegularExpressions;
using CompanyOs.Llm.Configuration;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Tools.Configuration;

/// <summary>A YAML node with its dotted key path; every accessor fails with a <see cref="ConfigurationException"/> naming file, key and line.</summary>
internal sealed partial class YamlConfigNode
{
    private readonly string _file;
    private readonly YamlNode? _node;
    private readonly Func<string, string?> _environment;

    public YamlConfigNode(string file, string path, YamlNode? node, Func<string, string?> environment)
    {
        _file = file;
        Path = path;
        _node = node;
        _environment = environment;
    }

    public string Path { get; }

    public bool IsMissing => _node is null || _node is YamlScalarNode { Value: null or "" or "~" or "null" };

    public ConfigurationException Error(string problem) =>
        new(_file, Path, _node is null ? problem : string.Create(CultureInfo.InvariantCulture, $"{problem} (line {_node.Start.Line}, column {_node.Start.Column})"));

    public YamlConfigNode Child(string key)
    {
        var map = Mapping();
        map.Children.TryGetValue(new YamlScalarNode(key), out var child);
        return new YamlConfigNode(_file, Path.Length == 0 ? key : $"{Path}.{key}", child, _environment);
    }

    public IEnumerable<(string Key, YamlConfigNode Node)> Entries()
    {
        foreach (var (key, value) in Mapping().Children)
        {
            var name = ((YamlScalarNode)key).Value ?? string.Empty;
            yield return (name, new YamlConfigNode(_file, Path.Length == 0 ? name : $"{Path}.{name}", value, _environment));
        }
    }

    public void ExpectOnlyKeys(params string[] known)
    {
        if (IsMissing)
        {
            return;
        }

        foreach (var (key, node) in Entries())
        {
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                throw node.Error($"unknown key '{key}'; expected one of: {string.Join(", ", known)}");
            }
        }
    }

    public string? String()
    {
        if (IsMissing)
        {
            return null;
        }

        if (_node is not YamlScalarNode scalar)
        {
            throw Error("expected a text value");
        }

        return Expand(scalar.Value ?? string.Empty);
    }

    public int? Int(int min, int max)
    {
        var text = String();
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw Error($"expected a whole number from {min} to {max}, got '{text}'");
        }

        return value;
    }

    public bool? Bool()
    {
        var text = String();
        return text switch
        {
            null => null,
            "true" or "True" or "yes" => true,
            "false" or "False" or "no" => false,
            _ => throw Error($"expected true or false, got '{text}'"),
        };
    }

    public TimeSpan? Seconds(double max)
    {
        var text = String();
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > max)
        {
            throw Error($"expected seconds greater than 0 and at most {max}, got '{text}'");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    public Uri? HttpUrl()
    {
        var text = String();
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw Error($"expected an absolute http(s) URL, got '{text}'");
        }

        return uri;
    }

    public IReadOnlyList<string> StringList()
    {
        if (IsMissing)
        {
            return [];
        }

        if (_node is not YamlSequenceNode sequence)
        {
            throw Error("expected a list");
        }

        return [.. sequence.Children.Select((item, i) => new YamlConfigNode(_file, $"{Path}[{i}]", item, _environment).String() ?? string.Empty)];
    }

    public IReadOnlyDictionary<string, string> StringMap()
    {
        if (IsMissing)
        {
            return new Dictionary<string, string>();
        }

        return Entries().ToDictionary(e => e.Key, e => e.Node.String() ?? string.Empty, StringComparer.Ordinal);
    }

    private YamlMappingNode Mapping() => _node switch
    {
        YamlMappingNode map => map,
        null => new YamlMappingNode(),
        YamlScalarNode { Value: null or "" or "~" or "null" } => new YamlMappingNode(),
        _ => throw Error("expected a mapping (key: value pairs)"),
    };

    // ${VAR} is replaced by the environment variable; a missing variable is an error naming it (never an empty secret).
    private string Expand(string value) => Variable().Replace(value, match =>
    {
        var name = match.Groups[1].Value;
        return _environment(name) is { Length: > 0 } resolved ? resolved : throw Error($"environment variable '{name}' is not set");
    });

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Variable();
}
