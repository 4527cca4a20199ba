using System.Text;

namespace CompanyOs.Events.Appending;

/// <summary>
/// A validated event, serialized as the database stores it. The data is kept as the caller's UTF-8 JSON bytes (copied
/// out of the <see cref="System.Text.Json.JsonElement"/> once, while the append is validated): SQLite binds them as they
/// are, with no UTF-16 string in between; <see cref="DataJson"/> decodes them for the stores that take a string.
/// </summary>
internal sealed record PreparedEvent(Guid EventId, string Type, byte[] DataUtf8, string MetadataJson, string? OrgId)
{
    /// <summary>An event from already serialized text (tests that model rows written outside the store).</summary>
    public PreparedEvent(Guid eventId, string type, string dataJson, string metadataJson, string? orgId)
        : this(eventId, type, Encoding.UTF8.GetBytes(dataJson), metadataJson, orgId)
    {
    }

    /// <summary>The data JSON as a string.</summary>
    public string DataJson => Encoding.UTF8.GetString(DataUtf8);
}
