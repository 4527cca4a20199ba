using System.Security.Cryptography;
using System.Text;
using CompanyOs.Server.Keys;

namespace CompanyOs.Server.Tests.Keys;

/// <summary>
/// <see cref="ApiKey.Hash(ReadOnlySpan{char}, Span{char})"/> reuses one SHA-256 context per thread: every hash must still be
/// the SHA-256 of that key alone, whatever was hashed before it on the thread and on other threads at the same time.
/// </summary>
public sealed class ApiKeyHashTests
{
    private static string Expected(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void Each_hash_is_the_sha256_of_its_key_alone_one_after_another()
    {
        string[] keys = [ApiKey.Generate(), "cos_short", ApiKey.Generate(), "", "cos_" + new string('x', 700), ApiKey.Generate()];
        Span<char> hash = stackalloc char[ApiKey.HashLength];
        for (var round = 0; round < 2; round++)
        {
            foreach (var key in keys)
            {
                ApiKey.Hash(key, hash);
                Assert.Equal(Expected(key), hash.ToString());
                Assert.Equal(Expected(key), ApiKey.Hash(key));
            }
        }
    }

    [Fact]
    public async Task Threads_hashing_at_once_each_get_their_own_keys_hash()
    {
        var keys = Enumerable.Range(0, 8).Select(_ => ApiKey.Generate()).ToArray();
        var expected = keys.Select(Expected).ToArray();
        var workers = keys.Select((key, i) => Task.Run(() =>
        {
            for (var n = 0; n < 2_000; n++)
            {
                Assert.Equal(expected[i], ApiKey.Hash(key));
            }
        }, TestContext.Current.CancellationToken));
        await Task.WhenAll(workers);
    }

    [Fact]
    public void A_destination_of_the_wrong_length_is_refused()
    {
        var destination = new char[ApiKey.HashLength - 1];
        Assert.Throws<ArgumentException>(() => ApiKey.Hash("cos_key", destination));
    }
}
