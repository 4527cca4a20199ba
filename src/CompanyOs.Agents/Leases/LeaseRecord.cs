using System.Text.Json.Serialization;

namespace CompanyOs.Agents.Leases;

/// <summary>The payload of the lease events (<c>RunLeaseAcquired</c>, <c>RunLeaseRenewed</c>, <c>RunLeaseReleased</c>).</summary>
internal sealed record LeaseRecord(string Owner, DateTimeOffset ExpiresAt);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LeaseRecord))]
internal sealed partial class LeaseJsonContext : JsonSerializerContext;
