using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Steps;
using CompanyOs.Cli.Hosting;

namespace CompanyOs.Cli.Runs;

/// <summary>
/// JSON lines for scripts: one <c>{"type":"step",…}</c> object per stored step, <c>{"type":"delta",…}</c> objects for the
/// model's streamed text, then one <c>{"type":"result",…}</c> object.
/// </summary>
/// <remarks>
/// The gateway's retries and fallbacks are records of their own as they happen: <c>{"type":"retry",…}</c>,
/// <c>{"type":"fallback",…}</c>, <c>{"type":"fallback_exhausted",…}</c>, <c>{"type":"circuit_opened"|"circuit_closed",…}</c>;
/// a run that failed on every provider has <c>provider_failures</c> in its result.
/// </remarks>
internal sealed class JsonRunOutput(TextWriter output, TextWriter promptWriter, RunOutputSettings settings) : IRunOutput
{
    private readonly Lock _gate = new();
    private GatewayActivity? _activity;
    private string? _runId;

    public TextWriter PromptWriter => promptWriter;

    public void Observe(GatewayActivity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        _activity = activity;
        activity.Sink = e => Write(Record(e));
    }

    private JsonObject Record(GatewayEvent e)
    {
        var record = new JsonObject { ["type"] = e.Type, ["run_id"] = _runId, ["provider"] = e.Provider };
        switch (e.Type)
        {
            case "retry":
                record["attempt"] = int.TryParse(e.Field("Attempt"), CultureInfo.InvariantCulture, out var attempt) ? attempt : null;
                record["delay_ms"] = e.Fields.GetValueOrDefault("Delay") is TimeSpan delay ? Math.Round(delay.TotalMilliseconds) : null;
                record["error"] = e.Field("Error");
                break;
            case "fallback":
                record["model"] = e.Field("FromModel");
                record["to_provider"] = e.Field("To");
                record["to_model"] = e.Field("ToModel");
                record["error"] = e.Field("Error");
                break;
            case "fallback_exhausted":
                record["error"] = e.Field("Error");
                break;
            case "providers_failed" when e.Fields.GetValueOrDefault("Failures") is IReadOnlyList<ProviderFailure> failures:
                record["failures"] = Failures(failures);
                break;
        }

        record["message"] = e.Message;
        return record;
    }

    private static JsonArray Failures(IReadOnlyList<ProviderFailure> failures) => new([.. failures.Select(f => (JsonNode)new JsonObject
    {
        ["provider"] = f.Provider,
        ["model"] = f.Model,
        ["error"] = f.Error,
        ["retries"] = f.Retries,
    })]);

    public async ValueTask WriteStepAsync(AgentStep step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        _runId = step.RunId;
        if (step.Event is ModelOutputDelta delta)
        {
            // Streamed model text: not a stored event, so no version of its own and no "data".
            await WriteAsync(new JsonObject
            {
                ["type"] = "delta",
                ["run_id"] = step.RunId,
                ["iteration"] = delta.Iteration,
                ["text"] = delta.Text,
                ["restart"] = delta.Restart,
            }).ConfigureAwait(false);
            return;
        }

        var line = new JsonObject
        {
            ["type"] = "step",
            ["run_id"] = step.RunId,
            ["version"] = step.Version,
            ["kind"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(step.Kind.ToString()),
            ["event"] = RunEventCodec.TypeName(step.Event),
            ["at"] = step.At,
            ["summary"] = step.Summary,
        };
        if (step.Event is LlmCallCompleted call)
        {
            line["emulated"] = call.Provider is { } p && settings.Emulated.Contains(p);
        }

        line["data"] = JsonNode.Parse(RunEventCodec.Serialize(step.Event).GetRawText());
        await WriteAsync(line).ConfigureAwait(false);
    }

    public Task WriteResultAsync(AgentRunResult result, bool listPending)
    {
        ArgumentNullException.ThrowIfNull(result);
        var line = RunJson.Summary(result.State);
        line["type"] = "result";
        line["emulated"] = settings.Emulated.Count > 0;
        line["emulated_providers"] = new JsonArray([.. settings.Emulated.Select(p => (JsonNode?)p)]);
        line["pending"] = RunJson.Pending(result.Pending, settings.CommandArguments(result.State));
        if (result.Status == RunStatus.Failed && _activity?.Exhausted is { } failures)
        {
            line["provider_failures"] = Failures(failures);
        }

        return WriteAsync(line);
    }

    public Task WriteInterruptedAsync(string runId) => WriteAsync(new JsonObject
    {
        ["type"] = "interrupted",
        ["run_id"] = runId,
        ["status"] = RunStatus.Running.ToWireName(),
        ["resume_command"] = $"companyos resume {ShellText.Quote(runId)}{settings.CommandArguments()}",
    });

    private Task WriteAsync(JsonObject line)
    {
        Write(line);
        return Task.CompletedTask;
    }

    // One line at a time: gateway records come from inside a model call, steps from the run's callback.
    private void Write(JsonObject line)
    {
        var text = line.ToJsonString(RunJson.Options);
        lock (_gate)
        {
            output.WriteLine(text);
            output.Flush();
        }
    }
}
