namespace CompanyOs.Events.Serialization;

/// <summary>Checks on raw JSON text.</summary>
internal static class JsonText
{
    /// <summary>True when <paramref name="json"/> encodes a NUL character (an unescaped backslash followed by u0000).</summary>
    public static bool ContainsNulEscape(string json)
    {
        var at = json.IndexOf("\\u0000", StringComparison.OrdinalIgnoreCase);
        while (at >= 0)
        {
            var backslashes = 0;
            for (var i = at; i >= 0 && json[i] == '\\'; i--)
            {
                backslashes++;
            }

            if (backslashes % 2 == 1)
            {
                return true;
            }

            at = json.IndexOf("\\u0000", at + 1, StringComparison.OrdinalIgnoreCase);
        }

        return false;
    }
}
