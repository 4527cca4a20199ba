using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace CompanyOs.Configuration;

/// <summary>
/// Reads the text of a configuration or template file, bounded and strict. Bounded: at most <see cref="MaxBytes"/> are read
/// (a multi-gigabyte file, or a symlink to <c>/dev/zero</c>, used to be read until the process died "Out of memory").
/// Strict: the text must be UTF-8 (a byte-order mark, UTF-8 or UTF-16, is honoured); an invalid byte is an error naming its
/// line instead of a silent U+FFFD inside a key, a model name or a secret.
/// </summary>
public static class ConfigFile
{
    /// <summary>Largest file read: configuration and prompt templates are a few KiB.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>The file's text.</summary>
    /// <exception cref="IOException">The file cannot be read, is larger than <see cref="MaxBytes"/>, or is not valid UTF-8 (the message says which, and the line).</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to read it.</exception>
    public static string ReadAllText(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        using var memory = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int n;
        while ((n = stream.Read(chunk)) > 0)
        {
            if (memory.Length + n > MaxBytes)
            {
                throw new IOException(string.Create(CultureInfo.InvariantCulture, $"the file is larger than {MaxBytes / (1024 * 1024)} MiB; refused"));
            }

            memory.Write(chunk, 0, n);
        }

        return Decode(memory.GetBuffer().AsSpan(0, (int)memory.Length));
    }

    /// <inheritdoc cref="ReadAllText(string)"/>
    public static Task<string> ReadAllTextAsync(string path, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled<string>(cancellationToken) : Task.FromResult(ReadAllText(path));

    private static string Decode(ReadOnlySpan<byte> bytes)
    {
        switch (bytes)
        {
            case [0xFF, 0xFE, ..]:
                return Encoding.Unicode.GetString(bytes[2..]);
            case [0xFE, 0xFF, ..]:
                return Encoding.BigEndianUnicode.GetString(bytes[2..]);
            case [0xEF, 0xBB, 0xBF, ..]:
                bytes = bytes[3..];
                break;
        }

        if (!Utf8.IsValid(bytes))
        {
            var chars = new char[bytes.Length];
            _ = Utf8.ToUtf16(bytes, chars, out var valid, out _, replaceInvalidSequences: false);
            var line = bytes[..valid].Count((byte)'\n') + 1;
            throw new IOException(string.Create(CultureInfo.InvariantCulture, $"not valid UTF-8 (line {line}, byte {valid}); save the file as UTF-8"));
        }

        return Encoding.UTF8.GetString(bytes);
    }
}
