namespace CompanyOs.Emulator.Faults;

/// <summary>
/// A failure the emulator injects into a request. Queue it with <see cref="FaultPlan.Enqueue"/> or select it per request
/// with the <c>x-emulator-fault</c> header (see <see cref="FaultHeaderParser"/> for the syntax).
/// </summary>
public sealed record Fault
{
    private Fault(FaultKind kind) => Kind = kind;

    /// <summary>What the fault does.</summary>
    public FaultKind Kind { get; }

    /// <summary>HTTP status for <see cref="FaultKind.Status"/>.</summary>
    public int StatusCode { get; private init; }

    /// <summary><c>Retry-After</c> sent with a status fault; null sends none.</summary>
    public TimeSpan? RetryAfter { get; private init; }

    /// <summary>Send <see cref="RetryAfter"/> as an HTTP-date instead of delta-seconds.</summary>
    public bool RetryAfterAsHttpDate { get; private init; }

    /// <summary>Delay for <see cref="FaultKind.SlowFirstByte"/>.</summary>
    public TimeSpan Delay { get; private init; }

    /// <summary>Chunks (streaming) or bytes (non-streaming) delivered before <see cref="FaultKind.CutAfter"/> aborts.</summary>
    public int Count { get; private init; }

    /// <summary>An error status with the provider's error JSON. 529 is Anthropic's <c>overloaded_error</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Status outside 400–599, or a negative <paramref name="retryAfter"/>.</exception>
    public static Fault Status(int statusCode, TimeSpan? retryAfter = null, bool retryAfterAsHttpDate = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (retryAfter is { } ra)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(ra, TimeSpan.Zero, nameof(retryAfter));
        }

        return new Fault(FaultKind.Status) { StatusCode = statusCode, RetryAfter = retryAfter, RetryAfterAsHttpDate = retryAfterAsHttpDate };
    }

    /// <summary>429 rate limit, optionally with <c>Retry-After</c>.</summary>
    public static Fault RateLimited(TimeSpan? retryAfter = null, bool retryAfterAsHttpDate = false) =>
        Status(429, retryAfter, retryAfterAsHttpDate);

    /// <summary>529 overloaded (Anthropic's <c>overloaded_error</c>; other providers get the same status with their error JSON).</summary>
    public static Fault Overloaded() => Status(529);

    /// <summary>The connection is aborted before the response starts.</summary>
    public static Fault ConnectionReset() => new(FaultKind.ConnectionReset);

    /// <summary>The response starts only after <paramref name="delay"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative delay.</exception>
    public static Fault SlowFirstByte(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new Fault(FaultKind.SlowFirstByte) { Delay = delay };
    }

    /// <summary>The connection is aborted after <paramref name="chunks"/> stream chunks (bytes when not streaming).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative count.</exception>
    public static Fault CutAfter(int chunks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunks);
        return new Fault(FaultKind.CutAfter) { Count = chunks };
    }

    /// <summary>The response body (or a stream chunk) is invalid JSON.</summary>
    public static Fault Malformed() => new(FaultKind.Malformed);

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        FaultKind.Status when RetryAfter is { } ra =>
            $"{StatusCode};{(RetryAfterAsHttpDate ? "retry-after-date" : "retry-after")}={ra.TotalSeconds:0.###}",
        FaultKind.Status => StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        FaultKind.ConnectionReset => "reset",
        FaultKind.SlowFirstByte => $"slow-first-byte={Delay.TotalMilliseconds:0}",
        FaultKind.CutAfter => $"cut-after={Count}",
        _ => "malformed",
    };
}
