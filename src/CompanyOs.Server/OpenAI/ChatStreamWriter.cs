using CompanyOs.Llm.PassThrough;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Gateway;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.OpenAI;

/// <summary>
/// Writes gateway updates as OpenAI <c>chat.completion.chunk</c> events: the first carries the assistant role, text as
/// <c>delta.content</c>, each tool call as a <c>delta.tool_calls</c> entry with its own <c>index</c>; then the finish reason,
/// the <c>choices: []</c> usage chunk when asked for, and <c>data: [DONE]</c>. A passed-through stream's chunks
/// (<see cref="PassThroughEvent"/>) are written as the provider sent them — its usage chunk only when the client asked for it;
/// its closing chunks (finish reason, usage) after the gateway's cost comment, where a converted stream has them.
/// Each update's events go out in one send, and so do the closing lines (with the cost comment before them); passed-through
/// chunks that arrived together from the provider (<see cref="PassThroughEvent.MoreReceived"/>) go out together too.
/// </summary>
internal sealed class ChatStreamWriter(HttpResponse response, ChatCall call, DateTimeOffset now)
{
    private readonly long _created = now.ToUnixTimeSeconds();
    private string? _id;
    private string? _model;
    private bool _roleSent;
    private int _toolCalls;
    private ChatFinishReason? _finish;
    private UsageDetails? _usage;
    private bool _passedThrough;
    private List<PassThroughEvent>? _closing;
    private bool _held;

    private CancellationToken Ct => response.HttpContext.RequestAborted;

    public async Task WriteAsync(ChatResponseUpdate update)
    {
        _id ??= ChatResponseWriter.CompletionId(update.ResponseId);
        _model ??= update.ModelId;
        _finish = update.FinishReason ?? _finish;
        var written = false;
        // By index: a foreach over the IList would box its enumerator, once per update.
        var contents = update.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            switch (contents[i])
            {
                case PassThroughEvent passed:
                    _passedThrough = true;
                    if (passed.UsageOnly || update.FinishReason is not null)
                    {
                        if (!passed.UsageOnly || call.IncludeUsage)
                        {
                            (_closing ??= []).Add(passed);
                        }

                        // The closing chunks wait for the end of the stream (settling, the cost), chunks held for this one do not.
                        await FlushHeldAsync();
                    }
                    else if (passed.MoreReceived)
                    {
                        // The next event is already here: this one goes out with it, in one send.
                        ServerSentEvents.AppendData(response, passed.Data.Span);
                        _held = true;
                    }
                    else
                    {
                        _held = false;
                        await ServerSentEvents.WriteDataAsync(response, passed.Data, Ct);
                    }

                    return;
                case TextContent { Text.Length: > 0 } text:
                    Chunk(new DeltaWire { Role = Role(), Content = text.Text });
                    written = true;
                    break;
                case FunctionCallContent functionCall:
                    Chunk(new DeltaWire { Role = Role(), ToolCalls = [ChatResponseWriter.ToolCall(functionCall, _toolCalls++)] });
                    written = true;
                    break;
                case UsageContent usage:
                    (_usage ??= new UsageDetails()).Add(usage.Details);
                    break;
            }
        }

        if (written)
        {
            await ServerSentEvents.FlushAsync(response, Ct);
        }
    }

    private Task FlushHeldAsync()
    {
        if (!_held)
        {
            return Task.CompletedTask;
        }

        _held = false;
        return ServerSentEvents.FlushAsync(response, Ct);
    }

    /// <summary>
    /// The closing lines, in one send with anything appended before them (the gateway's cost comment) and the end of the
    /// response: the response is complete afterwards.
    /// </summary>
    public async Task CompleteAsync()
    {
        if (_passedThrough)
        {
            foreach (var closing in _closing ?? [])
            {
                ServerSentEvents.AppendData(response, closing.Data.Span);
            }

            await ServerSentEvents.EndAsync(response, "data: [DONE]\n\n");
            return;
        }

        if (!_roleSent)
        {
            Chunk(new DeltaWire { Role = Role(), Content = "" });
        }

        Chunk(new DeltaWire(), ChatResponseWriter.FinishReason(_finish, _toolCalls > 0));
        if (call.IncludeUsage)
        {
            ServerSentEvents.Append(response, null, Chunk([], ChatResponseWriter.Usage(_usage ?? new UsageDetails())),
                OpenAIJsonContext.Default.ChatCompletionChunk);
        }

        await ServerSentEvents.EndAsync(response, "data: [DONE]\n\n");
    }

    /// <summary>OpenAI's in-stream error: a <c>data:</c> event holding the error object, and no <c>[DONE]</c>.</summary>
    public Task FailAsync(ApiError error) =>
        ServerSentEvents.WriteAsync(response, null, OpenAIErrors.Body(error), OpenAIJsonContext.Default.OpenAIErrorBody, Ct);

    private string? Role()
    {
        var role = _roleSent ? null : "assistant";
        _roleSent = true;
        return role;
    }

    /// <summary>Appends one chunk; the caller sends it.</summary>
    private void Chunk(DeltaWire delta, string? finishReason = null) =>
        ServerSentEvents.Append(response, null,
            Chunk([new ChunkChoiceWire { Delta = delta, FinishReason = finishReason }], usage: null),
            OpenAIJsonContext.Default.ChatCompletionChunk);

    private ChatCompletionChunk Chunk(List<ChunkChoiceWire> choices, UsageWire? usage) => new()
    {
        Id = _id ??= ChatResponseWriter.CompletionId(null),
        Created = _created,
        Model = _model ?? call.Model,
        Choices = choices,
        Usage = usage,
    };
}
