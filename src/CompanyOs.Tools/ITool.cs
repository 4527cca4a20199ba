using System.Text.Json;

namespace CompanyOs.Tools;

/// <summary>A tool an agent can call. Arguments are validated against <see cref="ParametersSchema"/> before <see cref="InvokeAsync"/>.</summary>
public interface ITool
{
    /// <summary>Unique name offered to the model (letters, digits, <c>_</c> and <c>-</c>).</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>JSON schema (type object) of the arguments.</summary>
    JsonElement ParametersSchema { get; }

    /// <summary>High-risk tools wait for approval under supervised autonomy.</summary>
    ToolRisk Risk { get; }

    /// <summary>True when running the tool twice with the same arguments is harmless; only such tools are re-run after a crash.</summary>
    bool IsIdempotent { get; }

    /// <summary>Upper bound on one invocation.</summary>
    TimeSpan Timeout { get; }

    /// <summary>Runs the tool. Expected failures are returned as <see cref="ToolResult.Error"/>, not thrown.</summary>
    Task<ToolResult> InvokeAsync(JsonElement arguments, ToolInvocationContext context, CancellationToken cancellationToken = default);
}
