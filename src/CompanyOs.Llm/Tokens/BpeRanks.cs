using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Numerics;
using System.Reflection;
using System.Text;

namespace CompanyOs.Llm.Tokens;

/// <summary>
/// The mergeable ranks of a tiktoken encoding (token bytes → rank) in flat arrays (token bytes, starts, and ranks only when
/// they are not the tokens' positions, which they are in the data packages) and an open-addressing index: ≈ 4.3 MB for
/// o200k, where <c>Microsoft.ML.Tokenizers</c> keeps ≈ 40 MB of dictionaries, per-token byte arrays and strings
/// (encoder, decoder and vocabulary) on the GC heap for the life of the process. Read-only after construction, so it is
/// safe to share between threads.
/// </summary>
internal sealed class BpeRanks
{
    private const string CapacityHeader = "Capacity:";

    private readonly byte[] _bytes;   // every token's bytes, back to back
    private readonly int[] _starts;   // entry i is _bytes[_starts[i].._starts[i + 1]]
    private readonly int[]? _ranks;   // entry i's rank; null when every entry's rank is its position (the data packages' form)
    private readonly int[] _slots;    // entry index + 1, 0 = empty; linear probing
    private readonly int _mask;

    private BpeRanks(byte[] bytes, int[] starts, int[]? ranks)
    {
        _bytes = bytes;
        _starts = starts;
        _ranks = ranks;
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, Count * 2));
        _slots = new int[size];
        _mask = size - 1;
        for (var i = 0; i < Count; i++)
        {
            var token = Token(i);
            var slot = Hash(token) & _mask;
            while (_slots[slot] != 0)
            {
                if (Token(_slots[slot] - 1).SequenceEqual(token))
                {
                    break; // a repeated token keeps its first rank
                }

                slot = (slot + 1) & _mask;
            }

            if (_slots[slot] == 0)
            {
                _slots[slot] = i + 1;
            }
        }
    }

    /// <summary>Number of tokens.</summary>
    public int Count => _starts.Length - 1;

    /// <summary>True when every token's rank is its position, so no rank array is kept (≈ 0.8 MB less for o200k).</summary>
    internal bool RanksArePositions => _ranks is null;

    /// <summary>The rank of <paramref name="token"/>, or -1 when it is not a token of this encoding.</summary>
    public int Rank(ReadOnlySpan<byte> token)
    {
        var slot = Hash(token) & _mask;
        while (true)
        {
            var entry = _slots[slot];
            if (entry == 0)
            {
                return -1;
            }

            if (Token(entry - 1).SequenceEqual(token))
            {
                return _ranks is null ? entry - 1 : _ranks[entry - 1];
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>
    /// Reads a <c>.tiktoken</c> file: one <c>base64-token rank</c> pair per line (tiktoken's files), or one base64 token per
    /// line ranked by position after a <c>Capacity: N</c> line (the deflated resources of the
    /// <c>Microsoft.ML.Tokenizers.Data.*</c> packages).
    /// </summary>
    /// <exception cref="InvalidDataException">A line is not a base64 token followed by a rank.</exception>
    public static BpeRanks Read(Stream tiktoken)
    {
        ArgumentNullException.ThrowIfNull(tiktoken);
        var bytes = new ArrayBufferWriter<byte>(1 << 21);
        var starts = new List<int>(1 << 18);
        var ranks = new List<int>(1 << 18);
        using var reader = new StreamReader(tiktoken, Encoding.ASCII);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            if (lineNumber == 1 && line.StartsWith(CapacityHeader, StringComparison.Ordinal))
            {
                continue;
            }

            // "<base64> <rank>" (tiktoken's own files) or "<base64>" alone, ranked by position (the data packages' form).
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var base64 = space < 0 ? line.AsSpan() : line.AsSpan(0, space);
            var destination = bytes.GetSpan((base64.Length * 3 / 4) + 3);
            var rank = ranks.Count == 0 ? 0 : ranks[^1] + 1;
            if (base64.IsEmpty || !Convert.TryFromBase64Chars(base64, destination, out var written) ||
                (space >= 0 && !int.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out rank)))
            {
                throw new InvalidDataException($"Line {lineNumber} of the tiktoken ranks is not '<base64 token> [<rank>]'.");
            }

            starts.Add(bytes.WrittenCount);
            bytes.Advance(written);
            ranks.Add(rank);
        }

        starts.Add(bytes.WrittenCount);
        // The data packages rank by position, and tiktoken's own files list tokens in rank order: no array is kept then.
        var positional = true;
        for (var i = 0; i < ranks.Count && positional; i++)
        {
            positional = ranks[i] == i;
        }

        return new BpeRanks(bytes.WrittenSpan.ToArray(), [.. starts], positional ? null : [.. ranks]);
    }

    /// <summary>Reads the deflated <c>.tiktoken</c> resource <paramref name="resource"/> of the assembly named <paramref name="assembly"/>.</summary>
    /// <exception cref="InvalidOperationException">The assembly has no such resource.</exception>
    public static BpeRanks FromDeflatedResource(string assembly, string resource)
    {
        using var stream = Assembly.Load(new AssemblyName(assembly)).GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The assembly '{assembly}' has no resource '{resource}' (tiktoken ranks).");
        using var inflated = new DeflateStream(stream, CompressionMode.Decompress);
        return Read(inflated);
    }

    private ReadOnlySpan<byte> Token(int entry) => _bytes.AsSpan(_starts[entry], _starts[entry + 1] - _starts[entry]);

    private static int Hash(ReadOnlySpan<byte> token)
    {
        var hash = default(HashCode);
        hash.AddBytes(token);
        return hash.ToHashCode();
    }
}
