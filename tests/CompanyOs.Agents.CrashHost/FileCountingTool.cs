using System.Text;
using System.Text.Json;
using CompanyOs.Tools;

namespace CompanyOs.Agents.CrashHost;

/// <summary>A tool whose side effect is one line per execution (its call id) in <c>{dir}/{name}.log</c>, flushed to disk first.</summary>
public sealed class FileCountingTool(string name, string directory, bool idempotent) : ITool
{
    public string Name => name;

    public string Description => $"Crash-test tool {name}.";

    public JsonElement ParametersSchema { get; } = JsonDocument.Parse(
        """{"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}""").RootElement.Clone();

    public ToolRisk Risk => ToolRisk.Low;

    public bool IsIdempotent => idempotent;

    public TimeSpan Timeout => TimeSpan.FromSeconds(30);

    public async Task<ToolResult> InvokeAsync(JsonElement arguments, ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        await using (var log = new FileStream(Path.Combine(directory, name + ".log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            await log.WriteAsync(Encoding.UTF8.GetBytes(context.CallId + "\n"), cancellationToken);
            log.Flush(flushToDisk: true);
        }

        await Task.Delay(Random.Shared.Next(0, 15), cancellationToken);
        return ToolResult.Success($"{name} did {arguments.GetProperty("query").GetString()}");
    }
}
