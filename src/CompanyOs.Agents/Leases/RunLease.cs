namespace CompanyOs.Agents.Leases;

/// <summary>
/// The right to drive one run until <see cref="ExpiresAt"/>, held by one runtime instance. Recorded as events in stream
/// <c>agent-lease:{run id}</c>; <see cref="Version"/> is the version of the event that granted or last renewed it.
/// </summary>
public sealed record RunLease(string RunId, string Owner, DateTimeOffset ExpiresAt, long Version);
