using System.ComponentModel;
using CompanyOs.Tools.Registry;
using Microsoft.Extensions.AI;

namespace CompanyOs.Tools.Tests.Registry;

public class AIFunctionToolTests
{
    private static string Repeat([Description("Text to repeat")] string text, [Description("How many times")] int times = 2)
        => string.Concat(Enumerable.Repeat(text, times));

    [Fact]
    public void Schema_is_generated_from_the_csharp_method()
    {
        var tool = AIFunctionTool.Create(Repeat, "repeat", "Repeats text", ToolRisk.Low, isIdempotent: true, TimeSpan.FromSeconds(2));

        var schema = tool.ParametersSchema;
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.Equal("string", schema.GetProperty("properties").GetProperty("text").GetProperty("type").GetString());
        Assert.Equal("integer", schema.GetProperty("properties").GetProperty("times").GetProperty("type").GetString());
        Assert.Equal(["text"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal((ToolRisk.Low, true, TimeSpan.FromSeconds(2)), (tool.Risk, tool.IsIdempotent, tool.Timeout));
    }

    [Fact]
    public async Task Generated_tool_validates_and_runs_through_the_invoker()
    {
        var invoker = new ToolInvoker(new ToolRegistry([AIFunctionTool.Create(Repeat, "repeat", "Repeats text")]));

        var ok = await invoker.InvokeAsync("repeat", Json.Parse("""{"text":"ab","times":3}"""), Json.Context, TestContext.Current.CancellationToken);
        var bad = await invoker.InvokeAsync("repeat", Json.Parse("""{"times":"x"}"""), Json.Context, TestContext.Current.CancellationToken);

        Assert.Equal(new ToolResult("ababab"), ok);
        Assert.True(bad.IsError);
        Assert.Contains("$.times: ", bad.Content, StringComparison.Ordinal);
        Assert.Contains("text", bad.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Structured_results_are_returned_as_json()
    {
        var tool = AIFunctionTool.Create((int a, int b) => new { sum = a + b }, "add", "Adds");

        var result = await tool.InvokeAsync(Json.Parse("""{"a":2,"b":40}"""), Json.Context, TestContext.Current.CancellationToken);

        Assert.Equal("""{"sum":42}""", result.Content);
    }

    [Fact]
    public void Registry_exposes_declaration_only_tools_for_chat_options()
    {
        var registry = new ToolRegistry([AIFunctionTool.Create(Repeat, "repeat", "Repeats text"), new TestTool("other")]);

        var tools = registry.ToAITools();

        Assert.Equal(["repeat", "other"], tools.Select(t => t.Name));
        var declaration = Assert.IsAssignableFrom<AIFunctionDeclaration>(tools[0]);
        Assert.IsNotAssignableFrom<AIFunction>(declaration);
        Assert.Equal("Repeats text", declaration.Description);
        Assert.Equal(registry.Tools.First().ParametersSchema.GetRawText(), declaration.JsonSchema.GetRawText());
    }
}
