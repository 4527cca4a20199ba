using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.ReadModel;
using CompanyOs.Agents.Runs;
using CompanyOs.Tools;

namespace CompanyOs.Server.Agents;

/// <summary>Runs and their pending decisions as the API shows them.</summary>
internal static class RunObjects
{
    public static RunObject Run(RunState state, IReadOnlyList<PendingApproval> pending, IToolRegistry tools) => new()
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
        Emulated = state.Start.Emulated,
        Capability = state.Start.Capability,
        Autonomy = state.Start.Settings.Autonomy,
        MaxIterations = state.Start.Settings.MaxIterations,
        PromptName = state.Start.PromptName,
        PromptVersion = state.Start.PromptVersion,
        Pending = [.. pending.Select(p => Decision(p, tools))],
        PendingCount = pending.Count,
        CreatedAt = state.StartedAt,
        UpdatedAt = state.UpdatedAt,
        EndedAt = state.EndedAt,
    };

    /// <summary>A list entry, from the read model.</summary>
    public static RunObject Summary(RunSummary run) => new()
    {
        Id = run.RunId,
        Org = run.OrgId,
        Agent = run.AgentType,
        Status = run.Status.ToWireName(),
        Task = run.Task,
        Error = run.Error,
        Iterations = run.Iterations,
        Usage = new RunUsage(run.InputTokens, run.OutputTokens, run.TotalTokens),
        CostUsd = run.CostUsd,
        CostIncomplete = run.CostIncomplete,
        Emulated = run.Emulated,
        Capability = run.Capability,
        PromptName = run.PromptName,
        PromptVersion = run.PromptVersion,
        PendingCount = run.PendingCount,
        CreatedAt = run.CreatedAt,
        UpdatedAt = run.UpdatedAt,
        EndedAt = run.EndedAt,
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
