using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace CompanyOs.Tools.Typed;

/// <summary>
/// Base for tools whose arguments are a C# record: the JSON schema is generated from <typeparamref name="TArguments"/>
/// (via Microsoft.Extensions.AI's schema generator) and arguments are bound to it with the same <see cref="ToolJson.Options"/>.
/// </summary>
public abstract class TypedTool<TArguments> : ITool
    where TArguments : class
{
    private static readonly JsonElement Schema = AIJsonUtilities.CreateJsonSchema(typeof(TArguments), serializerOptions: ToolJson.Options);

    private static JsonTypeInfo<TArguments> ArgumentsInfo => (JsonTypeInfo<TArguments>)ToolJson.Options.GetTypeInfo(typeof(TArguments));

    public abstract string Name { get; }

    public abstract string Description { get; }

    public JsonElement ParametersSchema => Schema;

    public abstract ToolRisk Risk { get; }

    public abstract bool IsIdempotent { get; }

    public abstract TimeSpan Timeout { get; }

    public async Task<ToolResult> InvokeAsync(JsonElement arguments, ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        TArguments? bound;
        try
        {
            bound = arguments.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
                ? JsonSerializer.Deserialize("{}", ArgumentsInfo)
                : arguments.Deserialize(ArgumentsInfo);
        }
        catch (JsonException ex)
        {
            return ToolResult.Error($"Invalid arguments for tool '{Name}': {ex.Message}");
        }

        if (bound is null)
        {
            return ToolResult.Error($"Invalid arguments for tool '{Name}': expected a JSON object");
        }

        return await InvokeAsync(bound, context, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the tool with bound arguments. Expected failures are returned as <see cref="ToolResult.Error"/>.</summary>
    protected abstract Task<ToolResult> InvokeAsync(TArguments arguments, ToolInvocationContext context, CancellationToken cancellationToken);
}
