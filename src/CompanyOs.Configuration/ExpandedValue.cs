namespace CompanyOs.Configuration;

/// <summary>A configuration string after <c>${VAR}</c> expansion (see <see cref="ConfigNode.AsExpandedString"/>).</summary>
/// <param name="Value">The expanded text; null when the value is null/absent or a variable is missing.</param>
/// <param name="MissingVariable">The first variable that is unset or empty and has no <c>:-default</c>; null when none.</param>
/// <param name="Variable">The first variable the text refers to, if any; messages say "the value of ${Variable}" instead of showing it.</param>
public readonly record struct ExpandedValue(string? Value, string? MissingVariable, string? Variable);
