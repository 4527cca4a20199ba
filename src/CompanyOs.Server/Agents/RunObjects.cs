using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Runs;
using CompanyOs.Tools;

namespace CompanyOs.Server.Agents;

/// <summary>Runs and their pending decisions as the API shows them.</summary>
internal static class RunObjects
{
    public static RunObject Run(RunState state, IReadOnlyList<PendingApproval> pending, IToolRegistry tools, bool emulated) =>
        Summary(state, pending.Count, emulated) with { Pending = [.. pending.Select(p => Decision(p, tools))] };

    public static RunObject Summary(RunState state, int pendingCount, bool emulated) => new()
    {
        Id = state.RunId,
        Org = state.OrgId,
        Agent = state.Start!.AgentType,
        Status = state.Status.ToWireName(),
        Task = state.Start.Task,
        Result = state.Result,
        Error = state.Error,
        Iterations = state.Iterations,
        Usage = new RunUsage(state.InputTokens, state.OutputTokens, state.TotalTokens),
        CostUsd = state.CostUsd,
        CostIncomplete = state.CostIncomplete,
        Emulated = emulated,
        Autonomy = state.Start.Settings.Autonomy,
        MaxIterations = state.Start.Settings.MaxIterations,
        PromptName = state.Start.PromptName,
        PromptVersion = state.Start.PromptVersion,
        PendingCount = pendingCount,
        CreatedAt = state.StartedAt,
        UpdatedAt = state.UpdatedAt,
        EndedAt = state.Status.IsTerminal() ? state.UpdatedAt : null,
    };

    public static DecisionObject Decision(PendingApproval pending, IToolRegistry tools)
    {
        var question = pending.Kind == PendingKind.Question;
        return new DecisionObject
        {
            Id = pending.Id,
            RunId = pending.RunId,
            Agent = pending.AgentType,
            Kind = question ? "question" : "approval",
            CallId = pending.CallId,
            Tool = pending.ToolName,
            Arguments = question ? null : pending.ProposedArguments,
            Reason = question ? null : pending.Reason,
            Question = question ? pending.Reason : null,
            CreatedAt = pending.RequestedAt,
            ExpiresAt = pending.ExpiresAt,
            ArgumentsSchema = !question && tools.TryGet(pending.ToolName, out var tool) ? tool.ParametersSchema : null,
        };
    }
}
