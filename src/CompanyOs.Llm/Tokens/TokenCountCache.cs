namespace CompanyOs.Llm.Tokens;

/// <summary>
/// Remembers the token counts of recently counted texts, so the parts of a prompt that every call repeats (system prompt,
/// tool schemas, an agent's earlier turns) are not tokenized again on each call. A hit is compared by content, so the count
/// is always the tokenizer's own. Direct-mapped and lock-free: each slot holds one immutable entry, a colliding text simply
/// replaces it. Bounded: <see cref="Slots"/> entries of at most <see cref="MaxTextLength"/> characters (≈ 8 MB at most).
/// </summary>
internal sealed class TokenCountCache
{
    /// <summary>Number of slots (a power of two).</summary>
    public const int Slots = 512;

    /// <summary>Longer texts are counted every time (hashing them is cheap, but keeping them alive is not).</summary>
    public const int MaxTextLength = 8 * 1024;

    private readonly Entry?[] _entries = new Entry?[Slots];

    /// <summary>The number of tokens of <paramref name="text"/> by <paramref name="tokenizer"/>, from the cache when it holds it.</summary>
    public int Count(TiktokenBpe tokenizer, string text)
    {
        if (text.Length == 0 || text.Length > MaxTextLength)
        {
            return tokenizer.CountTokens(text);
        }

        var hash = text.GetHashCode();
        ref var slot = ref _entries[(hash ^ tokenizer.GetHashCode()) & (Slots - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && entry.Hash == hash && ReferenceEquals(entry.Tokenizer, tokenizer) && string.Equals(entry.Text, text, StringComparison.Ordinal))
        {
            return entry.Count;
        }

        var count = tokenizer.CountTokens(text);
        Volatile.Write(ref slot, new Entry(tokenizer, text, hash, count));
        return count;
    }

    private sealed class Entry(TiktokenBpe tokenizer, string text, int hash, int count)
    {
        public TiktokenBpe Tokenizer { get; } = tokenizer;

        public string Text { get; } = text;

        public int Hash { get; } = hash;

        public int Count { get; } = count;
    }
}
