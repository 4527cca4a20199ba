namespace CompanyOs.Emulator.Hosting;

/// <summary>Splits text and JSON into the small pieces real providers stream.</summary>
internal static class TextChunker
{
    /// <summary>Word-sized pieces, each carrying its trailing whitespace; concatenating them restores the text.</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        var pieces = new List<string>();
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            pieces.Add(text[start..i]);
            start = i;
        }

        return pieces;
    }

    /// <summary>Fixed-size fragments (argument JSON is streamed in arbitrary cuts by the real APIs).</summary>
    public static IReadOnlyList<string> Fragments(string text, int size)
    {
        var pieces = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var length = Math.Min(size, text.Length - i);

            // Never split a surrogate pair.
            if (i + length < text.Length && char.IsHighSurrogate(text[i + length - 1]))
            {
                length++;
            }

            pieces.Add(text.Substring(i, length));
            i += length;
        }

        return pieces;
    }
}
