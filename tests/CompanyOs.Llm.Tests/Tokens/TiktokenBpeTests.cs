using CompanyOs.Llm.Tokens;
using Microsoft.ML.Tokenizers;

namespace CompanyOs.Llm.Tests.Tokens;

/// <summary>
/// The compact counter must count exactly as <c>Microsoft.ML.Tokenizers</c>' TiktokenTokenizer (the reference the gateway
/// used before): an undercount would under-reserve TPM limits and budgets.
/// </summary>
public class TiktokenBpeTests
{
    public static TheoryData<string> Encodings => [TiktokenEncodings.O200k, TiktokenEncodings.Cl100k];

    // A new library tokenizer per test, never a shared one: a library instance (Microsoft.ML.Tokenizers 2.0.1) that has
    // counted the random texts (pieces such as "<|" and "|>") miscounts special tokens in later texts, presumably through
    // its per-instance cache — 42 instead of 30 (o200k) and 47
    // instead of 17 (cl100k) for the special-token sample, which a fresh tokenizer and tiktoken count as the compact
    // counter does. A shared instance made the varied-text test depend on the order the tests ran in.
    private static (TiktokenBpe Compact, Tokenizer Library) Pair(string encoding) => encoding == TiktokenEncodings.O200k
        ? (TiktokenBpe.O200k, TiktokenTokenizer.CreateForEncoding(TiktokenEncodings.O200k))
        : (TiktokenBpe.Cl100k, TiktokenTokenizer.CreateForEncoding(TiktokenEncodings.Cl100k));

