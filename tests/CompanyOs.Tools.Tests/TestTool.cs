using System.Text.Json;

namespace CompanyOs.Tools.Tests;

/// <summary>A hand-written tool double: schema and behaviour supplied by the test.</summary>
internal sealed class TestTool : ITool
{
    public TestTool(string name, string schemaJson = """{"type":"object"}""")
    {
        Name = name;
        ParametersSchema = JsonDocument.Parse(schemaJson).RootElement.Clone();
    }

    public string Name { get; }

    public string Description { get; init; } = "test tool";

    public JsonElement ParametersSchema { get; }

    public ToolRisk Risk { get; init; } = ToolRisk.Low;

    public bool IsIdempotent { get; init; } = true;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    public Func<JsonElement, CancellationToken, Task<ToolResult>> OnInvoke { get; init; } =
        (args, _) => Task.FromResult(ToolResult.Success(args.GetRawText()));

    public int Calls { get; private set; }

    public Task<ToolResult> InvokeAsync(JsonElement arguments, ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        Calls++;
        return OnInvoke(arguments, cancellationToken);
    }
}
