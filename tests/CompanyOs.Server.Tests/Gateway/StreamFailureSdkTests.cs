using Anthropic.Models.Messages;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Server.Tests.Infrastructure;
using OpenAI.Chat;

namespace CompanyOs.Server.Tests.Gateway;

/// <summary>A stream that fails after its first chunk ends with the wire's error event, and the official .NET SDKs raise it.</summary>
public sealed class StreamFailureSdkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_openai_dotnet_sdk_raises_an_error_for_a_stream_cut_after_its_first_chunk_and_never_sees_a_clean_end()
    {
        await using var server = await TestServers.StartAsync();
        server.Emulator!.Script.Enqueue(ScriptedTurn.Text(string.Join(' ', Enumerable.Repeat("word", 30))));
        server.Emulator.Faults.Enqueue(Fault.CutAfter(4), provider: EmulatorProvider.OpenAI);
        var client = TestServers.OpenAIChat(server);

        var text = new System.Text.StringBuilder();
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("go")], new ChatCompletionOptions(), Ct))
            {
                text.Append(string.Concat(update.ContentUpdate.Select(c => c.Text)));
            }
        });

        // The SDK reads the error event as an empty chunk; the connection reset that follows is what it raises.
        Assert.True(text.Length > 0, "no text arrived before the cut");
        Assert.True(error is IOException or HttpRequestException or System.ClientModel.ClientResultException, error.ToString());
    }

    [Fact]
    public async Task The_anthropic_sdk_raises_an_error_for_a_stream_cut_after_its_first_event()
    {
        await using var server = await TestServers.StartAsync();
        server.Emulator!.Script.Enqueue(ScriptedTurn.Text(string.Join(' ', Enumerable.Repeat("word", 30))));
        server.Emulator.Faults.Enqueue(Fault.CutAfter(4), provider: EmulatorProvider.Anthropic);
        var client = TestServers.Anthropic(server);
        var parameters = new MessageCreateParams { Model = "claude-3.5-sonnet", MaxTokens = 256, Messages = [new UserMessageParam { Content = "go" }] };

        var kinds = new List<string>();
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var ev in client.Messages.CreateStreaming(parameters, Ct))
            {
                kinds.Add(ev.Json.GetProperty("type").GetString()!);
            }
        });

        Assert.Equal("message_start", kinds[0]);
        Assert.DoesNotContain("message_stop", kinds);
        Assert.Contains("stream interrupted", error.Message + error.InnerException?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_the_wire_the_anthropic_stream_ends_with_an_error_event_and_no_message_stop()
    {
        await using var server = await TestServers.StartAsync();
        server.Emulator!.Faults.Enqueue(Fault.CutAfter(4), provider: EmulatorProvider.OpenAI);
        using var http = TestServers.Http(server);

        using var read = await SseStreams.PostAsync(http, "v1/messages", """{"model":"gpt-4o","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"tell me a long story please"}]}""");
        var events = read.Events;

        Assert.Equal(200, (int)read.Response.StatusCode);
        Assert.True(read.Reset);
        Assert.StartsWith("event: message_start", events[0], StringComparison.Ordinal);
        Assert.StartsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"", events[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Contains("message_stop", StringComparison.Ordinal));
    }
}
