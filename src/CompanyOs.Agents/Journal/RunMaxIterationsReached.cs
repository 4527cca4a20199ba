namespace CompanyOs.Agents.Journal;

/// <summary>The run hit its iteration limit; <see cref="Result"/> is the model's best answer from the final tools-disabled turn.</summary>
public sealed record RunMaxIterationsReached : RunEvent
{
    public required string Result { get; init; }

    public int Iterations { get; init; }
}
