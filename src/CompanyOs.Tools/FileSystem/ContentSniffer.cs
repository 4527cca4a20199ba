using System.Text.Unicode;

namespace CompanyOs.Tools.FileSystem;

/// <summary>Tells text from binary content: NUL bytes or invalid UTF-8 mean binary; well-known formats are named.</summary>
public static class ContentSniffer
{
    private const int NulScanLength = 8192;

    /// <summary>Null when <paramref name="content"/> is UTF-8 text; otherwise a short description such as "PNG image".</summary>
    /// <param name="content">The bytes read.</param>
    /// <param name="truncated">True when more bytes follow, so an incomplete character at the end is not an error.</param>
    public static string? DescribeBinary(ReadOnlySpan<byte> content, bool truncated)
    {
        if (Magic(content) is { } format)
        {
            return format;
        }

        if (content[..Math.Min(content.Length, NulScanLength)].Contains((byte)0))
        {
            return content is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..] ? "UTF-16 text (only UTF-8 is supported)" : "binary data";
        }

        var checkedPart = truncated ? content[..TextLength(content)] : content;
        return Utf8.IsValid(checkedPart) ? null : "binary data (not valid UTF-8)";
    }

    /// <summary>Length of <paramref name="content"/> without a multi-byte UTF-8 character cut off at its end.</summary>
    public static int TextLength(ReadOnlySpan<byte> content)
    {
        var end = content.Length;
        for (var back = 1; back <= Math.Min(3, content.Length); back++)
        {
            var b = content[end - back];
            if ((b & 0xC0) == 0x80)
            {
                continue; // continuation byte: keep looking for the lead byte
            }

            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? end - back : end;
        }

        return end;
    }

    /// <summary>Number of leading UTF-8 continuation bytes (a read that started in the middle of a character).</summary>
    public static int LeadingContinuationBytes(ReadOnlySpan<byte> content)
    {
        var count = 0;
        while (count < Math.Min(3, content.Length) && (content[count] & 0xC0) == 0x80)
        {
            count++;
        }

        return count;
    }

    private static string? Magic(ReadOnlySpan<byte> head) => head switch
    {
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "PNG image",
        [0xFF, 0xD8, 0xFF, ..] => "JPEG image",
        [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..] => "GIF image",
        [(byte)'%', (byte)'P', (byte)'D', (byte)'F', ..] => "PDF document",
        [(byte)'P', (byte)'K', 0x03, 0x04, ..] => "ZIP archive (also docx/xlsx/jar)",
        [0x7F, (byte)'E', (byte)'L', (byte)'F', ..] => "ELF executable",
        [0x1F, 0x8B, ..] => "gzip archive",
        [(byte)'S', (byte)'Q', (byte)'L', (byte)'i', (byte)'t', (byte)'e', ..] => "SQLite database",
        _ => null,
    };
}
