namespace CompanyOs.Tools.Registry;

/// <summary>What <see cref="ToolInvoker.InvokeWithOutcomeAsync"/> produced: the result for the model and, when the tool gave none of its own, why.</summary>
/// <param name="Result">What the model sees; an error result when <paramref name="Failure"/> is not <see cref="ToolInvocationFailure.None"/>.</param>
/// <param name="Failure">Why the result is not the tool's own.</param>
/// <param name="Exception">What the tool threw, for the caller's log; never shown to the model beyond its message.</param>
public sealed record ToolInvocationOutcome(ToolResult Result, ToolInvocationFailure Failure = ToolInvocationFailure.None, Exception? Exception = null);

/// <summary>Why a tool invocation produced no result of the tool's own.</summary>
public enum ToolInvocationFailure
{
    /// <summary>The tool returned (a success or an error it reported itself).</summary>
    None = 0,

    /// <summary>No tool of that name is registered.</summary>
    UnknownTool,

    /// <summary>The arguments do not match the tool's schema; the tool did not run.</summary>
    InvalidArguments,

    /// <summary>The tool did not finish within its <see cref="ITool.Timeout"/>; it was abandoned.</summary>
    Timeout,

    /// <summary>The tool threw (or cancelled its own operation).</summary>
    Exception,
}
