using CompanyOs.Llm.Tokens;

namespace CompanyOs.Llm.Tests.Tokens;

public class TokenCountCacheTests
{
    private static readonly TiktokenBpe O200k = TiktokenBpe.O200k;
    private static readonly TiktokenBpe Cl100k = TiktokenBpe.Cl100k;

    [Fact]
    public void Counts_are_the_tokenizers_own_on_misses_hits_and_after_slots_are_replaced()
    {
        var cache = new TokenCountCache();
        // Four times as many distinct texts as slots, counted twice: every slot is hit, missed and replaced.
        var texts = Enumerable.Range(0, TokenCountCache.Slots * 4).Select(i => $"text {i}: {new string('x', i % 37)} — Ελληνικά {i * 7919}").ToArray();

        for (var round = 0; round < 2; round++)
        {
            foreach (var text in texts)
            {
                Assert.Equal(O200k.CountTokens(text), cache.Count(O200k, text));
            }
        }
    }

    [Fact]
    public void A_hit_needs_the_same_content_and_the_same_tokenizer()
    {
        var cache = new TokenCountCache();
        var text = "tokenization differs between encodings: Ελληνικά and 日本語";

        var o200k = cache.Count(O200k, text);
        var cl100k = cache.Count(Cl100k, text);
        var copy = cache.Count(O200k, new string(text.AsSpan()));

        Assert.Equal(O200k.CountTokens(text), o200k);
        Assert.Equal(Cl100k.CountTokens(text), cl100k);
        Assert.NotEqual(o200k, cl100k);
        Assert.Equal(o200k, copy);
    }

    [Fact]
    public void Empty_and_texts_longer_than_the_cap_are_counted_directly()
    {
        var cache = new TokenCountCache();
        var longText = string.Concat(Enumerable.Repeat("a long document line. ", (TokenCountCache.MaxTextLength / 22) + 10));

        Assert.Equal(0, cache.Count(O200k, string.Empty));
        Assert.Equal(O200k.CountTokens(longText), cache.Count(O200k, longText));
        Assert.Equal(O200k.CountTokens(longText), cache.Count(O200k, longText));
    }

    [Fact]
    public async Task Concurrent_callers_always_get_the_right_count()
    {
        var cache = new TokenCountCache();
        var texts = Enumerable.Range(0, 2_000).Select(i => $"message {i % 700} of a shared conversation").ToArray();
        var expected = texts.Select(t => O200k.CountTokens(t)).ToArray();

        var mismatches = await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            var wrong = 0;
            for (var i = 0; i < texts.Length; i++)
            {
                var k = (i * (worker + 1)) % texts.Length;
                wrong += cache.Count(O200k, texts[k]) == expected[k] ? 0 : 1;
            }

            return wrong;
        })));

        Assert.All(mismatches, m => Assert.Equal(0, m));
    }
}
