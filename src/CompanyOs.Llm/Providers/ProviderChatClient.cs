using System.Runtime.CompilerServices;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Models;
using CompanyOs.Llm.PassThrough;
using CompanyOs.Llm.Providers.OpenAI;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers;

/// <summary>
/// Wraps an official SDK's <see cref="IChatClient"/> for one configured provider: resolves model aliases, enforces the
/// per-attempt timeout (whole call; for streams, the wait for each next event) when used on its own — inside the gateway the
/// provider stage (<c>ProviderCallChatClient</c>) enforces it, once — translates every failure into
/// <see cref="ProviderException"/> (streams too, including a stream that stops before its terminal event), and normalises
/// usage, finish reason and model id. It never retries: the gateway owns retries. A call carrying a
/// <see cref="PassThroughRequest"/> to a provider of the same wire is sent as those bytes (<see cref="OpenAIPassThrough"/>),
/// under the same timeout and error translation.
/// </summary>
internal sealed class ProviderChatClient : DelegatingChatClient, IPassThroughCompletion
{
    private readonly ProviderOptions _provider;
    private readonly ProviderDialect _dialect;
    private readonly ProviderErrorTranslator _errors;
    private readonly ModelCatalog _catalog;
    private readonly TimeProvider _timeProvider;
    private readonly IDisposable? _ownedResource;
    private readonly OpenAIPassThrough? _passThrough;

    public ProviderChatClient(
        IChatClient inner,
        ProviderOptions provider,
        ProviderDialect dialect,
        ModelCatalog catalog,
        TimeProvider timeProvider,
        IDisposable? ownedResource = null,
        OpenAIPassThrough? passThrough = null)
        : base(inner)
    {
        _passThrough = passThrough;
        _provider = provider;
        _dialect = dialect;
        _catalog = catalog;
        _timeProvider = timeProvider;
        _ownedResource = ownedResource;
        _errors = new ProviderErrorTranslator(provider.Name, dialect, provider.ApiKey);
        Metadata = new ChatClientMetadata(provider.Name, provider.BaseUrl, provider.DefaultModel);
    }

    public ChatClientMetadata Metadata { get; }

    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        InGateway(options) && PassThroughOf(options) is { } raw
            ? PassThroughAsync(raw, options!, cancellationToken)
            : ConvertAsync(messages, options, cancellationToken);

