using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace CompanyOs.Llm.Tokens;

/// <summary>
/// Counts the tokens of a text exactly as tiktoken (and <c>Microsoft.ML.Tokenizers</c>' <c>TiktokenTokenizer</c>) does —
/// the encoding's pre-tokenization regex with its special tokens, then byte-pair merging by rank — over the compact
/// <see cref="BpeRanks"/> instead of the library's ≈ 40 MB of tables, which the library also keeps in a static cache for
/// the life of the process. Counting only: it never needs the decoder or the vocabulary strings. One shared instance per
/// encoding, loaded on first use; thread-safe.
/// </summary>
internal sealed partial class TiktokenBpe
{
    // The pre-tokenization patterns of Microsoft.ML.Tokenizers 2.0 (from tiktoken's openai_public.py); the tests compare
    // every count with the library's own tokenizer.
    private const string O200kPattern = @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Cl100kPattern = @"'(?i:[sdmt]|ll|ve|re)|(?>[^\r\n\p{L}\p{N}]?)(?>\p{L}+)|(?>\p{N}{1,3})| ?(?>[^\s\p{L}\p{N}]+)(?>[\r\n]*)|(?>\s+)$|\s*[\r\n]|\s+(?!\S)|\s";

    private static readonly Lazy<TiktokenBpe> SharedO200k = new(() => new TiktokenBpe(
        TiktokenEncodings.O200k, O200kRegex(),
        new Dictionary<string, int>(StringComparer.Ordinal) { ["<|endoftext|>"] = 199999, ["<|endofprompt|>"] = 200018 },
        BpeRanks.FromDeflatedResource("Microsoft.ML.Tokenizers.Data.O200kBase", "o200k_base.tiktoken.deflate")));

