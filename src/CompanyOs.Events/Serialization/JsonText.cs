namespace CompanyOs.Events.Serialization;

/// <summary>Checks on raw JSON text.</summary>
internal static class JsonText
{
    /// <summary>
    /// True when UTF-8 <paramref name="json"/> encodes a NUL character (an unescaped backslash followed by u0000; valid JSON
    /// writes the escape's <c>u</c> in lower case).
    /// </summary>
    public static bool ContainsNulEscape(ReadOnlySpan<byte> json)
    {
        ReadOnlySpan<byte> escape = "\\u0000"u8;
        var start = 0;
        while (json[start..].IndexOf(escape) is var found and >= 0)
        {
            var at = start + found;
            var backslashes = 0;
            for (var i = at; i >= 0 && json[i] == (byte)'\\'; i--)
            {
                backslashes++;
            }

            if (backslashes % 2 == 1)
            {
                return true;
            }

            start = at + 1;
        }

        return false;
    }
}
