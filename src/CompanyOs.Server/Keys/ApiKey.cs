using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace CompanyOs.Server.Keys;

/// <summary>A stored API key: never the key itself, only its SHA-256 and a short visible prefix to recognise it by.</summary>
internal sealed record ApiKeyRecord(
    string Id, string Org, IReadOnlyList<string> Scopes, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    /// <summary>The models (names or aliases) this key may use; null: every model the server serves.</summary>
    public IReadOnlyList<string>? Models { get; init; }

    /// <summary>Requests per minute this key may make; null: no per-key limit.</summary>
    public int? Rpm { get; init; }

    /// <summary>What this key may spend in all (USD), enforced by the gateway's budget policy; null: no budget of its own.</summary>
    public decimal? BudgetUsd { get; init; }

    public bool Allows(string scope)
    {
        if (RevokedAt is not null)
        {
            return false;
        }

        // Indexed, not LINQ's Contains: it runs on every /v1 request, and an interface enumerator is an allocation each time.
        for (var i = 0; i < Scopes.Count; i++)
        {
            if (string.Equals(Scopes[i], scope, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Key material: <c>cos_</c> + 256 random bits (base64url), and the hash that is stored instead.</summary>
internal static class ApiKey
{
    public const string Prefix = "cos_";
    public const string GatewayScope = "gateway";

    /// <summary>The scopes a key may hold.</summary>
    public static readonly IReadOnlyList<string> KnownScopes = [GatewayScope, "agents", "admin"];

    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string NewId() => "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static string Hash(string key)
    {
        Span<char> hash = stackalloc char[HashLength];
        Hash(key, hash);
        return new string(hash);
    }

    /// <summary>The length of <see cref="Hash(string)"/>'s text: SHA-256 in lower-case hex.</summary>
    public const int HashLength = 2 * SHA256.HashSizeInBytes;

    /// <summary>
    /// <see cref="Hash(string)"/> written into <paramref name="destination"/> (<see cref="HashLength"/> characters), without
    /// allocating for a key of ordinary length: what the per-request look-up uses.
    /// </summary>
    public static void Hash(ReadOnlySpan<char> key, Span<char> destination)
    {
        const int StackLimit = 512;
        var length = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> bytes = length <= StackLimit ? stackalloc byte[StackLimit] : new byte[length];
        var written = Encoding.UTF8.GetBytes(key, bytes);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(bytes[..written]);
        sha256.GetHashAndReset(digest);
        if (!Convert.TryToHexStringLower(digest, destination, out var chars) || chars != HashLength)
        {
            throw new ArgumentException($"The destination must hold {HashLength} characters.", nameof(destination));
        }
    }

    /// <summary>
    /// This thread's SHA-256 context, reset by every hash: <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> makes
    /// and frees an OpenSSL digest context per call, 0.1–0.4 µs more per hash on the benchmark machine (issue 17).
    /// </summary>
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    /// <summary>What a listing shows: the prefix and the first characters, enough to tell keys apart, useless to an attacker.</summary>
    public static string Visible(string key) => key[..Math.Min(key.Length, Prefix.Length + 6)] + "…";
}
