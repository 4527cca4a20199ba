namespace CompanyOs.Agents.Runs;

/// <summary>One assistant message: its text and the ids of all its tool calls, in the model's order.</summary>
public sealed record RunTurn(int Iteration, string? Text, IReadOnlyList<string> CallIds, bool Final, DateTimeOffset At);
