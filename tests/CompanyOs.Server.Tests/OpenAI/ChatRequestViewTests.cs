using System.Text;
using System.Text.Json;
using CompanyOs.Llm.PassThrough;
using CompanyOs.Llm.Tokens;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Gateway;
using CompanyOs.Server.OpenAI;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.Tests.OpenAI;

/// <summary>
/// The byte-level reading of a chat completions request (<see cref="ChatRequestView"/>) against the full reader it stands in
/// for: on every body it accepts, the same model, stream flags, options, messages (when built) and — above all — the same
/// prompt token estimate (an undercount would under-reserve TPM and budgets); every body the full reader refuses, it declines,
/// so the full reader's 400 is what the client sees.
/// </summary>
public sealed class ChatRequestViewTests
{
    private static readonly TiktokenTokenCounter Counter = new();

    private const string Tools = """
        "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather for a city.","parameters":{ "type": "object",
          "properties": {"city": {"type": "string"}}, "required": ["city"] }}},{"type":"function","function":{"name":"now"}}]
        """;

    public static TheoryData<string, string> ValidBodies => new()
    {
        { "one user string", """{"model":"gpt-4o","messages":[{"role":"user","content":"Hello there, how are you?"}]}""" },
        { "bench body", """{"model":"gpt-4o","max_tokens":64,"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello."}]}""" },
        { "developer and sampling", """{"model":"gpt-4o-mini","temperature":0.2,"top_p":0.9,"frequency_penalty":-1.5,"presence_penalty":2,"seed":42,"n":1,"user":"u-1","metadata":{"a":"b"},"stop":["\n\n","END"],"messages":[{"role":"developer","content":"Rules: be brief."},{"role":"user","content":"ok"}]}""" },
        { "system text parts", """{"model":"gpt-4o","messages":[{"role":"system","content":[{"type":"text","text":"Part one."},{"type":"text","text":" Part two."}]},{"role":"user","content":"q"}]}""" },
        { "multi-part user with images", """{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"What is in these?"},{"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"low"}},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},{"type":"text","text":"And this."}]}]}""" },
        { "tools and tool calls", $$$"""{"model":"gpt-4o",{{{Tools}}},"tool_choice":{"type":"function","function":{"name":"get_weather"}},"parallel_tool_calls":false,"messages":[{"role":"system","content":"Use tools."},{"role":"user","content":"Weather in Paris and the time?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\", \"units\": [\"C\", 1, true, null, {\"x\": 1.50}]}"}},{"id":"call_2","type":"function","function":{"name":"now","arguments":""}}]},{"role":"tool","tool_call_id":"call_1","content":"Sunny, 21 °C"},{"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"12:00"},{"type":"text","text":" UTC"}]},{"role":"assistant","content":"It is sunny."},{"role":"user","content":"Thanks"}]}""" },
        { "assistant text and call", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"Let me check.","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"q\":\"<b>&amp;</b> \\u00e9\"}"}}]},{"role":"tool","tool_call_id":"c","content":""}]}""" },
        { "tool_choice required", $$$"""{"model":"gpt-4o",{{{Tools}}},"tool_choice":"required","messages":[{"role":"user","content":"go"}]}""" },
        { "response_format schema", """{"model":"gpt-4o","response_format":{"type":"json_schema","json_schema":{"name":"r","schema":{"type":"object"}}},"messages":[{"role":"user","content":"json please"}]}""" },
        { "stream with usage", """{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"max_completion_tokens":100,"messages":[{"role":"user","content":"stream"}]}""" },
        { "stream without usage", """{"stream":true,"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"stream"}]}""" },
        { "names, unknown fields, nulls", """{"model":"gpt-4o","logprobs":false,"extra":{"deep":[1,{"x":null}]},"temperature":null,"tools":null,"messages":[{"role":"user","name":"alice","content":"hi","x-unknown":[1,2]},{"role":"assistant","content":"hello","tool_calls":null,"name":null}]}""" },
        { "escapes and unicode", """{"model":"gpt-4o","messages":[{"role":"user","content":"caf\u00e9 \ud83d\ude00 \"quoted\" \\ back\nline — 日本語"}]}""" },
        { "whitespace everywhere", "{ \"model\" : \"gpt-4o\" ,\n \"messages\" : [ { \"role\" : \"user\" , \"content\" : \"spaced\" } ] }\n" },
        { "empty texts", """{"model":"gpt-4o","messages":[{"role":"system","content":""},{"role":"system","content":[]},{"role":"user","content":" "}]}""" },
        { "user after tool clears calls", """{"model":"gpt-4o","messages":[{"role":"user","content":"a"},{"role":"assistant","tool_calls":[{"id":"x","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"x","content":"r"},{"role":"tool","tool_call_id":"x","content":"again"}]}""" },
    };

    [Theory]
    [MemberData(nameof(ValidBodies))]
    public void Accepted_bodies_read_as_the_full_reader_reads_them_with_the_same_estimate(string description, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var full = FullRead(bytes) ?? throw new InvalidOperationException($"{description}: the full reader refused the body.");

        var view = ChatRequestView.TryRead(bytes);

        Assert.NotNull(view);
        AssertSameCall(full, view, description);
        AssertSamePassThrough(bytes, view, description);
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}""", true)]
    [InlineData("""{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""", true)]
    [InlineData("""{"stream_options":{"x":1,"include_usage":true},"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true}""", true)]
    [InlineData("""{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":false},"messages":[{"role":"user","content":"hi"}]}""", false)]
    [InlineData("""{"model":"gpt-4o","stream":true,"stream_options":null,"messages":[{"role":"user","content":"hi"}]}""", false)]
    [InlineData("""{"model":"gpt-4o","stream":true,"stream_options":{},"messages":[{"role":"user","content":"hi"}]}""", false)]
    [InlineData(" \n {\"model\" : \"gpt-\\u0034o\" , \"stream\":null, \"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", true)]
    public void The_pass_through_form_comes_from_the_same_read_as_a_separate_scan_makes_it(string json, bool passesThrough)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        var view = ChatRequestView.TryRead(bytes);

        Assert.NotNull(view);
        Assert.Equal(passesThrough, view.PassThrough is not null);
        AssertSamePassThrough(bytes, view, json);
    }

    [Fact]
    public void A_pass_through_form_needs_offsets_that_point_at_the_object_and_the_model_token()
    {
        var body = """{"model":"gpt-4o","messages":[]}"""u8.ToArray();

        Assert.NotNull(PassThroughRequest.FromRead(body, 0, 9..17, "gpt-4o", false, false, false));
        Assert.Throws<ArgumentException>(() => PassThroughRequest.FromRead(body, 1, 9..17, "gpt-4o", false, false, false));
        Assert.Throws<ArgumentException>(() => PassThroughRequest.FromRead(body, 0, 10..17, "gpt-4o", false, false, false));
        Assert.ThrowsAny<ArgumentException>(() => PassThroughRequest.FromRead(body, 0, 9..99, "gpt-4o", false, false, false));
    }

    [Fact]
    public void The_estimate_comes_from_the_bytes_without_building_the_messages()
    {
        var json = """{"model":"gpt-4o","max_tokens":10,"messages":[{"role":"system","content":"S"},{"role":"user","content":"Hello"}]}""";

        var view = ChatRequestView.TryRead(Encoding.UTF8.GetBytes(json))!;
        var estimate = Counter.EstimatePromptTokens(view.Messages, view.Options);

        var deferred = Assert.IsType<DeferredChatMessages>(view.Messages);
        Assert.False(deferred.IsBuilt);
        Assert.Equal(2, deferred.Count);
        Assert.Equal(Counter.EstimatePromptTokens(FullRead(Encoding.UTF8.GetBytes(json))!.Messages, view.Options), estimate);
        Assert.Equal(10, view.Options.MaxOutputTokens);
    }

    [Theory]
    [MemberData(nameof(ChatCompletionsBadRequestTests.BadBodies), MemberType = typeof(ChatCompletionsBadRequestTests))]
    public void Bodies_the_full_reader_refuses_are_declined(string description, string json, string param)
    {
        Assert.NotNull(FullReadError(Encoding.UTF8.GetBytes(json)));

        Assert.True(ChatRequestView.TryRead(Encoding.UTF8.GetBytes(json)) is null, $"{description} ({param}) was accepted");
    }

    public static TheoryData<string, string> MalformedBodies => new()
    {
        { "empty", "" },
        { "whitespace", "  \n" },
        { "truncated", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}""" },
        { "trailing value", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]} {}""" },
        { "trailing comma", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"},]}""" },
        { "comment", """{"model":"gpt-4o", /* c */ "messages":[{"role":"user","content":"hi"}]}""" },
        { "single quotes", """{'model':'gpt-4o','messages':[]}""" },
        { "bad escape", """{"model":"gpt-4o","messages":[{"role":"user","content":"\x"}]}""" },
        { "max_tokens fractional", """{"model":"gpt-4o","max_tokens":1.5,"messages":[{"role":"user","content":"hi"}]}""" },
        { "max_tokens over int", """{"model":"gpt-4o","max_tokens":3000000000,"messages":[{"role":"user","content":"hi"}]}""" },
        { "temperature huge", """{"model":"gpt-4o","temperature":1e400,"messages":[{"role":"user","content":"hi"}]}""" },
        { "seed a string", """{"model":"gpt-4o","seed":"1","messages":[{"role":"user","content":"hi"}]}""" },
        { "metadata value number", """{"model":"gpt-4o","metadata":{"a":1},"messages":[{"role":"user","content":"hi"}]}""" },
        { "name a number", """{"model":"gpt-4o","messages":[{"role":"user","name":5,"content":"hi"}]}""" },
        { "tool_calls an object", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":{}}]}""" },
        { "arguments an object", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"a","function":{"name":"f","arguments":{}}}]}]}""" },
        { "arguments an array", """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"a","function":{"name":"f","arguments":"[1]"}}]}]}""" },
        { "part type null", """{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":null,"text":"x"}]}]}""" },
        { "bad data uri", """{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,@@@"}}]}]}""" },
        { "image in system", """{"model":"gpt-4o","messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}""" },
        { "content object", """{"model":"gpt-4o","messages":[{"role":"user","content":{"text":"hi"}}]}""" },
        { "model whitespace", """{"model":"  ","messages":[{"role":"user","content":"hi"}]}""" },
        { "messages null", """{"model":"gpt-4o","messages":null}""" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void Malformed_bodies_are_declined_and_refused_by_the_full_reader(string description, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.True(ChatRequestView.TryRead(bytes) is null, $"{description} was accepted");
        Assert.NotNull(FullReadError(bytes));
    }

    [Fact]
    public void Repeated_fields_are_left_to_the_full_reader()
    {
        // Legal JSON whose meaning depends on which copy wins: the view does not vouch for it (the full reader takes the last).
        Assert.Null(ChatRequestView.TryRead("""{"model":"a","model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"""u8.ToArray()));
        Assert.Null(ChatRequestView.TryRead("""{"model":"gpt-4o","messages":[{"role":"user","content":"a","content":"b"}]}"""u8.ToArray()));
    }

    [Fact]
    public void Deeply_nested_bodies_are_declined_without_failing()
    {
        var deep = "{\"model\":\"gpt-4o\",\"x\":" + new string('[', 5000) + new string(']', 5000) + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        Assert.Null(ChatRequestView.TryRead(Encoding.UTF8.GetBytes(deep)));
    }

    [Fact]
    public void Large_bodies_read_with_the_same_estimate()
    {
        var random = new Random(17);
        var words = new[] { "alpha", "beta", "gamma", "δέλτα", "日本", "😀", "\\n", "\\\"", "1234", "x" };
        var messages = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            var text = new StringBuilder();
            var length = random.Next(1, i == 100 ? 200_000 : 400);
            for (var w = 0; w < length; w++)
            {
                text.Append(words[random.Next(words.Length)]).Append(' ');
            }

            messages.Append(i == 0 ? "" : ",").Append($$"""{"role":"{{(i % 2 == 0 ? "user" : "assistant")}}","content":"{{text}}"}""");
        }

        var bytes = Encoding.UTF8.GetBytes($$"""{"model":"gpt-4o","messages":[{{messages}}]}""");
        Assert.True(bytes.Length > 1_000_000);

        var view = ChatRequestView.TryRead(bytes);

        Assert.NotNull(view);
        AssertSameCall(FullRead(bytes)!, view, "large");
    }

    [Fact]
    public void Truncated_and_corrupted_bodies_are_never_accepted_where_the_full_reader_refuses()
    {
        // Every prefix of a varied valid body, and bodies with one byte replaced: whatever the view accepts, the full reader
        // accepts too, with the same reading.
        var random = new Random(1234);
        var replacements = "\"{}[],:0an\\ -ef".Select(c => (byte)c).ToArray();
        var checkedBodies = 0;
        foreach (var (_, json) in ValidBodies.Select(row => ((string)row.Data.Item1, (string)row.Data.Item2)))
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            for (var cut = 0; cut < bytes.Length; cut += 3)
            {
                checkedBodies += Check(bytes[..cut]);
            }

            for (var i = 0; i < 150; i++)
            {
                var corrupted = (byte[])bytes.Clone();
                corrupted[random.Next(corrupted.Length)] = replacements[random.Next(replacements.Length)];
                checkedBodies += Check(corrupted);
            }
        }

        Assert.True(checkedBodies > 1000);

        static int Check(byte[] body)
        {
            var view = ChatRequestView.TryRead(body);
            if (view is not null)
            {
                var full = FullRead(body);
                Assert.True(full is not null, $"accepted a body the full reader refuses ({FullReadError(body)}): {Encoding.UTF8.GetString(body)}");
                AssertSameCall(full, view, Encoding.UTF8.GetString(body));
                AssertSamePassThrough(body, view, Encoding.UTF8.GetString(body));
            }

            return 1;
        }
    }

    private static void AssertSameCall(ChatCall full, ChatCall view, string description)
    {
        Assert.Equal(full.Model, view.Model);
        Assert.Equal(full.Stream, view.Stream);
        Assert.Equal(full.IncludeUsage, view.IncludeUsage);
        Assert.Equal(OptionsJson(full.Options), OptionsJson(view.Options));
        Assert.Equal(full.Messages.Count, view.Messages.Count);

        // The estimate first, before anything builds the messages: it must come from the bytes.
        var estimate = Counter.EstimatePromptTokens(view.Messages, view.Options);
        Assert.False(Assert.IsType<DeferredChatMessages>(view.Messages).IsBuilt);
        Assert.True(Counter.EstimatePromptTokens(full.Messages, full.Options) == estimate, $"{description}: estimate differs");

        // Built on demand (fallback to another wire, cache), the messages are the full reader's.
        Assert.Equal(MessagesJson(full.Messages), MessagesJson(view.Messages));
    }

    // The view's pass-through form is the one a separate scan of the body makes (the rewrite itself: PassThroughTests).
    private static void AssertSamePassThrough(byte[] body, ChatCall view, string description)
    {
        var scanned = PassThroughRequest.TryCreate(body);
        Assert.True((scanned is null) == (view.PassThrough is null), $"{description}: pass-through {(scanned is null ? "not expected" : "missing")}");
        if (scanned is not null)
        {
            Assert.Equal((scanned.Model, scanned.Stream, scanned.ClientAskedForUsage),
                (view.PassThrough!.Model, view.PassThrough.Stream, view.PassThrough.ClientAskedForUsage));
        }
    }

    private static string OptionsJson(ChatOptions options) => JsonSerializer.Serialize(new
    {
        options.ModelId,
        options.MaxOutputTokens,
        options.Temperature,
        options.TopP,
        options.FrequencyPenalty,
        options.PresencePenalty,
        options.Seed,
        options.StopSequences,
        options.AllowMultipleToolCalls,
        ToolMode = options.ToolMode?.ToString(),
        Required = (options.ToolMode as RequiredChatToolMode)?.RequiredFunctionName,
        Tools = options.Tools?.Select(t => $"{t.Name}|{t.Description}|{(t as AIFunctionDeclaration)?.JsonSchema.GetRawText()}").ToArray(),
        ResponseFormat = options.ResponseFormat switch
        {
            ChatResponseFormatJson json => $"json|{json.Schema?.GetRawText()}|{json.SchemaName}",
            { } other => other.GetType().Name,
            null => null,
        },
    });

    private static string MessagesJson(IEnumerable<ChatMessage> messages) =>
        JsonSerializer.Serialize(messages.ToList(), AIJsonUtilities.DefaultOptions);

    private static ChatCall? FullRead(byte[] body) => FullReadError(body) is null
        ? ChatRequestReader.Read(RequestBody.Parse(body, OpenAIJsonContext.Default.ChatCompletionRequest))
        : null;

    private static string? FullReadError(byte[] body)
    {
        try
        {
            ChatRequestReader.Read(RequestBody.Parse(body, OpenAIJsonContext.Default.ChatCompletionRequest));
            return null;
        }
        catch (ApiRequestException e)
        {
            return e.Message;
        }
    }
}
