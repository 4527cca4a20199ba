using System.Text;
using CompanyOs.Emulator.Conversation;
using CompanyOs.Emulator.Scripting;

namespace CompanyOs.Emulator.Model;

/// <summary>
/// The deterministic model behind every chat route. A scripted turn, when given, is played as-is; otherwise the model
/// calls offered tools when the conversation has no tool results since the last user text, and answers with text
/// (mentioning the results, if any) otherwise. The same request always yields the same turn.
/// </summary>
internal sealed class ScriptedModel(TokenCounter tokens, int maxParallelToolCalls)
{
    private const int SnippetWords = 16;

    public ModelTurn Respond(EmulatedRequest request, ScriptedTurn? scripted, CacheHint cache)
    {
        var seed = DeterministicIds.Seed(Fingerprint(request));
        var facts = ConversationFacts.From(request.Messages);
        string text;
        GeneratedToolCall[] calls;
        if (scripted is not null)
        {
            text = scripted.Content;
            calls = scripted.Calls.Select((c, i) => new GeneratedToolCall(CallId(request.Provider, seed, i), c.Name, c.ArgumentsJson)).ToArray();
        }
        else
        {
            calls = ChooseToolCalls(request, facts, seed);
            text = calls.Length > 0 ? string.Empty : Answer(request, facts);
        }

        var finish = scripted?.FinishReason ?? (calls.Length > 0 ? ScriptedFinishReason.ToolCalls : ScriptedFinishReason.Stop);
        string? stopSequence = null;
        foreach (var stop in request.StopSequences.Where(s => s.Length > 0))
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0)
            {
                text = text[..at];
                stopSequence = stop;
                finish = ScriptedFinishReason.Stop;
            }
        }

        if (request.MaxOutputTokens is { } max && calls.Length == 0 && tokens.Count(text) > max)
        {
            text = tokens.Truncate(text, max);
            finish = ScriptedFinishReason.Length;
        }

        var input = scripted?.InputTokens ?? tokens.CountPrompt(request);
        var output = scripted?.OutputTokens ?? tokens.CountOutput(text, calls);
        var read = Math.Clamp(scripted?.CacheReadTokens is > 0 ? scripted.CacheReadTokens : cache.Read, 0, input);
        var write = Math.Clamp(scripted?.CacheWriteTokens is > 0 ? scripted.CacheWriteTokens : cache.Write, 0, input - read);
        return new ModelTurn(seed, text, calls, finish, new TurnUsage(input, output, read, write)) { StopSequence = stopSequence };
    }

    private GeneratedToolCall[] ChooseToolCalls(EmulatedRequest request, ConversationFacts facts, string seed)
    {
        if (request.Tools.Count == 0 || request.ToolChoice.Mode == ToolChoiceMode.None || facts.PendingResults.Count > 0)
        {
            return [];
        }

        IEnumerable<ToolSpec> chosen;
        if (request.ToolChoice is { Mode: ToolChoiceMode.Specific, ToolName: { } forced })
        {
            chosen = request.Tools.Where(t => t.Name == forced).Take(1);
        }
        else
        {
            var mentioned = request.Tools.Where(t => Mentions(facts.LastUserText, t.Name)).ToArray();
            chosen = (mentioned.Length > 0 ? mentioned : request.Tools)
                .Take(request.ParallelToolCalls ? maxParallelToolCalls : 1);
        }

        var argumentText = Snippet(facts.LastUserText, 40);
        return chosen
            .Select((tool, i) => new GeneratedToolCall(CallId(request.Provider, seed, i), tool.Name, ArgumentSynthesizer.Synthesize(tool.Schema, argumentText, TaskHints.For(facts.LastUserText, tool.Name))))
            .ToArray();
    }

    private static string Answer(EmulatedRequest request, ConversationFacts facts)
    {
        if (facts.PendingResults.Count > 0)
        {
            var parts = facts.PendingResults.Select(p =>
                $"{p.Name} {(p.Result.IsError ? "failed with" : "returned")} \"{Snippet(p.Result.Content, SnippetWords)}\"");
            return $"Based on the tool results: {string.Join("; ", parts)}. That answers \"{Snippet(facts.LastUserText, SnippetWords)}\".";
        }

        return $"Emulated reply from {request.Model} to \"{Snippet(facts.LastUserText, SnippetWords)}\" (user turn {facts.UserTurns} of this conversation).";
    }

    private static bool Mentions(string text, string toolName) =>
        text.Contains(toolName, StringComparison.OrdinalIgnoreCase)
        || text.Contains(toolName.Replace('_', ' '), StringComparison.OrdinalIgnoreCase);

    private static string Snippet(string text, int words)
    {
        var all = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var joined = string.Join(' ', all.Take(words));
        return all.Length > words ? joined + "…" : joined;
    }

    private static string CallId(EmulatorProvider provider, string seed, int index) => provider switch
    {
        EmulatorProvider.Anthropic => "toolu_01" + DeterministicIds.Derive(seed, "call" + index, 22),
        _ => "call_" + DeterministicIds.Derive(seed, "call" + index, 24),
    };

    private static string Fingerprint(EmulatedRequest request)
    {
        var builder = new StringBuilder().Append(request.Provider).Append('|').Append(request.Model);
        foreach (var message in request.Messages)
        {
            builder.Append('|').Append(message.Role).Append(':').Append(message.Text);
            foreach (var call in message.ToolCalls)
            {
                builder.Append("|call:").Append(call.Id).Append(call.Name).Append(call.ArgumentsJson);
            }

            foreach (var result in message.ToolResults)
            {
                builder.Append("|result:").Append(result.CallId).Append(result.Content);
            }
        }

        foreach (var tool in request.Tools)
        {
            builder.Append("|tool:").Append(tool.Name);
        }

        return builder.ToString();
    }
}
