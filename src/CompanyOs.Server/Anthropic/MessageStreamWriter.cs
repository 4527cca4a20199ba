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
/// The events of one update go out in one send, and so do the closing events.
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
        Start(update);
        _finish = update.FinishReason ?? _finish;
        foreach (var content in update.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    if (!_textOpen)
                    {
                        Send("content_block_start", new ContentBlockStartEvent { Index = _nextIndex, ContentBlock = new ContentBlockWire { Type = "text", Text = "" } },
                            AnthropicJsonContext.Default.ContentBlockStartEvent);
                        _textOpen = true;
                    }

                    Send("content_block_delta", new ContentBlockDeltaEvent { Index = _nextIndex, Delta = new BlockDeltaWire { Type = "text_delta", Text = text.Text } },
                        AnthropicJsonContext.Default.ContentBlockDeltaEvent);
                    break;
                case FunctionCallContent functionCall:
                    CloseText();
                    _toolCalls = true;
                    var index = _nextIndex++;
                    Send("content_block_start", new ContentBlockStartEvent { Index = index, ContentBlock = MessageResponseWriter.ToolUse(functionCall, withInput: false) },
                        AnthropicJsonContext.Default.ContentBlockStartEvent);
                    var json = MessageResponseWriter.Input(functionCall).GetRawText();
                    Send("content_block_delta", new ContentBlockDeltaEvent { Index = index, Delta = new BlockDeltaWire { Type = "input_json_delta", PartialJson = json } },
                        AnthropicJsonContext.Default.ContentBlockDeltaEvent);
                    Send("content_block_stop", new ContentBlockStopEvent { Index = index }, AnthropicJsonContext.Default.ContentBlockStopEvent);
                    break;
                case UsageContent usage:
                    (_usage ??= new UsageDetails()).Add(usage.Details);
                    break;
            }
        }

        await ServerSentEvents.FlushAsync(response, Ct);
    }

    public async Task CompleteAsync()
    {
        Start(null);
        if (_nextIndex == 0 && !_textOpen)
        {
            // An empty answer still has one (empty) text block, as the non-streaming message does.
            Send("content_block_start", new ContentBlockStartEvent { Index = 0, ContentBlock = new ContentBlockWire { Type = "text", Text = "" } },
                AnthropicJsonContext.Default.ContentBlockStartEvent);
            _textOpen = true;
        }

        CloseText();
        Send("message_delta", new MessageDeltaEvent
        {
            Delta = new MessageDeltaWire { StopReason = MessageResponseWriter.StopReason(_finish, _toolCalls) },
            Usage = MessageResponseWriter.Usage(_usage),
        }, AnthropicJsonContext.Default.MessageDeltaEvent);
        Send("message_stop", new MessageStopEvent(), AnthropicJsonContext.Default.MessageStopEvent);
        await ServerSentEvents.FlushAsync(response, Ct);
    }

    public Task FailAsync(ApiError error) =>
        ServerSentEvents.WriteAsync(response, "error", AnthropicErrors.Body(error), AnthropicJsonContext.Default.AnthropicErrorBody, Ct);

    private void Start(ChatResponseUpdate? first)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        Send("message_start", new MessageStartEvent
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

    private void CloseText()
    {
        if (_textOpen)
        {
            Send("content_block_stop", new ContentBlockStopEvent { Index = _nextIndex++ }, AnthropicJsonContext.Default.ContentBlockStopEvent);
            _textOpen = false;
        }
    }

    /// <summary>Appends one event; <see cref="WriteAsync"/> and <see cref="CompleteAsync"/> send what they appended at their end.</summary>
    private void Send<T>(string eventName, T data, JsonTypeInfo<T> type) => ServerSentEvents.Append(response, eventName, data, type);
}
