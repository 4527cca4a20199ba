using System.Text;

namespace CompanyOs.Testing;

/// <summary>
/// Reproducible random texts for tokenizer tests: words from a mixed alphabet (English fragments, contractions, digits,
/// Latin, Cyrillic, CJK, Hangul, emoji, a combining mark, pieces of special tokens such as "&lt;|" and "|&gt;", line
/// breaks) plus arbitrary UTF-16 code units (unpaired surrogates included), exercising the pre-tokenizer's classes and long
/// byte-pair merges. Compiled into every test project (Directory.Build.props).
/// </summary>
internal static class RandomTexts
{
    private static readonly string[] Alphabet = ["e", "t", "a", "o", "in", "the", "ing", " ", "  ", "\n", "\t", "'s", "'LL", ".", ",",
        "0", "42", "é", "ß", "ж", "語", "한", "😀", "\u0301", "<|", "|>", "/", "\r\n", "_", "-", "A", "Z", "q"];

    /// <summary><paramref name="count"/> texts of 1 to 59 pieces each, the same for the same <paramref name="seed"/>.</summary>
    public static IEnumerable<string> Mixed(int seed, int count)
    {
        var random = new Random(seed);
        for (var n = 0; n < count; n++)
        {
            var builder = new StringBuilder();
            var length = random.Next(1, 60);
            for (var i = 0; i < length; i++)
            {
                if (random.Next(8) == 0)
                {
                    builder.Append((char)random.Next(1, 0xFFFF));
                }
                else
                {
                    builder.Append(Alphabet[random.Next(Alphabet.Length)]);
                }
            }

            yield return builder.ToString();
        }
    }
}
