using System.Text;
using CompanyOs.Agents.Definitions;

namespace CompanyOs.Agents.Runtime;

/// <summary>Builds the system prompt: persona, the most recent memory items, then the autonomy rules and the built-in tools.</summary>
internal static class SystemPromptBuilder
{
    public static string Build(string? persona, IReadOnlyList<string> memory, int memoryItems, AutonomyLevel? autonomy)
    {
        var sb = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(persona))
        {
            sb.Append(persona.Trim()).Append("\n\n");
        }

        if (memoryItems > 0 && memory.Count > 0)
        {
            sb.Append("## Relevant context from memory\n");
            foreach (var item in memory.Skip(Math.Max(0, memory.Count - memoryItems)))
            {
                sb.Append("- ").Append(item.ReplaceLineEndings(" ")).Append('\n');
            }

            sb.Append('\n');
        }

        sb.Append(autonomy switch
        {
            null => string.Empty,
            AutonomyLevel.Autonomous =>
                "## Autonomy: autonomous\nYour tool calls run without human approval. Use good judgement and escalate with ask_human when something is unexpected or risky.\n",
            AutonomyLevel.Supervised =>
                "## Autonomy: supervised\nLow-risk tools run directly. High-risk tool calls wait for a human to approve, edit or reject them; you will receive their decision as the tool result.\n",
            _ =>
                "## Autonomy: manual\nEvery tool call waits for a human to approve, edit or reject it; you will receive their decision as the tool result.\n",
        });
        sb.Append("\n## Working rules\n")
            .Append("- You may call several tools in one turn when they are independent; they run in parallel.\n")
            .Append("- Use ask_human when you need information or a decision that only a person can give.\n")
            .Append("- When the task is done, reply with your final answer without calling tools (or call complete_task with the result).\n");
        return sb.ToString();
    }
}
