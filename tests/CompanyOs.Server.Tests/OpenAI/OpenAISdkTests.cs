using System.ClientModel;
using System.Text.Json;
using CompanyOs.Server.Tests.Infrastructure;
using OpenAI.Chat;

namespace CompanyOs.Server.Tests.OpenAI;

/// <summary>The unmodified OpenAI .NET SDK pointed at the server, which routes to the emulator.</summary>
public sealed class OpenAISdkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Completion_answers_with_text_usage_and_gateway_headers()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.OpenAIChat(server, "gpt-4o");

        ClientResult<ChatCompletion> result = await client.CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("What is the capital of France?")], cancellationToken: Ct);
        var completion = result.Value;
        var headers = result.GetRawResponse().Headers;

        Assert.Contains("capital of France", completion.Content[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("gpt-4o", completion.Model, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.True(completion.Usage.InputTokenCount > 5);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
        Assert.True(headers.TryGetValue("x-companyos-provider", out var provider));
        Assert.Equal("openai", provider);
        Assert.True(headers.TryGetValue("x-companyos-cache", out var cache));
        Assert.Equal("miss", cache);
        Assert.True(headers.TryGetValue("x-companyos-cost-usd", out var cost));
        Assert.True(decimal.Parse(cost!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.False(headers.TryGetValue("x-companyos-fallback", out _));
        Assert.True(headers.TryGetValue("x-companyos-emulated", out var emulated));
        Assert.Equal("true", emulated);
    }

    [Fact]
    public async Task A_claude_model_answers_through_the_openai_endpoint()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.OpenAIChat(server, "claude-3.5-sonnet");

        ClientResult<ChatCompletion> result = await client.CompleteChatAsync([new UserChatMessage("hello from openai format")], cancellationToken: Ct);

        Assert.Contains("hello from openai format", result.Value.Content[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("claude-3-5-sonnet", result.Value.Model, StringComparison.Ordinal);
        Assert.StartsWith("chatcmpl-", result.Value.Id, StringComparison.Ordinal);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-companyos-provider", out var provider));
        Assert.Equal("anthropic", provider);
        Assert.Equal(1, server.Emulator!.RequestCount(Emulator.EmulatorRoute.AnthropicMessages));
    }

    [Fact]
    public async Task Stream_delivers_text_incrementally_then_the_usage_chunk()
    {
        await using var server = await TestServers.StartAsync();
        server.Emulator!.Script.Enqueue(Emulator.Scripting.ScriptedTurn.Text("one two three four five"));
        var client = TestServers.OpenAIChat(server);

        var pieces = new List<string>();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        var options = new ChatCompletionOptions();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("count")], options, Ct))
        {
            pieces.AddRange(update.ContentUpdate.Select(p => p.Text));
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal("one two three four five", string.Concat(pieces));
        Assert.True(pieces.Count(p => p.Length > 0) >= 3);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(5, usage.OutputTokenCount);
    }

    [Fact]
    public async Task Tool_calls_come_back_with_ids_and_arguments_and_the_round_trip_completes()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.OpenAIChat(server, "claude-3.5-sonnet");
        var options = WithTools();
        List<ChatMessage> messages = [new UserChatMessage("Use web_search to find emulator docs")];

        ChatCompletion first = await client.CompleteChatAsync(messages, options, Ct);

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal("web_search", call.FunctionName);
        Assert.False(string.IsNullOrEmpty(call.Id));
        using (var args = JsonDocument.Parse(call.FunctionArguments))
        {
            Assert.Equal("find emulator docs", args.RootElement.GetProperty("query").GetString());
        }

        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "three pages"));
        ChatCompletion second = await client.CompleteChatAsync(messages, options, Ct);

        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Contains("three pages", second.Content[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streamed_tool_calls_arrive_by_index_and_reassemble()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.OpenAIChat(server);
        var options = WithTools();

        var ids = new Dictionary<int, string>();
        var names = new Dictionary<int, string>();
        var args = new Dictionary<int, string>();
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("web_search and read_file please")], options, Ct))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                if (part.ToolCallId is { } id) { ids[part.Index] = id; }
                if (part.FunctionName is { } name) { names[part.Index] = name; }
                args[part.Index] = args.GetValueOrDefault(part.Index, "") + part.FunctionArgumentsUpdate?.ToString();
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal([0, 1], names.Keys.Order());
        Assert.Equal("web_search", names[0]);
        Assert.Equal("read_file", names[1]);
        Assert.NotEqual(ids[0], ids[1]);
        using var parsed = JsonDocument.Parse(args[1]);
        Assert.Equal(JsonValueKind.Object, parsed.RootElement.ValueKind);
    }

    [Fact]
    public async Task Json_response_format_is_passed_to_the_provider()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.OpenAIChat(server);
        var options = new ChatCompletionOptions { ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat(), Temperature = 0.2f, MaxOutputTokenCount = 100 };

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Answer in JSON")], options, Ct);

        Assert.NotNull(completion.Content[0].Text);
        var recorded = server.Emulator!.Requests[^1];
        using var body = JsonDocument.Parse(recorded.Body);
        Assert.Equal("json_object", body.RootElement.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Equal(100, body.RootElement.GetProperty(body.RootElement.TryGetProperty("max_completion_tokens", out _) ? "max_completion_tokens" : "max_tokens").GetInt32());
    }

    [Fact]
    public async Task An_image_part_is_passed_to_the_provider()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.OpenAIChat(server, "gpt-4o");
        var png = BinaryData.FromBytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

        ChatCompletion completion = await client.CompleteChatAsync(
            [new UserChatMessage(ChatMessageContentPart.CreateTextPart("What is in this picture?"), ChatMessageContentPart.CreateImagePart(png, "image/png"))],
            cancellationToken: Ct);

        Assert.NotEmpty(completion.Content[0].Text);
        using var body = JsonDocument.Parse(server.Emulator!.Requests[^1].Body);
        var parts = body.RootElement.GetProperty("messages")[0].GetProperty("content");
        Assert.Equal("image_url", parts[1].GetProperty("type").GetString());
        Assert.StartsWith("data:image/png;base64,iVBORw0KGgo", parts[1].GetProperty("image_url").GetProperty("url").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_model_is_404_through_the_sdk()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.OpenAIChat(server, "no-such-model-7");

        var e = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct));

        Assert.Equal(404, e.Status);
        Assert.Contains("no-such-model-7", e.Message, StringComparison.Ordinal);
    }

    private static ChatCompletionOptions WithTools() => new()
    {
        Tools =
        {
            ChatTool.CreateFunctionTool("web_search", "Search the web",
                BinaryData.FromString("""{"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}""")),
            ChatTool.CreateFunctionTool("read_file", "Read a file",
                BinaryData.FromString("""{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}""")),
        },
    };
}
