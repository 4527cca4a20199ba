using System.Buffers;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.PassThrough;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers.OpenAI;

/// <summary>
/// Sends a <see cref="PassThroughRequest"/>'s bytes to an OpenAI-compatible provider and hands its answer back unconverted:
/// a JSON body as a <see cref="PassThroughResponse"/>, a stream as one update per event carrying a <see cref="PassThroughEvent"/>.
/// It reads only what the gateway needs (model, finish reason, usage). A non-2xx status fails with an
/// <see cref="HttpRequestException"/> that the provider client translates like the SDK's failures (the HTTP observer under
/// the same client records status and <c>Retry-After</c>).
/// </summary>
internal sealed class OpenAIPassThrough(ProviderHttp http, ProviderOptions provider, TimeProvider time)
{
    /// <summary>Bodies up to this size that state their length are read straight into an array of that size.</summary>
    private const int MaxExactBody = 16 * 1024 * 1024;

    /// <summary>Bodies up to this size are read into a buffer from <see cref="ArrayPool{T}.Shared"/> (a chat completion is a few KB).</summary>
    private const int MaxPooledBody = 256 * 1024;

    private static readonly Uri DefaultBaseUrl = new("https://api.openai.com/v1/");
    private const string ContentTypeHeader = "Content-Type";
    private const string JsonMediaType = "application/json";
    private const string AuthorizationHeader = "Authorization";
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");

    private readonly Uri _endpoint = new(WithSlash(provider.BaseUrl ?? DefaultBaseUrl), "chat/completions");
    // The header values as text, added without parsing: a typed value (AuthenticationHeaderValue, MediaTypeHeaderValue) costs
    // a parsed-header record per request and is formatted into a new string each time the request is written. A key that
    // could not be sent as one header line keeps the typed value and its checks.
    private readonly string? _authorization = string.IsNullOrEmpty(provider.ApiKey) ? null : "Bearer " + provider.ApiKey;
    private readonly AuthenticationHeaderValue? _typedAuthorization =
        string.IsNullOrEmpty(provider.ApiKey) || provider.ApiKey.AsSpan().IndexOfAny('\r', '\n', '\0') < 0 ? null : new("Bearer", provider.ApiKey);

    // The model id of the latest answer: an answer naming the same model gets this string instead of a new one (a provider
    // answers nearly every call with one of a few ids). Read and written by concurrent calls without a lock: a reference is
    // read or written whole, and a missed reuse only costs the string.
    private string? _lastModel;

    /// <summary>Sends <paramref name="request"/>'s bytes for <paramref name="model"/> and reads the whole answer.</summary>
    /// <param name="request">The client's request.</param>
    /// <param name="model">The routed model id, written in place of the client's.</param>
    /// <param name="exchange">
    /// Where to record the response's status and <c>Retry-After</c> (the error translation reads them); null when the
    /// HTTP observer records them for the calling flow.
    /// </param>
    /// <param name="completion">
    /// The calling client's error translation and answer normalisation, run here (one async state for both; needs
    /// <paramref name="exchange"/>); null: the answer as read, failures as they are.
    /// </param>
    /// <param name="cancellationToken">Cancels the request and the read.</param>
    public async Task<ChatResponse> SendAsync(
        PassThroughRequest request, string model, HttpExchange? exchange, IPassThroughCompletion? completion, CancellationToken cancellationToken)
    {
        ChatResponse answer;
        try
        {
            using var message = Message(request, model);
            using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            if (exchange is not null)
            {
                Record(exchange, response);
            }

            EnsureSuccess(response);
            var raw = await ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
            CompletionFacts facts;
            try
            {
                facts = CompletionFacts.Read(raw.Body.Span, knownModel: _lastModel);
                if (facts.HasError || !facts.HasChoices)
                {
                    throw new JsonException("The provider answered 2xx without a chat.completion (no 'choices').");
                }
            }
            catch
            {
                raw.Release();
                throw;
            }

            _lastModel = facts.Model ?? _lastModel;
            answer = new ChatResponse
            {
                ResponseId = facts.Id,
                ModelId = facts.Model,
                FinishReason = facts.FinishReason,
                Usage = facts.Usage,
                RawRepresentation = raw,
            };
        }
        catch (Exception e) when (completion is not null && completion.IsTranslatable(e, exchange!, cancellationToken))
        {
            throw completion.Translate(e, exchange!);
        }

        return completion is null ? answer : completion.Complete(answer, model);
    }