    private static readonly Lazy<TiktokenBpe> SharedCl100k = new(() => new TiktokenBpe(
        TiktokenEncodings.Cl100k, Cl100kRegex(),
        new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["<|endoftext|>"] = 100257, ["<|fim_prefix|>"] = 100258, ["<|fim_middle|>"] = 100259, ["<|fim_suffix|>"] = 100260,
            ["<|endofprompt|>"] = 100276,
        },
        BpeRanks.FromDeflatedResource("Microsoft.ML.Tokenizers.Data.Cl100kBase", "cl100k_base.tiktoken.deflate")));

    private readonly RegexPreTokenizer _preTokenizer;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _special;
    private readonly int _longestSpecial;
    private readonly BpeRanks _ranks;

    private TiktokenBpe(string encoding, Regex pattern, Dictionary<string, int> specialTokens, BpeRanks ranks)
    {
        Encoding = encoding;
        _preTokenizer = new RegexPreTokenizer(pattern, specialTokens);
        _special = specialTokens.GetAlternateLookup<ReadOnlySpan<char>>();
        _longestSpecial = specialTokens.Keys.Max(k => k.Length);
        _ranks = ranks;
    }

    /// <summary>The o200k_base encoding (gpt-4o, gpt-4.1, gpt-5, o-series), loaded on first use.</summary>
    public static TiktokenBpe O200k => SharedO200k.Value;

    /// <summary>The cl100k_base encoding (gpt-4, gpt-3.5), loaded on first use.</summary>
    public static TiktokenBpe Cl100k => SharedCl100k.Value;

    /// <summary>The encoding's name, e.g. <c>o200k_base</c>.</summary>
    public string Encoding { get; }

    /// <summary>The number of tokens of <paramref name="text"/>; special tokens written in the text count as one token each.</summary>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return 0;
        }

        Span<byte> stack = stackalloc byte[256];
        byte[]? rented = null;
        var count = 0;
        try
        {
            foreach (var (offset, length) in _preTokenizer.PreTokenize(text))
            {
                count += CountPreTokenized(text.AsSpan(offset, length), stack, ref rented);
            }
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return count;
    }

    /// <summary>
    /// The length of a prefix of <paramref name="text"/> that counts at most <paramref name="maxTokens"/> tokens on its own
    /// (what a model cut off at that many tokens would have written), never between the two halves of a surrogate pair:
    /// the whole text when it fits, else whole pre-tokenized pieces while they fit, then as much of the next piece as a
    /// bisection over the prefix's own count finds (a cut text may pre-tokenize differently, so every candidate is counted
    /// whole). The returned prefix always fits.
    /// </summary>
    public int FittingPrefixLength(string text, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        if (CountTokens(text) <= maxTokens)
        {
            return text.Length;
        }

        // Whole pieces while they fit: [fits, overflows) brackets the cut.
        int kept = 0, used = 0, overflows = text.Length;
        Span<byte> stack = stackalloc byte[256];
        byte[]? rented = null;
        try
        {
            foreach (var (offset, length) in _preTokenizer.PreTokenize(text))
            {
                var n = CountPreTokenized(text.AsSpan(offset, length), stack, ref rented);
                if (used + n > maxTokens)
                {
                    overflows = offset + length;
                    break;
                }

                used += n;
                kept = offset + length;
            }
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }

        var fits = CountTokens(text[..kept]) <= maxTokens ? kept : 0;
        if (CountTokens(text[..overflows]) <= maxTokens)
        {
            (fits, overflows) = (overflows, text.Length);
        }

        while (overflows - fits > 1)
        {
            var mid = fits + ((overflows - fits) / 2);
            if (char.IsLowSurrogate(text[mid]) && char.IsHighSurrogate(text[mid - 1]))
            {
                mid = mid - 1 > fits ? mid - 1 : mid + 1;
                if (mid >= overflows)
                {
                    break; // the only cut left would split a surrogate pair
                }
            }

            if (CountTokens(text[..mid]) <= maxTokens)
            {
                fits = mid;
            }
            else
            {
                overflows = mid;
            }
        }

        return fits;
    }

    /// <summary>The tokens of one pre-tokenized piece: a special token is one, any other piece is byte-pair merged.</summary>
    private int CountPreTokenized(ReadOnlySpan<char> piece, Span<byte> stack, ref byte[]? rented)
    {
        if (piece.Length <= _longestSpecial && _special.ContainsKey(piece))
        {
            return 1;
        }

        var max = System.Text.Encoding.UTF8.GetMaxByteCount(piece.Length);
        var buffer = stack;
        if (max > stack.Length)
        {
            if (rented is null || rented.Length < max)
            {
                if (rented is not null)
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(rented);
                }

                rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max);
            }

            buffer = rented;
        }

        var written = piece.ContainsAnyInRange('\ud800', '\udfff') ? Wtf8(piece, buffer) : System.Text.Encoding.UTF8.GetBytes(piece, buffer);
        return CountPiece(buffer[..written]);
    }

    /// <summary>
    /// UTF-8, except that an unpaired surrogate is encoded as its own three bytes (WTF-8) rather than replaced by U+FFFD:
    /// what <c>Microsoft.ML.Tokenizers</c> does, so lone surrogates count as the library counts them.
    /// </summary>
    private static int Wtf8(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            int c = text[i];
            if (char.IsHighSurrogate((char)c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                c = char.ConvertToUtf32((char)c, text[++i]);
                destination[n++] = (byte)(0xF0 | (c >> 18));
                destination[n++] = (byte)(0x80 | ((c >> 12) & 0x3F));
                destination[n++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                destination[n++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (c < 0x80)
            {
                destination[n++] = (byte)c;
            }
            else if (c < 0x800)
            {
                destination[n++] = (byte)(0xC0 | (c >> 6));
                destination[n++] = (byte)(0x80 | (c & 0x3F));
            }
            else
            {
                destination[n++] = (byte)(0xE0 | (c >> 12));
                destination[n++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                destination[n++] = (byte)(0x80 | (c & 0x3F));
            }
        }

        return n;
    }

    /// <summary>
    /// The tokens of one pre-tokenized piece: one when the whole piece is a token, otherwise tiktoken's byte-pair merge —
    /// repeatedly join the adjacent pair whose joined bytes have the lowest rank (leftmost on ties) until no pair is a token.
    /// </summary>
    private int CountPiece(ReadOnlySpan<byte> piece)
    {
        if (piece.Length <= 1)
        {
            return piece.Length; // every single byte is a token
        }

        if (_ranks.Rank(piece) >= 0)
        {
            return 1;
        }

        // Part boundaries (starts[0..m), the last one the end of the piece) and the rank of joining part i with part i + 1.
        var m = piece.Length + 1;
        var starts = m <= 128 ? stackalloc int[m] : new int[m];
        var ranks = m <= 128 ? stackalloc int[m] : new int[m];
        for (var i = 0; i < m; i++)
        {
            starts[i] = i;
        }

        for (var i = 0; i < m; i++)
        {
            ranks[i] = PairRank(piece, starts, m, i);
        }

        while (true)
        {
            var best = -1;
            var bestRank = int.MaxValue;
            for (var i = 0; i < m - 1; i++)
            {
                if (ranks[i] < bestRank)
                {
                    bestRank = ranks[i];
                    best = i;
                }
            }

            if (best < 0)
            {
                return m - 1;
            }

            // Join part best with part best + 1: drop boundary best + 1, then re-rank the pairs around the joined part.
            starts[(best + 2)..m].CopyTo(starts[(best + 1)..]);
            ranks[(best + 2)..m].CopyTo(ranks[(best + 1)..]);
            m--;
            ranks[best] = PairRank(piece, starts, m, best);
            if (best > 0)
            {
                ranks[best - 1] = PairRank(piece, starts, m, best - 1);
            }
        }
    }

    private int PairRank(ReadOnlySpan<byte> piece, ReadOnlySpan<int> starts, int m, int i)
    {
        if (i + 2 >= m)
        {
            return int.MaxValue;
        }

        var rank = _ranks.Rank(piece[starts[i]..starts[i + 2]]);
        return rank < 0 ? int.MaxValue : rank;
    }

    [GeneratedRegex(O200kPattern)]
    private static partial Regex O200kRegex();

    [GeneratedRegex(Cl100kPattern)]
    private static partial Regex Cl100kRegex();
}
