using System.Text.Json;
using CompanyOs.Tools.Registry;

namespace CompanyOs.Tools.Tests.Registry;

public class ArgumentValidationTests
{
    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "path": { "type": "string", "minLength": 1 },
            "limit": { "type": "integer", "minimum": 1, "maximum": 100 },
            "mode": { "enum": ["fast", "slow"] },
            "items": { "type": "array", "items": { "type": "object", "properties": { "name": { "type": "string" } }, "required": ["name"] } }
          },
          "required": ["path"],
          "additionalProperties": false
        }
        """;

    private readonly ToolRegistry _registry = new([new TestTool("sample", Schema)]);

    private IReadOnlyList<string> Validate(string json)
    {
        Assert.True(_registry.TryGet("sample", out var tool));
        return _registry.Validate(tool, Json.Parse(json));
    }

    [Fact]
    public void Valid_arguments_have_no_problems()
    {
        Assert.Empty(Validate("""{"path":"a.txt","limit":5,"mode":"fast","items":[{"name":"x"}]}"""));
    }

    [Fact]
    public void Missing_required_property_is_reported_at_the_root()
    {
        var problems = Validate("""{"limit":5}""");

        var problem = Assert.Single(problems);
        Assert.StartsWith("$: ", problem, StringComparison.Ordinal);
        Assert.Contains("path", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_violation_is_listed_with_its_json_path()
    {
        var problems = Validate("""{"path":"","limit":500,"mode":"medium","items":[{"name":"ok"},{"name":3}],"extra":true}""");

        Assert.Contains(problems, p => p.StartsWith("$.path: ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("$.limit: ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("$.mode: ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("$.items[1].name: ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("extra", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.StartsWith("$.items[0]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[]", "an array")]
    [InlineData("\"text\"", "string")]
    [InlineData("42", "number")]
    [InlineData("null", "null")]
    public void Non_object_arguments_are_refused(string json, string kind)
    {
        var problem = Assert.Single(Validate(json));

        Assert.Equal($"$: arguments must be a JSON object, got {kind}", problem);
    }

    // MCP servers may declare recursive schemas; evaluating one against 10,000 levels of nesting overflowed the stack (process abort).
    [Fact]
    public void Arguments_nested_beyond_the_depth_limit_are_refused_before_a_recursive_schema_evaluates_them()
    {
        var registry = new ToolRegistry([new TestTool("tree", """{"type":"object","properties":{"child":{"$ref":"#"}}}""")]);
        Assert.True(registry.TryGet("tree", out var tool));
        const int depth = 10_000;
        var json = string.Concat(Enumerable.Repeat("""{"child":""", depth - 1)) + "{}" + new string('}', depth - 1);
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = depth + 1 });

        var problem = Assert.Single(registry.Validate(tool, document.RootElement));

        Assert.Contains($"nested more than {ArgumentSchema.MaxArgumentDepth} levels", problem, StringComparison.Ordinal);
        Assert.StartsWith("$.child.child.", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Arguments_nested_up_to_the_depth_limit_are_still_validated_against_the_recursive_schema()
    {
        var registry = new ToolRegistry([new TestTool("tree", """{"type":"object","properties":{"child":{"$ref":"#"},"n":{"type":"integer"}}}""")]);
        Assert.True(registry.TryGet("tree", out var tool));
        var depth = ArgumentSchema.MaxArgumentDepth;
        var json = string.Concat(Enumerable.Repeat("""{"child":""", depth - 1)) + """{"n":"x"}""" + new string('}', depth - 1);

        var problem = Assert.Single(registry.Validate(tool, Json.Parse(json)));

        Assert.StartsWith("$" + string.Concat(Enumerable.Repeat(".child", depth - 1)) + ".n: ", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/a/b", "$.a.b")]
    [InlineData("/items/3/name", "$.items[3].name")]
    [InlineData("/we ird/x~1y", "$['we ird']['x/y']")]
    [InlineData("", "$")]
    public void Json_pointers_become_json_paths(string jsonPointer, string expected)
    {
        Assert.Equal(expected, ArgumentSchema.ToJsonPath(jsonPointer));
    }
}
