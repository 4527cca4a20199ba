using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using CompanyOs.Events.Serialization;

namespace CompanyOs.Events.Appending;

/// <summary>Checks an append's input and serializes it once, so every store rejects the same things with the same words.</summary>
internal static class AppendValidator
{
    public static PreparedEvent[] Prepare(string streamId, IReadOnlyList<EventData> events, EventStoreOptions options)
    {
        ValidateStreamId(streamId, options);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException($"Append to stream '{streamId}' has no events; pass at least one.", nameof(events));
        }

        if (events.Count > options.MaxEventsPerAppend)
        {
            throw new ArgumentException(
                $"Append to stream '{streamId}' has {events.Count} events; the limit is {options.MaxEventsPerAppend} (EventStoreOptions.MaxEventsPerAppend).",
                nameof(events));
        }

        var prepared = new PreparedEvent[events.Count];
        // One event cannot repeat an id: the set is only needed for two or more (a single append allocates none).
        var seen = events.Count > 1 ? new HashSet<Guid>(events.Count) : null;
        EventMetadata? previousMetadata = null;
        string? previousMetadataJson = null;
        string? previousType = null;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i] ?? throw new ArgumentException($"Event {i} of the append to stream '{streamId}' is null.", nameof(events));
            var where = new EventLocation(i, e.EventId, streamId);
            if (e.EventId == Guid.Empty)
            {
                throw new ArgumentException($"Event {i} of the append to stream '{streamId}' has an empty event id.", nameof(events));
            }

            if (seen is not null && !seen.Add(e.EventId))
            {
                throw new ArgumentException($"The {where} repeats an event id already used earlier in the same append.", nameof(events));
            }

            // Events of one batch often share one type string: a string already checked need not be checked again.
            if (!ReferenceEquals(e.Type, previousType))
            {
                ValidateText(e.Type, "type", options.MaxTypeLength, where);
                previousType = e.Type;
            }

            if (e.Data.ValueKind == JsonValueKind.Undefined)
            {
                throw new ArgumentException($"The data of {where} is an undefined JsonElement (default); pass a JSON value such as {{}}.", nameof(events));
            }

            if (e.Metadata is null)
            {
                throw new ArgumentException($"The metadata of {where} is null; use EventMetadata.Empty.", nameof(events));
            }

            // The caller's UTF-8 JSON, copied as is (no UTF-16 string: SQLite stores UTF-8, PostgreSQL decodes it once).
            var data = JsonMarshal.GetRawUtf8Value(e.Data).ToArray();
            if (JsonText.ContainsNulEscape(data))
            {
                throw new ArgumentException($"The data of {where} contains a NUL character (\\u0000), which the stores cannot hold.", nameof(events));
            }

            // Events of one batch often share one metadata object: serialize it once.
            var metadata = ReferenceEquals(e.Metadata, previousMetadata) ? previousMetadataJson! : MetadataJson.Write(e.Metadata, where, nameof(events));
            previousMetadata = e.Metadata;
            previousMetadataJson = metadata;
            // A UTF-16 code unit is at most 3 UTF-8 bytes: count the metadata's bytes only when that bound could exceed the limit.
            if (data.Length + (long)metadata.Length * 3 > options.MaxEventBytes
                && data.Length + (long)Encoding.UTF8.GetByteCount(metadata) is var bytes
                && bytes > options.MaxEventBytes)
            {
                throw new ArgumentException(
                    $"The {where} is {bytes} bytes of JSON data and metadata; the limit is {options.MaxEventBytes} (EventStoreOptions.MaxEventBytes).",
                    nameof(events));
            }

            prepared[i] = new PreparedEvent(e.EventId, e.Type, data, metadata, e.Metadata.OrgId);
        }

        return prepared;
    }

    public static void ValidateStreamId(string streamId, EventStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        if (string.IsNullOrWhiteSpace(streamId))
        {
            throw new ArgumentException("Stream id is empty or whitespace.", nameof(streamId));
        }

        ValidateText(streamId, "stream id", options.MaxStreamIdLength, new TextLocation("the stream"), nameof(streamId));
    }

    /// <summary>Prefixes may be empty (all streams) but otherwise follow the stream id rules.</summary>
    public static void ValidatePrefix(string prefix, EventStoreOptions options, string paramName)
    {
        ArgumentNullException.ThrowIfNull(prefix, paramName);
        if (prefix.Length > 0)
        {
            ValidateText(prefix, "stream prefix", options.MaxStreamIdLength, new TextLocation("the listing"), paramName);
        }
    }

    private static void ValidateText(string? value, string what, int maxLength, EventLocation where) =>
        ValidateText(value, what, maxLength, new TextLocation(null, where), "events");

    private static void ValidateText(string? value, string what, int maxLength, TextLocation where, string paramName)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"The {what} of {where} is empty.", paramName);
        }

        if (value.Length > maxLength)
        {
            throw new ArgumentException($"The {what} of {where} is {value.Length} characters; the limit is {maxLength}.", paramName);
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                throw new ArgumentException($"The {what} '{Printable(value)}' of {where} contains a control character at index {i}.", paramName);
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                // U+10FFFF is a noncharacter; excluding it lets prefix scans use it as an exclusive upper bound.
                if (char.ConvertToUtf32(c, value[i + 1]) == 0x10FFFF)
                {
                    throw new ArgumentException($"The {what} of {where} contains the noncharacter U+10FFFF at index {i}.", paramName);
                }

                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new ArgumentException($"The {what} of {where} contains an unpaired surrogate at index {i}.", paramName);
            }
        }
    }

    /// <summary>Where a checked text is: a fixed phrase, or an event (whose description is rendered only for an error).</summary>
    private readonly record struct TextLocation(string? Phrase, EventLocation Event = default)
    {
        public override string ToString() => Phrase ?? Event.ToString();
    }

    private static string Printable(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            sb.Append(char.IsControl(c) ? '?' : c);
        }

        return sb.ToString();
    }
}
