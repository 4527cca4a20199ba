using CompanyOs.Agents.Definitions;

namespace CompanyOs.Cli.Hosting;

/// <summary>Command-line overrides of one agent definition for a new run (the run snapshots them, so later commands keep them).</summary>
internal sealed record AgentOverrides(string AgentType, AutonomyLevel? Autonomy, int? MaxIterations)
{
    public AgentDefinition Apply(AgentDefinition definition) => definition with
    {
        Autonomy = Autonomy ?? definition.Autonomy,
        MaxIterations = MaxIterations ?? definition.MaxIterations,
    };
}
