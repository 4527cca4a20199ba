using System.Text.Json;
using CompanyOs.Tools;

namespace CompanyOs.Benchmarks.Agents;

/// <summary>A tool that returns immediately.</summary>
internal sealed class InstantTool : ITool
{
    public string Name => "echo";

    public string Description => "Echoes its query.";

    public JsonElement ParametersSchema { get; } = JsonElement.Parse(
        """{"type":"object","properties":{"query":{"type":"string"}},"required":["query"],"additionalProperties":false}""");

    public ToolRisk Risk => ToolRisk.Low;

    public bool IsIdempotent => true;

    public TimeSpan Timeout => TimeSpan.FromSeconds(30);

    public Task<ToolResult> InvokeAsync(JsonElement arguments, ToolInvocationContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(ToolResult.Success("ok"));
}
