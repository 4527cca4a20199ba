using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompanyOs.Tools.Registry;

/// <summary>
/// An <see cref="ITool"/> backed by a Microsoft.Extensions.AI <see cref="AIFunction"/>, typically made by
/// <see cref="AIFunctionFactory.Create(Delegate, string?, string?, JsonSerializerOptions?)"/> from a C# method so the schema is generated.
/// </summary>
public sealed class AIFunctionTool : ITool
{
    /// <summary>Default bound on one invocation.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly AIFunction _function;

    /// <param name="function">The function; its name, description and JSON schema are offered to the model.</param>
    /// <param name="risk">Risk level; defaults to <see cref="ToolRisk.High"/> because unknown risk counts as high.</param>
    /// <param name="isIdempotent">True when re-running with the same arguments is harmless.</param>
    /// <param name="timeout">Bound on one invocation; defaults to <see cref="DefaultTimeout"/>.</param>
    public AIFunctionTool(AIFunction function, ToolRisk risk = ToolRisk.High, bool isIdempotent = false, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        _function = function;
        Risk = risk;
        IsIdempotent = isIdempotent;
        Timeout = timeout ?? DefaultTimeout;
    }

    public string Name => _function.Name;

    public string Description => _function.Description;

    public JsonElement ParametersSchema => _function.JsonSchema;

    public ToolRisk Risk { get; }

    public bool IsIdempotent { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Creates a tool from a C# delegate; the argument schema comes from its parameters via <see cref="AIFunctionFactory"/>.</summary>
    public static AIFunctionTool Create(Delegate method, string name, string description, ToolRisk risk = ToolRisk.High, bool isIdempotent = false, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        return new AIFunctionTool(AIFunctionFactory.Create(method, name, description), risk, isIdempotent, timeout);
    }

    public async Task<ToolResult> InvokeAsync(JsonElement arguments, ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        var args = new AIFunctionArguments();
        if (arguments.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in arguments.EnumerateObject())
            {
                args[property.Name] = property.Value.Clone();
            }
        }

        object? result;
        try
        {
            result = await _function.InvokeAsync(args, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            // AIFunctionFactory reports arguments it cannot bind as ArgumentException: the model can fix those.
            return ToolResult.Error($"Invalid arguments for tool '{Name}': {ex.Message}");
        }

        return result switch
        {
            null => ToolResult.Success(string.Empty),
            ToolResult toolResult => toolResult,
            string text => ToolResult.Success(text),
            JsonElement { ValueKind: JsonValueKind.String } element => ToolResult.Success(element.GetString() ?? string.Empty),
            JsonElement element => ToolResult.Success(Compact(element)),
            _ => ToolResult.Success(JsonSerializer.Serialize(result, _function.JsonSerializerOptions.GetTypeInfo(result.GetType()))),
        };
    }

    private static string Compact(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            element.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The function, for callers that want to hand it to other Microsoft.Extensions.AI components.</summary>
    public AIFunction AsAIFunction() => _function;
}
