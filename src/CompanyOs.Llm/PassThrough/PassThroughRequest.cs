using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.PassThrough;

/// <summary>
/// A client's OpenAI chat completions request body, kept as the bytes it sent, so that a provider speaking the same wire
/// (<c>type: openai</c>) can be sent those bytes instead of a request rebuilt from <see cref="ChatMessage"/>s. Attached to
/// the call's options with <see cref="AttachTo"/>; the gateway's policies still see the messages and options (limits, budgets
/// and fallback to a provider of another wire use them), only the provider stage of an OpenAI provider sends the bytes —
/// with the routed model id in place of the client's and, for a stream, <c>stream_options.include_usage</c> asked for when
/// the client did not ask (the gateway needs the usage; the extra chunk is not shown to such a client).
/// </summary>
public sealed class PassThroughRequest
{
    internal const string PropertyKey = "companyos.pass_through";
    private static readonly byte[] IncludeUsage = "\"stream_options\":{\"include_usage\":true},"u8.ToArray();

    private readonly ReadOnlyMemory<byte> _body;
    private readonly int _objectStart;
    private readonly int _modelStart;
    private readonly int _modelEnd;

    private PassThroughRequest(ReadOnlyMemory<byte> body, int objectStart, int modelStart, int modelEnd, string model, bool stream, bool clientAskedUsage)
    {
        _body = body;
        _objectStart = objectStart;
        _modelStart = modelStart;
        _modelEnd = modelEnd;
        Model = model;
        Stream = stream;
        ClientAskedForUsage = clientAskedUsage;
    }

    /// <summary>The <c>model</c> the client sent.</summary>
    public string Model { get; }

    /// <summary>True for <c>"stream": true</c>.</summary>
    public bool Stream { get; }

    /// <summary>True when the client itself asked for the usage chunk (<c>stream_options.include_usage</c>).</summary>
    public bool ClientAskedForUsage { get; }

