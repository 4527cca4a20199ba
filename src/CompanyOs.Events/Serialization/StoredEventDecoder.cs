using System.Text.Json;

namespace CompanyOs.Events.Serialization;

/// <summary>
/// Turns a stored row into a <see cref="RecordedEvent"/> without ever throwing on bad content: data that is not valid
/// JSON comes back as a JSON string holding the raw text, and the problem is named in metadata
/// <see cref="EventMetadata.Extra"/> under <see cref="MetadataJson.ReadErrorKey"/>.
/// </summary>
internal static class StoredEventDecoder
{
    public static RecordedEvent Decode(
        string streamId, long version, long position, Guid eventId, string type, string dataJson, string metadataJson, long createdAtMicros)
    {
        var metadata = MetadataJson.Read(metadataJson, out var metadataError);
        JsonElement data;
        string? dataError = null;
        try
        {
            data = JsonElement.Parse(dataJson);
        }
        catch (JsonException ex)
        {
            dataError = "data is not valid JSON: " + ex.Message;
            data = JsonSerializer.SerializeToElement(dataJson, EventsJsonContext.Default.String);
        }

        var error = (dataError, metadataError) switch
        {
            (null, null) => null,
            (not null, null) => dataError,
            (null, not null) => metadataError,
            _ => dataError + "; " + metadataError,
        };
        if (error is not null)
        {
            var extra = new Dictionary<string, string>(metadata.Extra ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                [MetadataJson.ReadErrorKey] = error,
            };
            metadata = metadata with { Extra = extra };
        }

        return new RecordedEvent(streamId, version, position, eventId, type, data, metadata, UnixMicros.ToDateTimeOffset(createdAtMicros));
    }
}
