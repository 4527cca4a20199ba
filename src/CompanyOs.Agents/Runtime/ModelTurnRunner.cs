using System.Text.Json;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Tools;
using CompanyOs.Tools.Registry;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.Runtime;

/// <summary>Runs one model turn through the injected chat client (the gateway) and turns the response into events.</summary>
internal sealed class ModelTurnRunner(IChatClient chat, IToolRegistry registry, TimeProvider time, AgentRuntimeOptions options)
{
    /// <param name="state">The run so far.</param>
    /// <param name="final">The last turn at max iterations: tools declared but not to be used.</param>
    /// <param name="journal">Receives the streamed text as transient steps when it is observed; null = never stream.</param>
    /// <param name="cancellationToken">Cancels the model call.</param>
    public async Task<ModelTurn> RunAsync(RunState state, bool final, RunJournal? journal, CancellationToken cancellationToken)
    {
        var start = state.Start ?? throw new InvalidOperationException("The run has not started.");
        var settings = start.Settings;
        var messages = ConversationBuilder.Build(state, final ? options.FinalTurnInstruction : null);
        var chatOptions = new ChatOptions
        {
            ModelId = settings.Model,
            Temperature = settings.Temperature is { } t ? (float)t : null,
            MaxOutputTokens = settings.MaxOutputTokens,
            Tools = Declarations(settings),

            // Tools stay declared in the final turn (some providers require it when history has tool calls) but may not be used.
            ToolMode = final ? ChatToolMode.None : ChatToolMode.Auto,
        }.WithCallContext(CallContext(state));

        var iteration = final ? state.Iterations : state.Iterations + 1;
        var started = time.GetTimestamp();
        var response = journal is { IsObserved: true } && options.StreamModelOutput
            ? await StreamAsync(messages, chatOptions, journal, iteration, final, cancellationToken).ConfigureAwait(false)
            : await chat.GetResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);