    private static readonly string[] Samples =
    [
        "",
        "a",
        "Say hello.",
        "Hello, world! How's it going? I'm fine, they're here, we've won, you'll see, he'd go.",
        "HELLO World CamelCaseIdentifier snake_case_name kebab-case-name SCREAMING_SNAKE",
        "    indented code\n\tfor (var i = 0; i < 10; i++) { Console.WriteLine($\"{i}\"); }\r\n\r\n\n   \n",
        "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}],\"max_tokens\":16}",
        "1234567890 3.14159 -42 1e10 0x1F 1,000,000 2026-12-01T14:00:00Z",
        "Ελληνικά κείμενα, русский текст, 日本語のテキスト, 中文文本, 한국어 텍스트, العربية, עברית, हिन्दी",
        "emoji 😀👍🏽👨‍👩‍👧‍👦 🇩🇪 and symbols ∑∫√∞ ≤ ≥ → ← ™ © ®",
        "special tokens <|endoftext|> inside <|endofprompt|> text <|fim_prefix|><|fim_middle|><|fim_suffix|> and <|unknown|>",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "https://example.com/path/to/resource?query=1&other=two#fragment //comment /* block */ <tag attr=\"v\">x</tag>",
        "lone surrogates \ud800 and \udfff, replacement \ufffd, zero-width\u200b joiner\u200d, combining e\u0301 a\u0308",
        "don't DON'T Don'T it's IT'S we'RE 's 't",
        "!!!???... --- ___ *** ### $$$ %%% ^^^ &&& ((( ))) [[[ ]]] {{{ }}}",
    ];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Counts_equal_the_library_tokenizer_on_varied_text(string encoding)
    {
        var (compact, library) = Pair(encoding);
        foreach (var text in Samples)
        {
            Assert.True(library.CountTokens(text) == compact.CountTokens(text), $"{encoding}: '{text}'");
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Counts_equal_the_library_tokenizer_on_random_text(string encoding)
    {
        var (compact, library) = Pair(encoding);
        foreach (var text in RandomTexts.Mixed(seed: 17, count: 3_000))
        {
            Assert.True(library.CountTokens(text) == compact.CountTokens(text),
                $"{encoding}: '{string.Concat(text.Select(c => c < 128 && !char.IsControl(c) ? c.ToString() : $"\\u{(int)c:x4}"))}'");
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void A_fitting_prefix_fits_keeps_whole_words_and_never_splits_a_surrogate_pair(string encoding)
    {
        var (compact, library) = Pair(encoding);
        foreach (var text in Samples)
        {
            var total = compact.CountTokens(text);
            for (var max = 0; max <= total + 1; max++)
            {
                var length = compact.FittingPrefixLength(text, max);
                Assert.True(compact.CountTokens(text[..length]) <= max, $"{encoding}: '{text}' max {max}: {length} chars");
                Assert.True(length == 0 || length == text.Length || !(char.IsHighSurrogate(text[length - 1]) && char.IsLowSurrogate(text[length])),
                    $"{encoding}: '{text}' max {max}: cut inside a surrogate pair at {length}");
                if (max >= total)
                {
                    Assert.Equal(text.Length, length);
                }
            }
        }

        // Plain words cut where the library's encoder stops (it refuses a limit of 0).
        const string words = "The gateway reserves prompt tokens before the call and settles them after it.";
        Assert.Equal(0, compact.FittingPrefixLength(words, 0));
        for (var max = 1; max <= compact.CountTokens(words); max++)
        {
            library.EncodeToIds(words, max, out _, out var consumed);
            Assert.Equal(consumed, compact.FittingPrefixLength(words, max));
        }
    }

    [Fact]
    public void Long_pieces_and_long_texts_count_alike()
    {
        var (compact, library) = Pair(TiktokenEncodings.O200k);
        var longWord = string.Concat(Enumerable.Range(0, 400).Select(i => (char)('a' + (i * 7 % 26))));
        var document = string.Concat(Enumerable.Repeat("The gateway reserves prompt tokens before the call. 日本語 ✓\n", 500));

        Assert.Equal(library.CountTokens(longWord), compact.CountTokens(longWord));
        Assert.Equal(library.CountTokens(document), compact.CountTokens(document));
    }

    [Fact]
    public void Ranks_cover_the_whole_encoding()
    {
        // The data packages hold 199,998 (o200k) and 100,256 (cl100k) mergeable ranks; every single byte is a token.
        var o200k = BpeRanks.FromDeflatedResource("Microsoft.ML.Tokenizers.Data.O200kBase", "o200k_base.tiktoken.deflate");
        Assert.Equal(199_998, o200k.Count);
        for (var b = 0; b < 256; b++)
        {
            Assert.True(o200k.Rank([(byte)b]) >= 0, $"byte {b}");
        }

        Assert.Equal(-1, o200k.Rank("not a single token at all, surely"u8));
    }

    [Fact]
    public void Both_file_forms_are_read()
    {
        using var ranked = new MemoryStream("IQ== 5\nIg== 9\n"u8.ToArray());
        using var positional = new MemoryStream("Capacity: 2\nIQ==\nIg==\n"u8.ToArray());

        var a = BpeRanks.Read(ranked);
        var b = BpeRanks.Read(positional);

        Assert.Equal((5, 9), (a.Rank("!"u8), a.Rank("\""u8)));
        Assert.Equal((0, 1), (b.Rank("!"u8), b.Rank("\""u8)));
        Assert.False(a.RanksArePositions);
        Assert.True(b.RanksArePositions);
    }

    [Fact]
    public void Ranks_in_position_order_keep_no_rank_array_and_still_answer_them()
    {
        // The data packages' form: rank = line position, so the tables drop their rank array (≈ 0.8 MB for o200k, issue 17).
        using var explicitInOrder = new MemoryStream("IQ== 0\nIg== 1\nIw== 2\n"u8.ToArray());
        var o200k = BpeRanks.FromDeflatedResource("Microsoft.ML.Tokenizers.Data.O200kBase", "o200k_base.tiktoken.deflate");

        var inOrder = BpeRanks.Read(explicitInOrder);

        Assert.True(inOrder.RanksArePositions);
        Assert.Equal((0, 1, 2, -1), (inOrder.Rank("!"u8), inOrder.Rank("\""u8), inOrder.Rank("#"u8), inOrder.Rank("$"u8)));
        Assert.True(o200k.RanksArePositions);
        Assert.Equal(0, o200k.Rank("!"u8));
    }

    [Fact]
    public void A_malformed_ranks_file_is_refused_with_the_line()
    {
        using var stream = new MemoryStream("IQ== 0\nIg== 1\nnot-base64! 2\n"u8.ToArray());

        var error = Assert.Throws<InvalidDataException>(() => BpeRanks.Read(stream));

        Assert.Contains("Line 3", error.Message, StringComparison.Ordinal);
    }
}
