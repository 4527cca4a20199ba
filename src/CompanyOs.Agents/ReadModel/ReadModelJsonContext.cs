using System.Text.Json.Serialization;
using CompanyOs.Agents.Approvals;

namespace CompanyOs.Agents.ReadModel;

/// <summary>Source-generated JSON of the pending decisions kept in a run's row.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(List<PendingApproval>))]
internal sealed partial class ReadModelJsonContext : JsonSerializerContext;
