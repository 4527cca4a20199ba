namespace CompanyOs.Agents.Steps;

/// <summary>Receives each step as soon as its event is stored. Runs on the driving task: keep it quick.</summary>
public delegate ValueTask AgentStepCallback(AgentStep step, CancellationToken cancellationToken);
