using System.Globalization;

namespace CompanyOs.Events.Sqlite;

/// <summary>
/// How the <c>events.event_uuid</c> column holds an id (schema 3; schemas 1 and 2 had the text column <c>event_id</c>): the GUID's 16 bytes in RFC 4122 (big-endian) order, so
/// <c>hex(event_uuid)</c> reads as the id's text without dashes and the migration from text ids is <c>unhex</c>. A text id a
/// hand-written row left behind in an older schema is still read by parsing it, as before.
/// </summary>
internal static class SqliteEventId
{
    public const int Size = 16;

    /// <summary>Writes the stored bytes of <paramref name="id"/> into <paramref name="destination"/> (16 bytes).</summary>
    public static void Write(Guid id, Span<byte> destination)
    {
        if (!id.TryWriteBytes(destination, bigEndian: true, out _))
        {
            throw new ArgumentException("An event id needs 16 bytes.", nameof(destination));
        }
    }

    /// <summary>The id's hex text as <c>unhex()</c> takes it (the look-up passes ids as a JSON array of these).</summary>
    public static string Hex(Guid id) => id.ToString("N");

    /// <summary>
    /// The id a stored value holds: 16 bytes, or text that parses as a GUID (rows from before schema 3 that were not in
    /// the canonical form); anything else reads as <see cref="Guid.Empty"/>, like an unparseable id always did.
    /// </summary>
    public static Guid Read(object? value) => value switch
    {
        byte[] { Length: Size } bytes => new Guid(bytes, bigEndian: true),
        string text when Guid.TryParse(text, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => Guid.Empty,
    };
}
