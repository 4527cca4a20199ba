using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompanyOs.Tools.Registry;

/// <summary>
/// Runs a tool call the way agents should: look the tool up, validate the arguments against its schema,
/// bound the call by the tool's timeout, and turn every failure into a <see cref="ToolResult.Error"/> the model can read.
/// </summary>
public sealed partial class ToolInvoker
{
    private readonly IToolRegistry _registry;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public ToolInvoker(IToolRegistry registry, TimeProvider? timeProvider = null, ILogger<ToolInvoker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Record tool arguments and results on the <c>execute_tool</c> spans (<c>gen_ai.tool.call.arguments</c>,
    /// <c>gen_ai.tool.call.result</c>). Off unless opted in; default: <see cref="TelemetryContentCapture.FromEnvironment"/>.
    /// </summary>
    public bool RecordContents { get; init; } = TelemetryContentCapture.FromEnvironment();

    /// <summary>Invokes tool <paramref name="name"/>. Only cancellation by <paramref name="cancellationToken"/> is thrown.</summary>
    public async Task<ToolResult> InvokeAsync(string name, JsonElement arguments, ToolInvocationContext context, CancellationToken cancellationToken = default) =>
        (await InvokeWithOutcomeAsync(name, arguments, context, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>
    /// Invokes tool <paramref name="name"/> like <see cref="InvokeAsync"/>, and also says why the result is not the tool's own
    /// (for callers that record the reason, like the agent runtime). Only cancellation by <paramref name="cancellationToken"/> is thrown.
    /// </summary>
    public async Task<ToolInvocationOutcome> InvokeWithOutcomeAsync(
        string name, JsonElement arguments, ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var span = ToolTelemetry.Start(name, context, arguments, RecordContents);
        var outcome = await InvokeCoreAsync(name, arguments, context, cancellationToken).ConfigureAwait(false);
        ToolTelemetry.End(span, outcome, RecordContents);
        return outcome;
    }

    private async Task<ToolInvocationOutcome> InvokeCoreAsync(
        string name, JsonElement arguments, ToolInvocationContext context, CancellationToken cancellationToken)
    {
        if (!_registry.TryGet(name, out var tool))
        {
            var available = string.Join(", ", _registry.Tools.Select(t => t.Name));
            return new(
                ToolResult.Error($"Unknown tool '{name}'. Available tools: {(available.Length == 0 ? "(none)" : available)}."),
                ToolInvocationFailure.UnknownTool);
        }

        // Models often send no arguments at all for parameterless tools; that means an empty object.
        if (arguments.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            arguments = EmptyObject;
        }

        var problems = _registry.Validate(tool, arguments);
        if (problems.Count > 0)
        {
            LogInvalidArguments(_logger, tool.Name, context.RunId, problems.Count);
            return new(ToolResult.Error(DescribeProblems(tool.Name, problems)), ToolInvocationFailure.InvalidArguments);
        }

        using var timeout = new CancellationTokenSource(tool.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // On the thread pool: a synchronous tool (any sync AIFunctionFactory method) would otherwise block this caller
            // before WaitAsync could bound it, and a tool that ignores cancellation would hang the run.
            var token = linked.Token;
            var invocation = Task.Run(() => tool.InvokeAsync(arguments, context, token), CancellationToken.None);
            return new(await invocation.WaitAsync(token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogTimedOut(_logger, tool.Name, context.RunId, tool.Timeout);
            return new(ToolResult.Error($"Tool '{tool.Name}' timed out after {tool.Timeout.TotalSeconds:0.###} s."), ToolInvocationFailure.Timeout);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Cancelled by nobody who asked: the tool's own operation gave up, which is the tool's failure, not the caller's.
            LogFailed(_logger, tool.Name, context.RunId, ex);
            return new(ToolResult.Error($"Tool '{tool.Name}' failed: its own operation was cancelled."), ToolInvocationFailure.Exception, ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The boundary between tools and the agent loop: a tool bug becomes an error the model sees, not a crashed run.
            LogFailed(_logger, tool.Name, context.RunId, ex);
            return new(ToolResult.Error($"Tool '{tool.Name}' failed: {ex.Message}"), ToolInvocationFailure.Exception, ex);
        }
    }

    /// <summary>Formats schema violations as the error text returned to the model.</summary>
    public static string DescribeProblems(string toolName, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var text = new StringBuilder($"Invalid arguments for tool '{toolName}':");
        foreach (var problem in problems)
        {
            text.Append("\n- ").Append(problem);
        }

        return text.ToString();
    }

    private static JsonElement EmptyObject { get; } = JsonDocument.Parse("{}").RootElement.Clone();

    [LoggerMessage(Level = LogLevel.Information, Message = "Tool {Tool} rejected {Count} argument problem(s) in run {RunId}")]
    private static partial void LogInvalidArguments(ILogger logger, string tool, string runId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tool {Tool} timed out after {Timeout} in run {RunId}")]
    private static partial void LogTimedOut(ILogger logger, string tool, string runId, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tool {Tool} failed in run {RunId}")]
    private static partial void LogFailed(ILogger logger, string tool, string runId, Exception exception);
}
