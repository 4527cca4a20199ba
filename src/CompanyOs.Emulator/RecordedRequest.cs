namespace CompanyOs.Emulator;

/// <summary>
/// A request the emulator received, for tests that assert what a client sent. Secret headers (<c>Authorization</c>,
/// <c>x-api-key</c>, …) are never recorded.
/// </summary>
/// <param name="Route">The route.</param>
/// <param name="Body">Request body as received (empty for GET).</param>
/// <param name="Headers">Non-secret request headers, names lower-case.</param>
/// <param name="Fault">The injected fault(s), as header syntax, or null.</param>
public sealed record RecordedRequest(
    EmulatorRoute Route,
    string Body,
    IReadOnlyDictionary<string, string> Headers,
    string? Fault)
{
    /// <summary>When the request arrived (the emulator's <see cref="EmulatorOptions.TimeProvider"/>), before any fault or delay.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>What became of the response: frames written, aborted or not, and when the emulator stopped producing it.</summary>
    public RecordedResponse Response { get; } = new();
}