    /// <summary>
    /// The pass-through form of <paramref name="body"/> (a JSON object with a string <c>model</c>), or null when it cannot be
    /// forwarded as it is: not an object, no string model, a repeated top-level field the rewrite touches, or a
    /// <c>stream_options</c> that does not ask for usage (rewriting it is left to the converting path).
    /// </summary>
    public static PassThroughRequest? TryCreate(ReadOnlyMemory<byte> body)
    {
        try
        {
            return Scan(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The pass-through form of a body its caller has just read field by field (the server's request view), so that the bytes
    /// are not scanned a second time: <paramref name="objectStart"/> is the offset of the body's opening <c>{</c>,
    /// <paramref name="modelToken"/> the range of the <c>model</c> string token (quotes included) and <paramref name="model"/>
    /// its value. Null under <see cref="TryCreate"/>'s rule that a <c>stream_options</c> (<paramref name="streamOptionsSent"/>)
    /// not asking for usage is left to the converting path. The caller vouches that the body is one JSON object with each of
    /// <c>model</c>, <c>stream</c> and <c>stream_options</c> at most once.
    /// </summary>
    /// <exception cref="ArgumentException">The offsets do not point at an object's start and a string token inside the body.</exception>
    public static PassThroughRequest? FromRead(
        ReadOnlyMemory<byte> body, int objectStart, Range modelToken, string model, bool stream, bool streamOptionsSent, bool includeUsage)
    {
        ArgumentNullException.ThrowIfNull(model);
        var span = body.Span;
        var (modelStart, modelLength) = modelToken.GetOffsetAndLength(span.Length);
        if ((uint)objectStart >= (uint)span.Length || span[objectStart] != (byte)'{' || modelStart <= objectStart || modelLength < 2
            || span[modelStart] != (byte)'"' || span[modelStart + modelLength - 1] != (byte)'"')
        {
            throw new ArgumentException("The object start and model token must point at the body's '{' and a string token after it.");
        }

        return Create(body, objectStart, modelStart, modelStart + modelLength, model, stream, streamOptionsSent, includeUsage);
    }

    /// <summary>Attaches this request to <paramref name="options"/> (house metadata: never sent upstream as an option).</summary>
    public ChatOptions AttachTo(ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[PropertyKey] = this;
        return options;
    }

    /// <summary>The request attached to <paramref name="options"/>, or null.</summary>
    public static PassThroughRequest? From(ChatOptions? options) =>
        options?.AdditionalProperties is { } props && props.TryGetValue(PropertyKey, out var value) ? value as PassThroughRequest : null;

    /// <summary>
    /// Takes the request off <paramref name="options"/>: the call then goes the converting way (e.g. to be cached). The
    /// properties are replaced by a copy without it, never changed in place: the gateway's options share the caller's
    /// dictionary (see <see cref="Gateway.GatewayChatOptions"/>), which must stay as the caller made it.
    /// </summary>
    internal static void Detach(ChatOptions? options)
    {
        if (options?.AdditionalProperties is { } properties && properties.ContainsKey(PropertyKey))
        {
            var rest = properties.Clone();
            rest.Remove(PropertyKey);
            options.AdditionalProperties = rest;
        }
    }

    /// <summary>The bytes to send upstream for <paramref name="model"/>: the client's own when nothing needs changing.</summary>
    internal ReadOnlyMemory<byte> BodyFor(string model)
    {
        var injectUsage = Stream && !ClientAskedForUsage;
        if (!injectUsage && string.Equals(model, Model, StringComparison.Ordinal))
        {
            return _body;
        }

        var source = _body.Span;
        var modelToken = string.Equals(model, Model, StringComparison.Ordinal)
            ? source[_modelStart.._modelEnd]
            : Quoted(model);
        var inject = injectUsage ? IncludeUsage : [];
        var result = new byte[source.Length - (_modelEnd - _modelStart) + modelToken.Length + inject.Length];
        var at = 0;
        Append(result, ref at, source[..(_objectStart + 1)]);
        Append(result, ref at, inject);
        Append(result, ref at, source[(_objectStart + 1).._modelStart]);
        Append(result, ref at, modelToken);
        Append(result, ref at, source[_modelEnd..]);
        return result;
    }

    private static PassThroughRequest? Scan(ReadOnlyMemory<byte> body)
    {
        var reader = new Utf8JsonReader(body.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var objectStart = (int)reader.TokenStartIndex;
        int modelStart = -1, modelEnd = -1;
        string? model = null;
        bool? stream = null;
        var streamOptionsSeen = false;
        var includeUsage = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                if (model is not null || !reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return null;
                }

                modelStart = (int)reader.TokenStartIndex;
                modelEnd = (int)reader.BytesConsumed;
                model = reader.GetString();
            }
            else if (reader.ValueTextEquals("stream"u8))
            {
                if (stream is not null || !reader.Read())
                {
                    return null;
                }

                stream = reader.TokenType == JsonTokenType.True;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("stream_options"u8))
            {
                if (streamOptionsSeen || !reader.Read())
                {
                    return null;
                }

                streamOptionsSeen = true;
                includeUsage = IncludesUsage(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return model is null ? null : Create(body, objectStart, modelStart, modelEnd, model, stream == true, streamOptionsSeen, includeUsage);
    }

    private static PassThroughRequest? Create(
        ReadOnlyMemory<byte> body, int objectStart, int modelStart, int modelEnd, string model, bool stream, bool streamOptionsSent, bool includeUsage) =>
        streamOptionsSent && !includeUsage
            ? null
            : new PassThroughRequest(body, objectStart, modelStart, modelEnd, model, stream, includeUsage);

    private static bool IncludesUsage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }

        var asked = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            asked |= isUsage && reader.TokenType == JsonTokenType.True;
            reader.Skip();
        }

        return asked;
    }

    private static byte[] Quoted(string model) => Encoding.UTF8.GetBytes($"\"{JsonEncodedText.Encode(model)}\"");

    private static void Append(byte[] target, ref int at, ReadOnlySpan<byte> part)
    {
        part.CopyTo(target.AsSpan(at));
        at += part.Length;
    }
}
