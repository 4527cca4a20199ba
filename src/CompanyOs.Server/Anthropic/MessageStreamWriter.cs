using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Gateway;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.Anthropic;

/// <summary>
/// Writes gateway updates as Anthropic's SSE sequence: <c>message_start</c>; per block <c>content_block_start</c>,
/// <c>content_block_delta</c> (<c>text_delta</c> / <c>input_json_delta</c>), <c>content_block_stop</c>; then
/// <c>message_delta</c> with the stop reason and usage, and <c>message_stop</c>. A failure ends with an <c>error</c> event.
/// </summary>
/// <param name="response">The response the events are written to.</param>
/// <param name="call">The request.</param>
/// <param name="inputTokenEstimate">
/// <c>message_start</c> carries input tokens before the provider has reported any; clients that read usage only there get
/// the gateway's estimate, and <c>message_delta</c> carries the provider's count.
/// </param>
internal sealed class MessageStreamWriter(HttpResponse response, MessagesCall call, int inputTokenEstimate)
{
    private bool _started;
    private int _nextIndex;
    private bool _textOpen;
    private bool _toolCalls;
    private ChatFinishReason? _finish;
    private UsageDetails? _usage;

    private CancellationToken Ct => response.HttpContext.RequestAborted;

    public async Task WriteAsync(ChatResponseUpdate update)
    {
        await StartAsync(update);
        _finish = update.FinishReason ?? _finish;
        foreach (var content in update.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    if (!_textOpen)
                    {
                        await Send("content_block_start", new ContentBlockStartEvent { Index = _nextIndex, ContentBlock = new ContentBlockWire { Type = "text", Text = "" } },
                            AnthropicJsonContext.Default.ContentBlockStartEvent);
                        _textOpen = true;
                    }

                    await Send("content_block_delta", new ContentBlockDeltaEvent { Index = _nextIndex, Delta = new BlockDeltaWire { Type = "text_delta", Text = text.Text } },
                        AnthropicJsonContext.Default.ContentBlockDeltaEvent);
                    break;
                case FunctionCallContent functionCall:
                    await CloseTextAsync();
                    _toolCalls = true;
                    var index = _nextIndex++;
                    await Send("content_block_start", new ContentBlockStartEvent { Index = index, ContentBlock = MessageResponseWriter.ToolUse(functionCall, withInput: false) },
                        AnthropicJsonContext.Default.ContentBlockStartEvent);
                    var json = MessageResponseWriter.Input(functionCall).GetRawText();
                    await Send("content_block_delta", new ContentBlockDeltaEvent { Index = index, Delta = new BlockDeltaWire { Type = "input_json_delta", PartialJson = json } },
                        AnthropicJsonContext.Default.ContentBlockDeltaEvent);
                    await Send("content_block_stop", new ContentBlockStopEvent { Index = index }, AnthropicJsonContext.Default.ContentBlockStopEvent);
                    break;
                case UsageContent usage:
                    (_usage ??= new UsageDetails()).Add(usage.Details);
                    break;
            }
        }
    }

    public async Task CompleteAsync()
    {
        await StartAsync(null);
        if (_nextIndex == 0 && !_textOpen)
        {
            // An empty answer still has one (empty) text block, as the non-streaming message does.
            await Send("content_block_start", new ContentBlockStartEvent { Index = 0, ContentBlock = new ContentBlockWire { Type = "text", Text = "" } },
                AnthropicJsonContext.Default.ContentBlockStartEvent);
            _textOpen = true;
        }

        await CloseTextAsync();
        await Send("message_delta", new MessageDeltaEvent
        {
            Delta = new MessageDeltaWire { StopReason = MessageResponseWriter.StopReason(_finish, _toolCalls) },
            Usage = MessageResponseWriter.Usage(_usage),
        }, AnthropicJsonContext.Default.MessageDeltaEvent);
        await Send("message_stop", new MessageStopEvent(), AnthropicJsonContext.Default.MessageStopEvent);
    }

    public Task FailAsync(ApiError error) => Send("error", AnthropicErrors.Body(error), AnthropicJsonContext.Default.AnthropicErrorBody);

    private async Task StartAsync(ChatResponseUpdate? first)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        await Send("message_start", new MessageStartEvent
        {
            Message = new MessageWire
            {
                Id = MessageResponseWriter.MessageId(first?.ResponseId),
                Model = first?.ModelId ?? call.Model,
                Content = [],
                Usage = new AnthropicUsageWire { InputTokens = inputTokenEstimate, OutputTokens = 1 },
            },
        }, AnthropicJsonContext.Default.MessageStartEvent);
    }

    private async Task CloseTextAsync()
    {
        if (_textOpen)
        {
            await Send("content_block_stop", new ContentBlockStopEvent { Index = _nextIndex++ }, AnthropicJsonContext.Default.ContentBlockStopEvent);
            _textOpen = false;
        }
    }

    private Task Send<T>(string eventName, T data, JsonTypeInfo<T> type) => ServerSentEvents.WriteAsync(response, eventName, data, type, Ct);
}
