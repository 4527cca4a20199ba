using CompanyOs.Emulator.Scripting;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Emulator;

/// <summary>Settings of an <see cref="EmulatorServer"/>; validated by <see cref="EmulatorServer.StartAsync"/>.</summary>
public sealed class EmulatorOptions
{
    /// <summary>Loopback port to bind; 0 (default) picks a free ephemeral port. The emulator only ever binds 127.0.0.1.</summary>
    public int Port { get; set; }

    /// <summary>Clock for delays, <c>created</c> timestamps and <c>Retry-After</c> dates.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Delay before the response starts (every request).</summary>
    public TimeSpan FirstByteDelay { get; set; }

    /// <summary>Delay between stream chunks.</summary>
    public TimeSpan ChunkDelay { get; set; }

    /// <summary>Most tool calls the default model makes in one turn (1–16; default 2).</summary>
    public int MaxParallelToolCalls { get; set; } = 2;

    /// <summary>When set, requests must present this key (<c>Authorization: Bearer</c> or <c>x-api-key</c>) or get 401. Never echoed.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Model ids listed by <c>/v1/models</c> and <c>/api/tags</c>. Chat routes accept any model id.</summary>
    public IList<string> Models { get; } =
        ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5-20250929", "claude-3-5-haiku-20241022", "llama3.2"];

    /// <summary>Turns enqueued on <see cref="EmulatorServer.Script"/> at start.</summary>
    public IList<ScriptedTurn> Script { get; } = [];

    /// <summary>How many requests <see cref="EmulatorServer.Requests"/> keeps (oldest dropped first; 0 disables recording).</summary>
    public int MaxRecordedRequests { get; set; } = 1000;

    /// <summary>Logger factory for the emulator's own logs; null logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        Check(Port is >= 0 and <= 65535, nameof(Port), "must be 0-65535");
        Check(TimeProvider is not null, nameof(TimeProvider), "must not be null");
        Check(FirstByteDelay >= TimeSpan.Zero, nameof(FirstByteDelay), "must not be negative");
        Check(ChunkDelay >= TimeSpan.Zero, nameof(ChunkDelay), "must not be negative");
        Check(MaxParallelToolCalls is >= 1 and <= 16, nameof(MaxParallelToolCalls), "must be 1-16");
        Check(MaxRecordedRequests >= 0, nameof(MaxRecordedRequests), "must not be negative");
        Check(ApiKey is null || ApiKey.Length > 0, nameof(ApiKey), "must be null or non-empty");
        Check(Models.All(m => !string.IsNullOrWhiteSpace(m)), nameof(Models), "must not contain empty ids");
        Check(Script.All(t => t is not null), nameof(Script), "must not contain null turns");
    }

    private static void Check(bool ok, string name, string problem)
    {
        if (!ok)
        {
            throw new ArgumentException($"EmulatorOptions.{name} {problem}.", name);
        }
    }
}
