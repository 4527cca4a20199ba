using System.Text.Json;
using System.Text.Json.Nodes;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Steps;

namespace CompanyOs.Cli.Runs;

/// <summary>
/// JSON lines for scripts: one <c>{"type":"step",…}</c> object per stored step, <c>{"type":"delta",…}</c> objects for the
/// model's streamed text, then one <c>{"type":"result",…}</c> object.
/// </summary>
internal sealed class JsonRunOutput(TextWriter output, TextWriter promptWriter, RunOutputSettings settings) : IRunOutput
{
    public TextWriter PromptWriter => promptWriter;

    public async ValueTask WriteStepAsync(AgentStep step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
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
        return WriteAsync(line);
    }

    public Task WriteInterruptedAsync(string runId) => WriteAsync(new JsonObject
    {
        ["type"] = "interrupted",
        ["run_id"] = runId,
        ["status"] = RunStatus.Running.ToWireName(),
        ["resume_command"] = $"companyos resume {ShellText.Quote(runId)}{settings.CommandArguments()}",
    });

    private async Task WriteAsync(JsonObject line)
    {
        await output.WriteLineAsync(line.ToJsonString(RunJson.Options)).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }
}