        // The answer may have completed on a socket thread (with inline socket completions, an operator's setting:
        // docs/server.md), and this continuation with it: the rest of the step (journal appends, tools, the run store's
        // synchronous SQLite) moves to the thread pool instead of blocking that thread's other connections. One hop per
        // model call.
        await Task.Yield();
        var elapsed = time.GetElapsedTime(started);
        var (calls, errors) = final ? ([], []) : ReadCalls(response, state, iteration);
        var ignored = final ? response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Count() : 0;
        return new ModelTurn(
            CallRecord(response, start, iteration, final, elapsed),
            new AssistantMessage
            {
                Iteration = iteration,
                Text = string.IsNullOrWhiteSpace(response.Text) ? null : response.Text,
                ToolCalls = calls,
                Final = final,
                IgnoredToolCalls = ignored,
            },
            errors);
    }

    /// <summary>
    /// Who calls, for the gateway: attribution, and the run's own budget with what the run has recorded so far, so that the
    /// gateway refuses a call whose maximum spend (on the model actually called, fallback included) does not fit the rest of
    /// the budget — before the provider is called (<see cref="RunBudgetRefusal"/>).
    /// </summary>
    private static LlmCallContext CallContext(RunState state)
    {
        var start = state.Start!;
        var settings = start.Settings;
        return new LlmCallContext
        {
            OrgId = start.OrgId,
            AgentType = start.AgentType,
            RunId = start.RunId,
            PromptName = start.PromptName,
            PromptVersion = start.PromptVersion,
            RunLimit = settings.BudgetUsd is null && settings.BudgetTokens is null ? null : new BudgetLimit(settings.BudgetUsd, settings.BudgetTokens),
            RunSpent = new SpendAmount(state.CostUsd, state.TotalTokens),
        };
    }

    /// <summary>
    /// The end of a run whose next call the gateway refused because it may spend more than the run's budget has left; null
    /// when the refusal is not about this run's own budget (an org or agent budget, or a USD budget on an unpriced model).
    /// </summary>
    public static RunBudgetExceeded? RunBudgetRefusal(RunState state, BudgetExceededException refusal)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(refusal);
        var settings = state.Start?.Settings;
        if (settings is null || refusal.Scope != new BudgetScope(BudgetScopeKind.Run, state.RunId))
        {
            return null;
        }

        var total = refusal.Committed + refusal.Requested;
        if (settings.BudgetUsd is { } usd && total.Usd > usd)
        {
            return new RunBudgetExceeded { Limit = "usd", LimitValue = usd, Spent = state.CostUsd, Result = state.LastText };
        }

        if (settings.BudgetTokens is { } tokens && total.Tokens > tokens)
        {
            return new RunBudgetExceeded { Limit = "tokens", LimitValue = tokens, Spent = state.TotalTokens, Result = state.LastText };
        }

        return null;
    }

    /// <summary>
    /// Streams the turn through the gateway (same limits, retries before the first update, fallback and cost as a whole
    /// answer), emitting its text as it arrives. A stream that breaks is asked again whole, so a cut connection costs a
    /// retry, not the run; what the cut attempt was charged is recorded first (<see cref="LlmCallInterrupted"/>) and counts
    /// against the budget the call asked again may use.
    /// </summary>
    private async Task<ChatResponse> StreamAsync(
        List<ChatMessage> messages, ChatOptions chatOptions, RunJournal journal, int iteration, bool final, CancellationToken cancellationToken)
    {
        var updates = new List<ChatResponseUpdate>();
        var shown = false;
        try
        {
            await foreach (var update in chat.GetStreamingResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false))
            {
                updates.Add(update);
                var text = update.Text;
                if (!string.IsNullOrEmpty(text))
                {
                    shown = true;
                    await journal.EmitTransientAsync(new ModelOutputDelta { Iteration = iteration, Text = text }, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (ProviderException ex) when (ex.Kind == ProviderErrorKind.StreamInterrupted && !cancellationToken.IsCancellationRequested)
        {
            if (shown)
            {
                await journal.EmitTransientAsync(new ModelOutputDelta { Iteration = iteration, Text = string.Empty, Restart = true }, cancellationToken)
                    .ConfigureAwait(false);
            }

            var start = journal.State.Start!;
            await journal.AppendAsync(Interrupted(ex, iteration, final), $"agent:{start.AgentType}", cancellationToken).ConfigureAwait(false);
            chatOptions.WithCallContext(CallContext(journal.State));
            return await chat.GetResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
        }

        return updates.ToChatResponse();
    }

    private List<AITool> Declarations(RunSettings settings)
    {
        var tools = new List<AITool>(settings.Tools.Count + 2);
        foreach (var name in settings.Tools)
        {
            if (!BuiltInTools.IsBuiltIn(name) && registry.TryGet(name, out var tool))
            {
                tools.Add(tool.ToDeclaration());
            }
        }

        tools.Add(BuiltInTools.AskHumanDeclaration);
        tools.Add(BuiltInTools.CompleteTaskDeclaration);
        return tools;
    }

    private static (List<ToolCallRecord> Calls, List<string?> Errors) ReadCalls(ChatResponse response, RunState state, int iteration)
    {
        var calls = new List<ToolCallRecord>();
        var errors = new List<string?>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var content in response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>())
        {
            // Call ids must be unique in the run for the history to pair results with calls; some providers omit them.
            var id = content.CallId;
            if (string.IsNullOrWhiteSpace(id) || state.Calls.ContainsKey(id) || !seen.Add(id))
            {
                id = $"call_{iteration}_{calls.Count + 1}";
                seen.Add(id);
            }

            string? error = null;
            JsonElement arguments;
            if (content.Exception is not null)
            {
                error = $"the arguments are not valid JSON: {content.Exception.Message}";
                arguments = EmptyObject();
            }
            else
            {
                arguments = content.Arguments is null
                    ? EmptyObject()
                    : JsonSerializer.SerializeToElement(content.Arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
            }

            calls.Add(new ToolCallRecord(id, content.Name, arguments));
            errors.Add(error);
        }

        return (calls, errors);
    }

    private static LlmCallCompleted CallRecord(ChatResponse response, RunStarted start, int iteration, bool final, TimeSpan elapsed)
    {
        var info = LlmCallInfo.From(response);
        var usage = response.Usage;
        var input = usage?.InputTokenCount ?? 0;
        var output = usage?.OutputTokenCount ?? 0;
        long cacheWrite = 0;
        if (usage?.AdditionalCounts is { } counts && counts.TryGetValue(UsageKeys.CacheWriteInputTokens, out var written))
        {
            cacheWrite = written;
        }

        return new LlmCallCompleted
        {
            Iteration = iteration,
            Final = final,
            Model = info?.Model ?? response.ModelId,
            Provider = info?.Provider,
            PromptName = start.PromptName,
            PromptVersion = start.PromptVersion,
            InputTokens = input,
            OutputTokens = output,
            CachedInputTokens = usage?.CachedInputTokenCount ?? 0,
            CacheWriteTokens = cacheWrite,
            TotalTokens = usage?.TotalTokenCount ?? (input + output),
            CostUsd = info?.CostUsd,
            LatencyMs = (info?.Latency ?? elapsed).TotalMilliseconds,
            FinishReason = response.FinishReason?.Value,
            Attempts = info?.Attempts ?? 1,
            CacheHit = info?.CacheHit ?? false,
            FallbackPath = info?.FallbackPath ?? [],
            ResponseId = response.ResponseId,
        };
    }

    /// <summary>The cut attempt's charge as the gateway reports it; unknown (cost null) from a chat client that is not the gateway.</summary>
    private static LlmCallInterrupted Interrupted(ProviderException error, int iteration, bool final)
    {
        var info = LlmCallInfo.From(error);
        var usage = info?.Usage;
        var input = usage?.InputTokenCount ?? 0;
        var output = usage?.OutputTokenCount ?? 0;
        return new LlmCallInterrupted
        {
            Iteration = iteration,
            Final = final,
            Model = info?.Model,
            Provider = info?.Provider ?? error.Provider,
            InputTokens = input,
            OutputTokens = output,
            TotalTokens = usage?.TotalTokenCount ?? (input + output),
            CostUsd = info?.CostUsd,
            Estimated = usage?.AdditionalCounts is { } counts && counts.ContainsKey(UsageKeys.Estimated),
            Error = error.Message,
        };
    }

    private static JsonElement EmptyObject()
    {
        using var doc = JsonDocument.Parse("{}");
        return doc.RootElement.Clone();
    }
}

/// <summary>What one model round trip produced: its cost record, the assistant message and the calls with any argument parse errors.</summary>
internal sealed record ModelTurn(LlmCallCompleted Call, AssistantMessage Message, IReadOnlyList<string?> ParseErrors);
