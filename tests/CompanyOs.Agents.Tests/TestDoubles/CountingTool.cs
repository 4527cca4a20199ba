using System.Text.Json;
using CompanyOs.Tools;

namespace CompanyOs.Agents.Tests.TestDoubles;

/// <summary>A test tool with a {"query": string} schema that counts its executions and runs an optional callback.</summary>
internal sealed class CountingTool(string name, ToolRisk risk = ToolRisk.Low, bool idempotent = false) : ITool
{
    private int _executions;

    public string Name => name;

    public string Description => $"Test tool {name}.";

    public JsonElement ParametersSchema { get; } = JsonDocument.Parse(
        """{"type":"object","properties":{"query":{"type":"string"}},"required":["query"],"additionalProperties":false}""").RootElement.Clone();

    public ToolRisk Risk => risk;

    public bool IsIdempotent => idempotent;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public int Executions => Volatile.Read(ref _executions);

    public List<JsonElement> Arguments { get; } = [];

    public Func<JsonElement, CancellationToken, Task<ToolResult>>? OnInvoke { get; set; }

    public async Task<ToolResult> InvokeAsync(JsonElement arguments, ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _executions);
        lock (Arguments)
        {
            Arguments.Add(arguments.Clone());
        }

        return OnInvoke is null
            ? ToolResult.Success($"{name} result for {arguments.GetProperty("query").GetString()}")
            : await OnInvoke(arguments, cancellationToken);
    }
}