    /// <summary>Sends <paramref name="request"/>'s bytes for <paramref name="model"/> and reads the answer's events as they come.</summary>
    /// <param name="request">The client's request (a stream).</param>
    /// <param name="model">The routed model id, written in place of the client's.</param>
    /// <param name="exchange">Where to record the response's status and <c>Retry-After</c> (the error translation reads them).</param>
    /// <param name="cancellationToken">Cancels the request and the reads.</param>
    public async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        PassThroughRequest request, string model, HttpExchange exchange, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var message = Message(request, model);
        message.Headers.Accept.Add(EventStream);
        using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        Record(exchange, response);
        EnsureSuccess(response);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var _ = body.ConfigureAwait(false);
        using var events = new SseDataReader(body);
        string? id = null, answeringModel = null;
        while (await events.ReadAsync(cancellationToken).ConfigureAwait(false) is { } data)
        {
            if (data.AsSpan().SequenceEqual("[DONE]"u8))
            {
                yield break;
            }

            // Every chunk repeats the stream's id and model: the strings of the previous chunk are kept, not made anew.
            var facts = CompletionFacts.Read(data, id, answeringModel);
            if (facts.HasError)
            {
                throw new HttpIOException(HttpRequestError.InvalidResponse, "The provider sent an error event in the stream.");
            }

            (id, answeringModel) = (facts.Id ?? id, facts.Model ?? answeringModel);
            var usageOnly = facts.Choices == 0 && facts.Usage is not null;
            var passed = new PassThroughEvent(data, usageOnly, events.HasBufferedEvent);
            List<AIContent> contents = facts.Usage is { } usage ? [passed, new UsageContent(usage)] : [passed];
            yield return new ChatResponseUpdate
            {
                ResponseId = facts.Id,
                ModelId = facts.Model,
                FinishReason = facts.FinishReason,
                Role = ChatRole.Assistant,
                Contents = contents,
            };
        }
    }

    /// <summary>
    /// The whole body: read straight into a buffer of the stated length when there is one (no growing buffer to copy out of)
    /// — rented from the pool up to <see cref="MaxPooledBody"/>, given back by the body's last reader
    /// (<see cref="PassThroughResponse.Release"/>) — else buffered by <see cref="HttpContent"/>. A body shorter than its length
    /// fails in the read.
    /// </summary>
    private static async ValueTask<PassThroughResponse> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is not { } stated || stated > MaxExactBody)
        {
            return new PassThroughResponse(await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        }

        var length = (int)stated;
        var pooled = length <= MaxPooledBody;
        var body = pooled ? ArrayPool<byte>.Shared.Rent(length) : new byte[length];
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await stream.ReadExactlyAsync(body.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (EndOfStreamException ex)
        {
            GiveBack(body, pooled);

            // What HttpContent's own buffering reports for a body that ends before its Content-Length.
            throw new HttpIOException(HttpRequestError.ResponseEnded, "The provider's response ended before its stated Content-Length.", ex);
        }
        catch
        {
            GiveBack(body, pooled);
            throw;
        }

        return pooled ? PassThroughResponse.Pooled(body, length) : new PassThroughResponse(body);
    }

    private static void GiveBack(byte[] body, bool pooled)
    {
        if (pooled)
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    private HttpRequestMessage Message(PassThroughRequest request, string model)
    {
        var content = new ReadOnlyMemoryContent(request.BodyFor(model));
        content.Headers.TryAddWithoutValidation(ContentTypeHeader, JsonMediaType);
        var message = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = content };
        if (_typedAuthorization is not null)
        {
            message.Headers.Authorization = _typedAuthorization;
        }
        else if (_authorization is not null)
        {
            message.Headers.TryAddWithoutValidation(AuthorizationHeader, _authorization);
        }

        return message;
    }

    private void Record(HttpExchange exchange, HttpResponseMessage response)
    {
        exchange.StatusCode = (int)response.StatusCode;
        exchange.RetryAfter = response.IsSuccessStatusCode ? null : RetryAfterHeader.Parse(response.Headers, time);
    }

    private static void EnsureSuccess(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(HttpRequestError.Unknown,
                $"The provider answered HTTP {(int)response.StatusCode} ({response.ReasonPhrase}).", statusCode: response.StatusCode);
        }
    }

    private static Uri WithSlash(Uri baseUrl) =>
        baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
}
