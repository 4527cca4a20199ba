using System.Globalization;

namespace CompanyOs.Agents.Runs;

/// <summary>The tool-result texts the model sees for outcomes other than a plain tool output.</summary>
internal static class ToolResultText
{
    public static string Rejected(string reason) =>
        $"Rejected by a human reviewer: {reason}. The tool was not run. Do not retry the same call; adjust your approach.";

    public static string Expired(bool question) => question
        ? "Nobody answered the question in time. Continue with your best judgement."
        : "The approval request expired without a decision. The tool was not run.";

    public static string Failed(string reason, string error) => string.Create(CultureInfo.InvariantCulture, $"Error ({reason}): {error}");

    public static string Interrupted() =>
        "Interrupted: the tool had started when the run was interrupted and it is not safe to run it again automatically. "
        + "Its effects are unknown; check before relying on them.";

    public static string Completed(ToolCallState call, string output, bool isError)
    {
        var body = isError ? $"Error: {output}" : output;
        return call.ArgumentsEdited && call.EffectiveArguments is { } effective
            ? $"Note: a human reviewer changed the arguments before running the tool; it ran with {effective.GetRawText()}.\n{body}"
            : body;
    }
}
