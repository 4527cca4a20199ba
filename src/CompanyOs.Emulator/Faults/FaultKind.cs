namespace CompanyOs.Emulator.Faults;

/// <summary>What an injected <see cref="Fault"/> does.</summary>
public enum FaultKind
{
    /// <summary>Answer with an HTTP error status and the provider's error JSON (optionally with <c>Retry-After</c>).</summary>
    Status,

    /// <summary>Abort the connection before any response byte.</summary>
    ConnectionReset,

    /// <summary>Delay the response headers; the request then succeeds.</summary>
    SlowFirstByte,

    /// <summary>Abort the connection after N stream chunks (or N body bytes for a non-streaming response), with no terminal event.</summary>
    CutAfter,

    /// <summary>Send invalid JSON: a truncated body, or an unparsable stream chunk after the first one.</summary>
    Malformed,
}
