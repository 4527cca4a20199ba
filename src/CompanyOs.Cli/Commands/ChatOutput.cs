using System.Text.Encodings.Web;
using System.Text.Json;
using CompanyOs.Llm.Calls;
using Microsoft.Extensions.AI;

namespace CompanyOs.Cli.Commands;

/// <summary>Runs a chat call (streaming or not) and prints its result as text or JSON.</summary>
internal static class ChatOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <remarks><paramref name="firstText"/> is called once, before the first streamed text is written (to erase a status line).</remarks>
    public static async Task<ChatResponse> RunAsync(
        IChatClient client, List<ChatMessage> messages, ChatOptions options, bool stream, TextWriter output, CancellationToken cancellationToken, Action? firstText = null)
    {
        if (!stream)
        {
            return await client.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            if (!string.IsNullOrEmpty(update.Text))
            {
                firstText?.Invoke();
                firstText = null;
                await output.WriteAsync(update.Text).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync().ConfigureAwait(false);
        return updates.ToChatResponse();
    }

    public static async Task WriteResultAsync(
        ChatResponse response, string provider, bool emulated, bool json, bool printText, TextWriter output, TextWriter error)
    {
        var usage = response.Usage;
        var info = LlmCallInfo.From(response);
        provider = info?.Provider ?? provider;
        if (json)
        {
            var result = new
            {
                provider,
                model = response.ModelId,
                emulated,
                text = response.Text,
                finish_reason = response.FinishReason?.Value,
                cost_usd = info?.CostUsd,
                attempts = info?.Attempts,
                fallback_path = info?.FallbackPath,
                usage = usage is null ? null : new
                {
                    input_tokens = usage.InputTokenCount,
                    output_tokens = usage.OutputTokenCount,
                    total_tokens = usage.TotalTokenCount,
                    cached_input_tokens = usage.CachedInputTokenCount,
                },
            };
            await output.WriteLineAsync(JsonSerializer.Serialize(result, Indented)).ConfigureAwait(false);
            return;
        }

        if (printText)
        {
            await output.WriteLineAsync(response.Text).ConfigureAwait(false);
        }

        var tokens = usage is null ? "usage not reported" : $"{usage.InputTokenCount} in / {usage.OutputTokenCount} out tokens";
        var cost = info?.CostUsd is { } usd ? $" · ${usd:0.######}" : " · cost unknown";
        await error.WriteLineAsync($"[{provider} · {response.ModelId} · {response.FinishReason?.Value ?? "?"} · {tokens}{cost}{(emulated ? " · EMULATED" : string.Empty)}]").ConfigureAwait(false);
    }
}
