namespace CompanyOs.Configuration;

/// <summary>
/// Whether spans record message contents (prompts, answers, tool arguments and results): off unless opted in. The default
/// of every component's own switch is the OpenTelemetry GenAI instrumentations' environment variable
/// <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true</c> (the one Microsoft.Extensions.AI also honours).
/// </summary>
public static class TelemetryContentCapture
{
    /// <summary>The environment variable that opts in.</summary>
    public const string EnvironmentVariable = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

    /// <summary>True when <see cref="EnvironmentVariable"/> is <c>true</c> (any case) in this process's environment.</summary>
    public static bool FromEnvironment() => IsOn(ProcessEnvironment.Lookup(EnvironmentVariable));

    /// <summary>True when <paramref name="value"/> is <c>true</c> (any case, surrounding spaces ignored).</summary>
    public static bool IsOn(string? value) => string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
}
