using System.Diagnostics;
using System.Text.Json;

namespace CompanyOs.Tools.Registry;

/// <summary>
/// An <c>execute_tool {name}</c> span per tool call (OpenTelemetry GenAI semantic conventions): the tool's name and call id,
/// and <c>error.type</c> when the result is not the tool's own. Arguments and results (<c>gen_ai.tool.call.arguments</c>,
/// <c>gen_ai.tool.call.result</c>) only when contents are opted in (<see cref="ToolInvoker.RecordContents"/>). When nothing
/// listens to <see cref="SourceName"/>, no span or tag is built.
/// </summary>
public static class ToolTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> name to subscribe to (e.g. <c>AddSource("CompanyOs.Tools")</c>).</summary>
    public const string SourceName = "CompanyOs.Tools";

    private static readonly ActivitySource Source = new(SourceName);

    internal static Activity? Start(string name, ToolInvocationContext context, JsonElement arguments, bool recordContents)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity($"execute_tool {name}", ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.operation.name", "execute_tool");
            activity.SetTag("gen_ai.tool.name", name);
            activity.SetTag("gen_ai.tool.call.id", context.CallId);
            if (recordContents)
            {
                activity.SetTag("gen_ai.tool.call.arguments", arguments.ValueKind == JsonValueKind.Undefined ? "{}" : Compact(arguments));
            }
        }

        return activity;
    }

    /// <summary>The arguments without the indentation they may have been stored with.</summary>
    private static string Compact(JsonElement arguments)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            arguments.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static void End(Activity? activity, ToolInvocationOutcome outcome, bool recordContents)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        if (recordContents)
        {
            activity.SetTag("gen_ai.tool.call.result", outcome.Result.Content);
        }

        var failure = outcome.Failure;
        if (failure != ToolInvocationFailure.None)
        {
            var type = failure switch
            {
                ToolInvocationFailure.UnknownTool => "unknown_tool",
                ToolInvocationFailure.InvalidArguments => "invalid_arguments",
                ToolInvocationFailure.Timeout => "timeout",
                _ => "exception",
            };
            activity.SetTag("error.type", type);
            activity.SetStatus(ActivityStatusCode.Error, type);
        }
    }
}
