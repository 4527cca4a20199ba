using CompanyOs.Llm.Gateway.Resilience;

namespace CompanyOs.Llm.Configuration.Sections;

/// <summary><c>circuit_breaker:</c> — the per-provider breaker of the gateway.</summary>
internal sealed class CircuitBreakerSection : ILlmConfigSection
{
    private static readonly string[] Keys = ["enabled", "failure_ratio", "minimum_throughput", "sampling_duration_seconds", "break_duration_seconds"];

    public string Key => "circuit_breaker";

    public LlmOptions Read(ConfigNode node, LlmOptions options)
    {
        if (node.IsNull)
        {
            return options;
        }

        node.ExpectOnlyKeys(Keys);
        var d = new CircuitBreakerPolicyOptions();
        var ratio = node.Child("failure_ratio").AsDecimal(0.01m, 1m);
        var sampling = node.Child("sampling_duration_seconds").AsSeconds(maxSeconds: 86_400) ?? d.SamplingDuration;
        var breakFor = node.Child("break_duration_seconds").AsSeconds(maxSeconds: 86_400) ?? d.BreakDuration;
        if (sampling < TimeSpan.FromMilliseconds(500))
        {
            throw node.Child("sampling_duration_seconds").Error("must be at least 0.5 seconds");
        }

        if (breakFor < TimeSpan.FromMilliseconds(500))
        {
            throw node.Child("break_duration_seconds").Error("must be at least 0.5 seconds");
        }

        return options with
        {
            CircuitBreaker = new CircuitBreakerPolicyOptions
            {
                Enabled = node.Child("enabled").AsBool() ?? d.Enabled,
                FailureRatio = ratio is { } r ? (double)r : d.FailureRatio,
                MinimumThroughput = node.Child("minimum_throughput").AsInt(2, 100_000) ?? d.MinimumThroughput,
                SamplingDuration = sampling,
                BreakDuration = breakFor,
            },
        };
    }
}
