using System.Text.Json;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using Microsoft.Extensions.AI;

namespace CompanyOs.Emulator.Tests.Contract;

/// <summary>
/// The same cases for every provider, through each official SDK's <see cref="IChatClient"/>: proof that the emulator's
/// wire formats parse and behave alike (text, streaming, usage, parallel tool calls, faults).
/// </summary>
public abstract class ChatClientContractTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract EmulatorRoute ChatRoute { get; }

    protected abstract IChatClient CreateClient(EmulatorServer server);

    /// <summary>The HTTP status an SDK exception carries, or null when it carries none.</summary>
    protected abstract int? StatusOf(Exception exception);

    /// <summary>Finish reason the SDK reports for a tool-call turn (Ollama's wire format says <c>stop</c>).</summary>
    protected virtual ChatFinishReason ToolCallFinishReason => ChatFinishReason.ToolCalls;

    /// <summary>Whether the SDK passes the wire's tool-call ids and response id through (OllamaSharp makes its own).</summary>
    protected virtual bool SdkKeepsWireIds => true;

    [Fact]
    public async Task Completion_returns_text_derived_from_the_prompt_with_usage()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var client = CreateClient(server);

        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "Answer briefly."), new ChatMessage(ChatRole.User, "Name three primary colours")], cancellationToken: Ct);

        Assert.Contains("Name three primary colours", response.Text, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.NotNull(response.Usage);
        Assert.True(response.Usage.InputTokenCount > 5);
        Assert.True(response.Usage.OutputTokenCount > 5);
        Assert.Equal(1, server.RequestCount(ChatRoute));
    }

    [Fact]
    public async Task Streaming_yields_several_text_updates_matching_the_non_streaming_answer_and_usage()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var client = CreateClient(server);
        ChatMessage[] prompt = [new ChatMessage(ChatRole.User, "Describe the emulator in one sentence")];
        var expected = await client.GetResponseAsync(prompt, cancellationToken: Ct);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(prompt, cancellationToken: Ct))
        {
            updates.Add(update);
        }

        var streamed = updates.ToChatResponse();
        Assert.True(updates.Count(u => u.Text.Length > 0) >= 5, "text arrives in several updates");
        Assert.Equal(expected.Text, streamed.Text);
        Assert.Equal(ChatFinishReason.Stop, streamed.FinishReason);
        Assert.Equal(expected.Usage?.InputTokenCount, streamed.Usage?.InputTokenCount);
        Assert.Equal(expected.Usage?.OutputTokenCount, streamed.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task Two_parallel_tool_calls_then_results_then_a_final_answer_mentioning_them()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var client = CreateClient(server);
        var options = new ChatOptions { Tools = [WebSearch, ReadFile] };
        List<ChatMessage> history = [new ChatMessage(ChatRole.User, "Research the emulator")];

        var first = await client.GetResponseAsync(history, options, Ct);
        var calls = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToArray();

        Assert.Equal(ToolCallFinishReason, first.FinishReason);
        Assert.Equal(["web_search", "read_file"], calls.Select(c => c.Name));
        Assert.Equal(2, calls.Select(c => c.CallId).Distinct().Count());
        Assert.Equal("Research the emulator", calls[0].Arguments?["query"]?.ToString());

        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [
            new FunctionResultContent(calls[0].CallId, "five relevant pages"),
            new FunctionResultContent(calls[1].CallId, "the file text"),
        ]));
        var final = await client.GetResponseAsync(history, options, Ct);

        Assert.Equal(ChatFinishReason.Stop, final.FinishReason);
        Assert.Empty(final.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        // Results are quoted as the client sent them (OllamaSharp wraps them in {"CallId","Result"} JSON).
        Assert.Matches("web_search returned \".*five relevant pages", final.Text);
        Assert.Matches("read_file returned \".*the file text", final.Text);
    }

    [Fact]
    public async Task Streamed_tool_calls_match_the_non_streaming_calls()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var client = CreateClient(server);
        var options = new ChatOptions { Tools = [WebSearch, ReadFile] };
        ChatMessage[] prompt = [new ChatMessage(ChatRole.User, "Research the emulator")];

        var expected = (await client.GetResponseAsync(prompt, options, Ct)).Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToArray();
        var streamed = (await client.GetStreamingResponseAsync(prompt, options, Ct).ToChatResponseAsync(Ct))
            .Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToArray();

        Assert.Equal(expected.Select(c => c.Name), streamed.Select(c => c.Name));
        if (SdkKeepsWireIds)
        {
            Assert.Equal(expected.Select(c => c.CallId), streamed.Select(c => c.CallId));
        }

        Assert.Equal(
            expected.Select(c => JsonSerializer.Serialize(c.Arguments)),
            streamed.Select(c => JsonSerializer.Serialize(c.Arguments)));
    }

    [Fact]
    public async Task Same_request_gives_the_same_answer()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var client = CreateClient(server);
        ChatMessage[] prompt = [new ChatMessage(ChatRole.User, "Same question")];

        var a = await client.GetResponseAsync(prompt, cancellationToken: Ct);
        var b = await client.GetResponseAsync(prompt, cancellationToken: Ct);

        Assert.Equal(a.Text, b.Text);
        if (SdkKeepsWireIds)
        {
            Assert.Equal(a.ResponseId, b.ResponseId);
        }

        Assert.Equal(a.Usage?.InputTokenCount, b.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task Scripted_turns_are_played_in_order_then_the_default_model_resumes()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var client = CreateClient(server);
        server.Script.Enqueue(ScriptedTurn.Text("first scripted"), ScriptedTurn.ToolCalls(("web_search", """{"query":"q"}""")));

        var one = await client.GetResponseAsync("hello", cancellationToken: Ct);
        var two = await client.GetResponseAsync("hello", new ChatOptions { Tools = [WebSearch] }, Ct);
        var three = await client.GetResponseAsync("hello", cancellationToken: Ct);

        Assert.Equal("first scripted", one.Text);
        var call = Assert.Single(two.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("q", call.Arguments?["query"]?.ToString());
        Assert.Contains("hello", three.Text, StringComparison.Ordinal);
        Assert.Equal(0, server.Script.Pending);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(529)]
    public async Task Status_faults_surface_as_the_sdk_exception_with_that_status(int status)
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var client = CreateClient(server);
        server.Faults.Enqueue(Fault.Status(status));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync("hi", cancellationToken: Ct));

        Assert.True(status == StatusOf(error), $"expected status {status} from {error}");
        Assert.Equal(1, server.RequestCount(ChatRoute));
        Assert.NotEmpty((await client.GetResponseAsync("hi", cancellationToken: Ct)).Text);
    }

    [Fact]
    public async Task Connection_reset_fails_the_call()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var client = CreateClient(server);
        server.Faults.Enqueue(Fault.ConnectionReset());

        await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync("hi", cancellationToken: Ct));
        Assert.NotEmpty((await client.GetResponseAsync("hi", cancellationToken: Ct)).Text);
    }

    [Fact]
    public async Task Stream_cut_after_some_chunks_fails_after_delivering_them()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var client = CreateClient(server);
        server.Faults.Enqueue(Fault.CutAfter(4));
        var received = new List<string>();

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("a longer question to get many chunks back", cancellationToken: Ct))
            {
                received.Add(update.Text);
            }
        });

        Assert.NotEmpty(string.Concat(received));
    }

    [Fact]
    public async Task Malformed_body_fails_the_call()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var client = CreateClient(server);
        server.Faults.Enqueue(Fault.Malformed(), times: 2);

        await Assert.ThrowsAnyAsync<Exception>(() => client.GetResponseAsync("hi", cancellationToken: Ct));
        await Assert.ThrowsAnyAsync<Exception>(() => client.GetStreamingResponseAsync("hi", cancellationToken: Ct).ToChatResponseAsync(Ct));
    }

    protected static AIFunctionDeclaration WebSearch { get; } = AIFunctionFactory.CreateDeclaration(
        "web_search", "Search the web", JsonDocument.Parse("""{"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}""").RootElement);

    protected static AIFunctionDeclaration ReadFile { get; } = AIFunctionFactory.CreateDeclaration(
        "read_file", "Read a file", JsonDocument.Parse("""{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}""").RootElement);
}
