using System.Text.Json.Serialization;

namespace CompanyOs.Events.Serialization;

/// <summary>Source-generated JSON metadata for the few values the stores serialize directly.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class EventsJsonContext : JsonSerializerContext;
