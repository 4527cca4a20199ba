using System.Text;
using System.Text.Json;
using Json.Schema;

namespace CompanyOs.Tools.Registry;

/// <summary>A tool's argument schema, compiled once, that reports every violation with the JSON path of the offending value.</summary>
public sealed class ArgumentSchema
{
    // The flag format stops at the first failure and collects nothing: the cheap check for the usual, valid call. Only an
    // invalid call is evaluated again with the list format, for every violation and its location.
    private static readonly EvaluationOptions Quick = new() { OutputFormat = OutputFormat.Flag };

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };

    /// <summary>
    /// Deepest nesting of objects and arrays accepted in arguments. Schema evaluation recurses once per level (more with
    /// <c>$ref</c>), so a recursive schema plus deeply nested arguments would otherwise overflow the stack and kill the process.
    /// </summary>
    public const int MaxArgumentDepth = 64;

    private readonly JsonSchema _schema;

    private ArgumentSchema(JsonSchema schema) => _schema = schema;

    /// <summary>Compiles <paramref name="schema"/>; throws <see cref="ToolRegistrationException"/> naming the tool when it is not a usable object schema.</summary>
    public static ArgumentSchema Compile(string toolName, JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new ToolRegistrationException(toolName, $"parameter schema must be a JSON object, got {Describe(schema.ValueKind)}");
        }

        if (schema.TryGetProperty("type", out var type) && !(type.ValueKind == JsonValueKind.String && type.ValueEquals("object")))
        {
            throw new ToolRegistrationException(toolName, $"parameter schema must have \"type\": \"object\", got {type.GetRawText()}");
        }

        try
        {
            // A private registry per schema: tools from different sources may reuse the same $id without clashing.
            var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
            var baseUri = new Uri($"urn:companyos:tool:{Uri.EscapeDataString(toolName)}");
            return new ArgumentSchema(JsonSchema.Build(schema.Clone(), options, baseUri));
        }
        catch (Exception ex) when (ex is JsonSchemaException or JsonException or ArgumentException or InvalidOperationException)
        {
            throw new ToolRegistrationException(toolName, $"parameter schema is not a valid JSON schema: {ex.Message}", ex);
        }
    }

    /// <summary>Returns one line per violation, <c>$.path: problem</c>; empty when <paramref name="arguments"/> is valid.</summary>
    public IReadOnlyList<string> Validate(JsonElement arguments)
    {
        if (arguments.ValueKind != JsonValueKind.Object)
        {
            return [$"$: arguments must be a JSON object, got {Describe(arguments.ValueKind)}"];
        }

        if (FindTooDeep(arguments) is { } tooDeep)
        {
            return [$"{tooDeep}: arguments are nested more than {MaxArgumentDepth} levels deep; flatten them"];
        }

        if (_schema.Evaluate(arguments, Quick).IsValid)
        {
            return [];
        }

        var results = _schema.Evaluate(arguments, Evaluation);
        if (results.IsValid)
        {
            return [];
        }

        var problems = new List<string>();
        Collect(results, problems);
        if (problems.Count == 0)
        {
            problems.Add("$: arguments do not match the schema");
        }

        return problems;
    }

    // Iterative on purpose: a recursive walk is exactly what must not run on attacker-chosen depth.
    private static string? FindTooDeep(JsonElement arguments)
    {
        var pending = new Stack<(JsonElement Value, int Depth, string Path)>();
        pending.Push((arguments, 1, "$"));
        while (pending.TryPop(out var item))
        {
            if (item.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
            {
                continue;
            }

            if (item.Depth > MaxArgumentDepth)
            {
                return item.Path.Length > 200 ? item.Path[..200] + "…" : item.Path;
            }

            if (item.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in item.Value.EnumerateObject())
                {
                    pending.Push((property.Value, item.Depth + 1, $"{item.Path}.{property.Name}"));
                }
            }
            else
            {
                var index = 0;
                foreach (var element in item.Value.EnumerateArray())
                {
                    pending.Push((element, item.Depth + 1, $"{item.Path}[{index++}]"));
                }
            }
        }

        return null;
    }

    private static void Collect(EvaluationResults node, List<string> problems)
    {
        if (node.Errors is { Count: > 0 } errors)
        {
            var path = ToJsonPath(node.InstanceLocation.ToString());
            foreach (var (_, message) in errors)
            {
                var line = $"{path}: {message}";
                if (!problems.Contains(line))
                {
                    problems.Add(line);
                }
            }
        }

        if (node.Details is { } details)
        {
            foreach (var child in details)
            {
                Collect(child, problems);
            }
        }
    }

    /// <summary>Turns a JSON pointer (<c>/items/0/name</c>) into the JSONPath form models read more easily (<c>$.items[0].name</c>).</summary>
    public static string ToJsonPath(string jsonPointer)
    {
        var path = new StringBuilder("$");
        foreach (var raw in jsonPointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (segment.All(char.IsAsciiDigit))
            {
                path.Append('[').Append(segment).Append(']');
            }
            else if (segment.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                path.Append('.').Append(segment);
            }
            else
            {
                path.Append("['").Append(segment.Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
            }
        }

        return path.ToString();
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Undefined => "nothing",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
