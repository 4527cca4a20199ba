using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Runs;

namespace CompanyOs.Cli.Runs;

/// <summary>JSON shapes shared by <c>run --json</c>, <c>runs --json</c> and <c>runs show --json</c>.</summary>
internal static class RunJson
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject Summary(RunState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new JsonObject
        {
            ["run_id"] = state.RunId,
            ["org_id"] = state.OrgId,
            ["agent_type"] = state.Start?.AgentType,
            ["task"] = state.Start?.Task,
            ["status"] = state.Status.ToWireName(),
            ["autonomy"] = state.Start?.Settings.Autonomy,
            ["result"] = state.Result,
            ["error"] = state.Error,
            ["iterations"] = state.Iterations,
            ["llm_calls"] = state.LlmCalls,
            ["input_tokens"] = state.InputTokens,
            ["output_tokens"] = state.OutputTokens,
            ["total_tokens"] = state.TotalTokens,
            ["cost_usd"] = state.CostUsd,
            ["cost_incomplete"] = state.CostIncomplete,
            ["started_at"] = state.StartedAt,
            ["updated_at"] = state.UpdatedAt,
        };
    }

    public static JsonArray Pending(IEnumerable<PendingApproval> pending, string commandArguments)
    {
        var array = new JsonArray();
        foreach (var p in pending)
        {
            array.Add(new JsonObject
            {
                ["id"] = p.Id,
                ["kind"] = PendingCommands.KindName(p.Kind),
                ["call_id"] = p.CallId,
                ["tool_name"] = p.ToolName,
                ["arguments"] = JsonNode.Parse(p.ProposedArguments.ValueKind == JsonValueKind.Undefined ? "null" : p.ProposedArguments.GetRawText()),
                ["reason"] = p.Reason,
                ["expires_at"] = p.ExpiresAt,
                ["commands"] = new JsonArray([.. PendingCommands.For(p, commandArguments).Select(c => (JsonNode?)c)]),
            });
        }

        return array;
    }
}