    /// <summary>
    /// A gateway call sent as the client's bytes: no copy of the options (only the model id is needed), no timer (the gateway's
    /// provider stage holds the attempt to its timeout) and no ambient exchange — the pass-through sees the response itself and
    /// records its status and <c>Retry-After</c> for the error translation. The pass-through's own async state translates the
    /// errors and normalises the answer (<see cref="IPassThroughCompletion"/>): no second one of this client's while it waits.
    /// </summary>
    private Task<ChatResponse> PassThroughAsync(PassThroughRequest raw, ChatOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return _passThrough!.SendAsync(raw, ResolveModel(options.ModelId), new HttpExchange(), this, cancellationToken);
        }
        catch (Exception e)
        {
            return Task.FromException<ChatResponse>(e);
        }
    }

    bool IPassThroughCompletion.IsTranslatable(Exception exception, HttpExchange exchange, CancellationToken cancellationToken) =>
        IsTranslatable(exception, exchange, cancellationToken);

    ProviderException IPassThroughCompletion.Translate(Exception exception, HttpExchange exchange) => _errors.Translate(exception, exchange);

    ChatResponse IPassThroughCompletion.Complete(ChatResponse response, string model)
    {
        response = _dialect.Normalise(response);
        response.ModelId ??= model;
        return response;
    }

    private async Task<ChatResponse> ConvertAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var inGateway = InGateway(options);
        var prepared = Prepare(options);
        var exchange = ProviderHttpObserver.Begin();
        // Inside the gateway its provider stage already holds the attempt to this timeout (after any rate-limit wait):
        // a second timer here would only cost a CTS, a timer and a linked CTS per call.
        using var timeout = inGateway ? null : new CancellationTokenSource(_provider.Timeout, _timeProvider);
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        ChatResponse response;
        try
        {
            var token = linked?.Token ?? cancellationToken;
            response = PassThroughOf(options) is { } raw
                ? await _passThrough!.SendAsync(raw, prepared.ModelId!, exchange: null, completion: null, token).ConfigureAwait(false)
                : await base.GetResponseAsync(messages, prepared, token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTranslatable(e, exchange, cancellationToken))
        {
            throw timeout is { IsCancellationRequested: true } ? _errors.Timeout(_provider.Timeout, streaming: false, e) : _errors.Translate(e, exchange);
        }

        response = _dialect.Normalise(response);
        response.ModelId ??= prepared.ModelId;
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var inGateway = InGateway(options);
        var raw = PassThroughOf(options);

        // Passed through, only the model id of the prepared options is needed, and the pass-through records the response's
        // status itself: no copy of the options, no ambient exchange to restore at every step.
        var prepared = raw is null ? Prepare(options) : null;
        var model = prepared?.ModelId ?? ResolveModel(options?.ModelId);
        var exchange = raw is null ? ProviderHttpObserver.Begin() : new HttpExchange();
        var tracker = raw is null ? _dialect.StartStream() : new PassThroughStreamTracker();
        // As above: inside the gateway the provider stage holds each wait for the next update to the timeout.
        using var timeout = inGateway ? null : new CancellationTokenSource(_provider.Timeout, _timeProvider);
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked?.Token ?? cancellationToken;
        IAsyncEnumerator<ChatResponseUpdate>? enumerator = null;
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (raw is null)
                    {
                        ProviderHttpObserver.Resume(exchange);
                    }

                    timeout?.CancelAfter(_provider.Timeout);
                    enumerator ??= (raw is null ? base.GetStreamingResponseAsync(messages, prepared, token) : _passThrough!.StreamAsync(raw, model, exchange, token))
                        .GetAsyncEnumerator(token);
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    update = enumerator.Current;
                }
                catch (Exception e) when (IsTranslatable(e, exchange, cancellationToken))
                {
                    throw timeout is { IsCancellationRequested: true } ? _errors.Timeout(_provider.Timeout, streaming: true, e) : _errors.Translate(e, exchange, tracker.ProducedOutput);
                }

                if (tracker.Observe(update) is { } observed)
                {
                    observed.ModelId ??= model;
                    yield return observed;
                }
            }
        }
        finally
        {
            if (enumerator is not null)
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
        }

        if (!tracker.IsComplete)
        {
            throw _errors.StreamEndedEarly();
        }
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceKey is null && serviceType == typeof(ProviderOptions) ? _provider
        : base.GetService(serviceType, serviceKey);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _ownedResource?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The call's pass-through request when this provider speaks its wire; null: convert.</summary>
    private PassThroughRequest? PassThroughOf(ChatOptions? options) => _passThrough is null ? null : PassThroughRequest.From(options);

    /// <summary>True when the call comes through the gateway's provider stage, which enforces the per-attempt timeout itself.</summary>
    private static bool InGateway(ChatOptions? options) => options is Gateway.GatewayChatOptions;

    private string ResolveModel(string? model) => _catalog.Resolve(string.IsNullOrWhiteSpace(model) ? _provider.DefaultModel : model);

    private ChatOptions Prepare(ChatOptions? options)
    {
        var prepared = options?.Clone() ?? new ChatOptions();
        prepared.ModelId = ResolveModel(prepared.ModelId);
        if (prepared.AdditionalProperties is { Count: > 0 } props)
        {
            // House metadata (call context, call info) never goes upstream.
            // Created only when something is kept: a gateway call carries nothing but house metadata.
            AdditionalPropertiesDictionary? keep = null;
            foreach (var (key, value) in props)
            {
                if (!key.StartsWith("companyos.", StringComparison.Ordinal))
                {
                    (keep ??= [])[key] = value;
                }
            }

            prepared.AdditionalProperties = keep;
        }

        return _dialect.PrepareRequest(prepared);
    }

    // An ArgumentException before the upstream answered is the caller's mistake and passes through; once it has answered,
    // it is the SDK refusing what it read (OpenAI's "Unknown ChatFinishReason value … Actual value was <the upstream's text>"),
    // which may quote anything the upstream chose to send, the key included.
    private static bool IsTranslatable(Exception e, HttpExchange exchange, CancellationToken callerToken) =>
        e is not ProviderException
        && (e is not ArgumentException || exchange.StatusCode is not null)
        && !(e is OperationCanceledException && callerToken.IsCancellationRequested);
}
