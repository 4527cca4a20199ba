using System.ClientModel;
using System.Text.Json;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Emulator.Tests.Infrastructure;
using OpenAI.Chat;

namespace CompanyOs.Emulator.Tests.OpenAI;

/// <summary>The official OpenAI .NET SDK parses every emulator response.</summary>
public sealed class OpenAISdkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Completion_parses_with_text_finish_reason_and_usage()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        var client = SdkClients.OpenAIChat(server);

        ChatCompletion completion = await client.CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("What is the capital of France?")], cancellationToken: Ct);

        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Contains("capital of France", completion.Content[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("chatcmpl-", completion.Id, StringComparison.Ordinal);
        Assert.Equal("gpt-4o", completion.Model);
        Assert.True(completion.Usage.InputTokenCount > 10);
        Assert.True(completion.Usage.OutputTokenCount > 5);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);
        Assert.Equal(0, completion.Usage.InputTokenDetails.CachedTokenCount);
    }

    [Fact]
    public async Task Stream_delivers_text_in_several_updates_and_final_usage()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        var client = SdkClients.OpenAIChat(server);
        server.Script.Enqueue(ScriptedTurn.Text("one two three four five"));

        var pieces = new List<string>();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in client.CompleteChatStreamingAsync(
            [new UserChatMessage("count")], new ChatCompletionOptions(), Ct))
        {
            pieces.AddRange(update.ContentUpdate.Select(p => p.Text));
            usage ??= update.Usage;
            finish ??= update.FinishReason;
        }

        Assert.Equal("one two three four five", string.Concat(pieces));
        Assert.True(pieces.Count(p => p.Length > 0) >= 5);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage);
        Assert.Equal(5, usage.OutputTokenCount);
    }

    [Fact]
    public async Task Tool_calls_are_parsed_with_ids_names_and_schema_arguments()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        var client = SdkClients.OpenAIChat(server);
        var options = WithTools();

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Find emulator docs")], options, Ct);

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        Assert.Equal(2, completion.ToolCalls.Count);
        Assert.Equal(["web_search", "read_file"], completion.ToolCalls.Select(c => c.FunctionName));
        Assert.All(completion.ToolCalls, c => Assert.StartsWith("call_", c.Id, StringComparison.Ordinal));
        using var args = JsonDocument.Parse(completion.ToolCalls[0].FunctionArguments);
        Assert.Equal("Find emulator docs", args.RootElement.GetProperty("query").GetString());
    }

    [Fact]
    public async Task Streamed_tool_call_fragments_reassemble_into_the_same_calls()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        var client = SdkClients.OpenAIChat(server);
        ChatCompletion expected = await client.CompleteChatAsync([new UserChatMessage("Find emulator docs")], WithTools(), Ct);

        var ids = new Dictionary<int, string>();
        var names = new Dictionary<int, string>();
        var arguments = new Dictionary<int, string>();
        var fragments = 0;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Find emulator docs")], WithTools(), Ct))
        {
            foreach (var part in update.ToolCallUpdates)
            {
                if (part.ToolCallId is not null)
                {
                    ids[part.Index] = part.ToolCallId;
                    names[part.Index] = part.FunctionName;
                }

                arguments[part.Index] = arguments.GetValueOrDefault(part.Index, "") + part.FunctionArgumentsUpdate?.ToString();
                fragments++;
            }
        }

        Assert.True(fragments > 4);
        Assert.Equal(expected.ToolCalls.Select(c => c.Id), ids.OrderBy(p => p.Key).Select(p => p.Value));
        Assert.Equal(expected.ToolCalls.Select(c => c.FunctionName), names.OrderBy(p => p.Key).Select(p => p.Value));
        Assert.Equal(expected.ToolCalls.Select(c => c.FunctionArguments.ToString()), arguments.OrderBy(p => p.Key).Select(p => p.Value));
    }

    [Fact]
    public async Task Tool_results_in_history_yield_a_final_answer_mentioning_them()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        var client = SdkClients.OpenAIChat(server);
        List<ChatMessage> history = [new UserChatMessage("Find emulator docs")];
        ChatCompletion first = await client.CompleteChatAsync(history, WithTools(), Ct);
        history.Add(new AssistantChatMessage(first));
        history.Add(new ToolChatMessage(first.ToolCalls[0].Id, "3 pages about the emulator"));
        history.Add(new ToolChatMessage(first.ToolCalls[1].Id, "docs/emulator.md contents"));

        ChatCompletion final = await client.CompleteChatAsync(history, WithTools(), Ct);

        Assert.Equal(ChatFinishReason.Stop, final.FinishReason);
        Assert.Empty(final.ToolCalls);
        Assert.Contains("web_search returned \"3 pages about the emulator\"", final.Content[0].Text, StringComparison.Ordinal);
        Assert.Contains("read_file returned \"docs/emulator.md contents\"", final.Content[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cached_tokens_from_the_script_appear_in_usage_details()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        server.Script.Enqueue(ScriptedTurn.Text("cached").WithUsage(2000, 10).WithCacheTokens(read: 1500, write: 0));
        var client = SdkClients.OpenAIChat(server);

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct);

        Assert.Equal(2000, completion.Usage.InputTokenCount);
        Assert.Equal(1500, completion.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(10, completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task Models_are_listed()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        var models = new global::OpenAI.Models.OpenAIModelClient(new ApiKeyCredential("sk-test"), new global::OpenAI.OpenAIClientOptions { Endpoint = server.OpenAIEndpoint });

        var list = await models.GetModelsAsync(Ct);

        Assert.Contains(list.Value, m => m.Id == "gpt-4o");
        Assert.Equal(1, server.RequestCount(EmulatorRoute.OpenAIModels));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(529)]
    public async Task Status_faults_surface_as_ClientResultException_with_the_status(int status)
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        server.Faults.Enqueue(Fault.Status(status));
        var client = SdkClients.OpenAIChat(server);

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct));

        Assert.Equal(status, error.Status);
        Assert.Contains("emulated fault", error.Message, StringComparison.Ordinal);
        ChatCompletion ok = await client.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct);
        Assert.NotEmpty(ok.Content[0].Text);
        Assert.Equal(2, server.RequestCount(EmulatorRoute.OpenAIChatCompletions));
    }

    [Fact]
    public async Task Wrong_api_key_is_rejected_without_echoing_it()
    {
        await using var server = await EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = "sk-right" }, Ct);
        var client = SdkClients.OpenAIChat(server, apiKey: "sk-wrong-secret");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct));

        Assert.Equal(401, error.Status);
        Assert.DoesNotContain("sk-wrong-secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-right", error.Message, StringComparison.Ordinal);
        var ok = await SdkClients.OpenAIChat(server, apiKey: "sk-right").CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Ct);
        Assert.NotNull(ok.Value);
    }

    private static ChatCompletionOptions WithTools()
    {
        var options = new ChatCompletionOptions();
        options.Tools.Add(ChatTool.CreateFunctionTool("web_search", "Search the web",
            BinaryData.FromString("""{"type":"object","properties":{"query":{"type":"string"},"count":{"type":"integer","minimum":3}},"required":["query","count"]}""")));
        options.Tools.Add(ChatTool.CreateFunctionTool("read_file", "Read a file",
            BinaryData.FromString("""{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}""")));
        return options;
    }
}
