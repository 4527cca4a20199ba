using CompanyOs.Llm.Gateway.RateLimiting;

namespace CompanyOs.Llm.Configuration.Sections;

/// <summary><c>rate_limits:</c> — what a call does at a provider's RPM/TPM limit (the limits are per provider).</summary>
internal sealed class RateLimitsSection : ILlmConfigSection
{
    private static readonly string[] Keys = ["mode", "queue_limit", "max_wait_seconds", "default_max_output_tokens"];

    public string Key => "rate_limits";

    public LlmOptions Read(ConfigNode node, LlmOptions options)
    {
        if (node.IsNull)
        {
            return options;
        }

        node.ExpectOnlyKeys(Keys);
        var d = new RateLimitPolicyOptions();
        var modeNode = node.Child("mode");
        var mode = modeNode.AsString() switch
        {
            null => d.Mode,
            "wait" => RateLimitMode.Wait,
            "fail_fast" => RateLimitMode.FailFast,
            var other => throw modeNode.Error($"expected 'wait' or 'fail_fast', got '{other}'"),
        };
        return options with
        {
            RateLimits = new RateLimitPolicyOptions
            {
                Mode = mode,
                QueueLimit = node.Child("queue_limit").AsInt(0, 1_000_000) ?? d.QueueLimit,
                MaxWait = node.Child("max_wait_seconds").AsSeconds(maxSeconds: 3600) ?? d.MaxWait,
                DefaultMaxOutputTokens = node.Child("default_max_output_tokens").AsInt(1, 10_000_000) ?? d.DefaultMaxOutputTokens,
            },
        };
    }
}
