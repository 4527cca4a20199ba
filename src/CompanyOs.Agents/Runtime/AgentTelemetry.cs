using System.Diagnostics;
using CompanyOs.Agents.Runs;

namespace CompanyOs.Agents.Runtime;

/// <summary>
/// An <c>invoke_agent {agent}</c> span per drive of a run (OpenTelemetry GenAI semantic conventions), the parent of the
/// gateway's <c>chat</c> spans and the tools' <c>execute_tool</c> spans of that drive. The task, prompts and answers are
/// never recorded. When nothing listens to <see cref="SourceName"/>, no span or tag is built.
/// </summary>
public static class AgentTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> name to subscribe to (e.g. <c>AddSource("CompanyOs.Agents")</c>).</summary>
    public const string SourceName = "CompanyOs.Agents";

    /// <summary>The meter name of the runtime's metrics (<c>AddMeter("CompanyOs.Agents")</c>): <c>companyos.agent.runs</c>.</summary>
    public const string MeterName = "CompanyOs.Agents";

    private static readonly ActivitySource Source = new(SourceName);

    internal static Activity? StartDrive(RunState state)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var agent = state.Start?.AgentType ?? "unknown";
        var activity = StartInRunTrace($"invoke_agent {agent}", state.Start?.TraceParent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.operation.name", "invoke_agent");
            activity.SetTag("gen_ai.agent.name", agent);
            activity.SetTag("gen_ai.conversation.id", state.RunId);
            if (state.OrgId is { } org)
            {
                activity.SetTag("companyos.org", org);
            }
        }

        return activity;
    }

    /// <summary>The current span's W3C <c>traceparent</c> when it is recorded (so worth continuing), else null.</summary>
    internal static string? TraceParent() =>
        Activity.Current is { Recorded: true, IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>
    /// A drive continues the trace the run was started in (an approval handled by another instance, or a resume after a
    /// crash, joins the original trace), linked to whatever asked for this drive when that is another trace.
    /// </summary>
    private static Activity? StartInRunTrace(string name, string? traceParent)
    {
        var current = Activity.Current;
        if (traceParent is null || !ActivityContext.TryParse(traceParent, null, out var started)
            || (current is not null && current.TraceId == started.TraceId))
        {
            return Source.StartActivity(name, ActivityKind.Internal);
        }

        ActivityLink[]? links = current is null ? null : [new ActivityLink(current.Context)];
        return Source.StartActivity(name, ActivityKind.Internal, started, links: links);
    }

    /// <summary>Where the drive left the run: its status, and <c>error.type</c> when it failed.</summary>
    internal static void EndDrive(Activity? activity, AgentRunResult result)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag("companyos.run.status", result.Status.ToString());
        if (result.Status == RunStatus.Failed)
        {
            activity.SetTag("error.type", "run_failed");
            activity.SetStatus(ActivityStatusCode.Error, "run_failed");
        }
    }

    internal static bool Faulted(Activity? activity, Exception exception)
    {
        if (activity is { IsAllDataRequested: true })
        {
            var type = exception.GetType().FullName ?? "exception";
            activity.SetTag("error.type", type);
            activity.SetStatus(ActivityStatusCode.Error, type);
        }

        return false;
    }
}
