namespace CompanyOs.Llm.Errors;

/// <summary>
/// Stands in for an SDK or transport exception below a <see cref="ProviderException"/>: the original's type, message and stack
/// trace with the provider's API key removed, and the same for its inner exceptions. The original is never exposed because its
/// message and properties carry the upstream's response body, which a proxy or compatible server may use to echo the key,
/// and <see cref="Exception.ToString"/> (what <c>ILogger.LogError(ex, …)</c> writes) includes every inner exception.
/// </summary>
/// <remarks>
/// The original is held (privately) until its stack trace is first read, and formatted only then: formatting it reads the
/// PDBs for file and line information and keeps System.Reflection.Metadata's readers resident (≈ 1.2 MB), which copying it
/// here made every provider error pay — each retried 429 or 503 too — whether or not anything logged it.
/// </remarks>
public sealed class RedactedException : Exception
{
    private const int MaxMessageLength = 2000;
    private const string Mask = "***";
    private Exception? _original;
    private string? _stackTrace;

    private RedactedException(Exception original, string? secret)
        : base(
            $"{original.GetType().FullName}: {Scrub(original.Message, secret)}",
            original.InnerException is { } inner ? new RedactedException(inner, secret) : null)
    {
        OriginalType = original.GetType().FullName ?? original.GetType().Name;
        _original = original;
        HResult = original.HResult;
    }

    /// <summary>The full name of the exception type this stands in for, e.g. <c>System.ClientModel.ClientResultException</c>.</summary>
    public string OriginalType { get; }

    /// <summary>The original's stack trace (its frames only, nothing from the wire).</summary>
    public override string? StackTrace
    {
        get
        {
            // Released only after the text is in: a reader that sees it released sees the text.
            if (Volatile.Read(ref _original) is { } original)
            {
                _stackTrace = original.StackTrace;
                Volatile.Write(ref _original, null);
            }

            return _stackTrace;
        }
    }

    /// <summary>A redacted copy of <paramref name="exception"/> and its inner exceptions; null for null.</summary>
    public static RedactedException? From(Exception? exception, string? secret) =>
        exception is null ? null : new RedactedException(exception, secret);

    /// <summary>
    /// <paramref name="text"/> without <paramref name="secret"/>, nor a tail that could be the secret cut short (an SDK or
    /// this method truncating a body mid-key), and at most a bounded length.
    /// </summary>
    public static string Scrub(string text, string? secret, int maxLength = MaxMessageLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 16);
        if (!string.IsNullOrEmpty(secret))
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        if (text.Length > maxLength)
        {
            text = string.Concat(text.AsSpan(0, maxLength - 3), "...");
        }

        return string.IsNullOrEmpty(secret) ? text : MaskCutSecret(text, secret);
    }

    private static string MaskCutSecret(string text, string secret)
    {
        var trimmed = text.AsSpan().TrimEnd('.');
        // Four characters of a key say nothing; a longer prefix at the very end is a key cut short.
        for (var length = Math.Min(secret.Length - 1, trimmed.Length); length > 4; length--)
        {
            if (trimmed.EndsWith(secret.AsSpan(0, length), StringComparison.Ordinal))
            {
                return string.Concat(trimmed[..^length], Mask, "...");
            }
        }

        return text;
    }
}
