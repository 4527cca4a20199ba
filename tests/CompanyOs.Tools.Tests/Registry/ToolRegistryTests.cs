using CompanyOs.Tools.Registry;

namespace CompanyOs.Tools.Tests.Registry;

public class ToolRegistryTests
{
    [Fact]
    public void Registered_tools_are_found_by_exact_name_in_registration_order()
    {
        var registry = new ToolRegistry([new TestTool("b_tool"), new TestTool("a-tool")]);

        Assert.Equal(["b_tool", "a-tool"], registry.Tools.Select(t => t.Name));
        Assert.True(registry.TryGet("a-tool", out var tool));
        Assert.Equal("a-tool", tool.Name);
        Assert.False(registry.TryGet("A-TOOL", out _));
        Assert.False(registry.TryGet("missing", out _));
    }

    [Fact]
    public void Duplicate_names_are_rejected_and_the_first_tool_kept()
    {
        var first = new TestTool("dup");
        var registry = new ToolRegistry([first]);

        var ex = Assert.Throws<ToolRegistrationException>(() => registry.Register(new TestTool("dup")));

        Assert.Equal("dup", ex.ToolName);
        Assert.Contains("already registered", ex.Message, StringComparison.Ordinal);
        Assert.True(registry.TryGet("dup", out var kept));
        Assert.Same(first, kept);
        Assert.Single(registry.Tools);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("dot.name")]
    [InlineData("slash/name")]
    [InlineData("ünïcode")]
    [InlineData("semi;colon")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Invalid_names_are_rejected(string name)
    {
        var registry = new ToolRegistry();

        var ex = Assert.Throws<ToolRegistrationException>(() => registry.Register(new TestTool(name)));

        Assert.Contains("invalid name", ex.Message, StringComparison.Ordinal);
        Assert.Empty(registry.Tools);
    }

    [Theory]
    [InlineData("""[]""", "must be a JSON object")]
    [InlineData("""{"type":"string"}""", "\"type\": \"object\"")]
    [InlineData("""{"type":"object","properties":{"x":{"type":42}}}""", "not a valid JSON schema")]
    public void Unusable_schemas_are_rejected_with_the_tool_name(string schema, string expected)
    {
        var ex = Assert.Throws<ToolRegistrationException>(() => new ToolRegistry([new TestTool("bad_schema", schema)]));

        Assert.Equal("bad_schema", ex.ToolName);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(7200)]
    public void Timeouts_outside_the_allowed_range_are_rejected(int seconds)
    {
        var tool = new TestTool("t") { Timeout = TimeSpan.FromSeconds(seconds) };

        var ex = Assert.Throws<ToolRegistrationException>(() => new ToolRegistry([tool]));

        Assert.Contains("timeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Undefined_risk_values_are_rejected()
    {
        var tool = new TestTool("t") { Risk = (ToolRisk)7 };

        Assert.Throws<ToolRegistrationException>(() => new ToolRegistry([tool]));
    }

    [Fact]
    public void Default_risk_is_high()
    {
        Assert.Equal(ToolRisk.High, default(ToolRisk));
        Assert.Equal(ToolRisk.High, AIFunctionTool.Create(() => 1, "one", "returns one").Risk);
    }

    [Fact]
    public void Two_tools_with_the_same_schema_id_do_not_clash()
    {
        const string schema = """{"$id":"https://example.com/args","type":"object","properties":{"a":{"type":"integer"}}}""";
        var registry = new ToolRegistry([new TestTool("one", schema), new TestTool("two", schema)]);

        Assert.True(registry.TryGet("two", out var two));
        Assert.NotEmpty(registry.Validate(two, Json.Parse("""{"a":"x"}""")));
    }

    [Fact]
    public void Tools_that_were_never_registered_are_still_validated()
    {
        var registry = new ToolRegistry();
        var stranger = new TestTool("stranger", """{"type":"object","required":["q"]}""");

        var problems = registry.Validate(stranger, Json.Parse("{}"));

        Assert.Single(problems);
        Assert.Contains("q", problems[0], StringComparison.Ordinal);
    }
}
