using CompanyOs.Emulator;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Providers;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Providers;

/// <summary>
/// The same cases for every provider, through the official SDK against the emulator's real wire format.
/// Error mapping lives in <see cref="ProviderErrorConformanceTests"/>.
/// </summary>
public abstract class ProviderConformanceTests : IAsyncLifetime
{
    protected const string ApiKey = "sk-test-SECRET-0123456789";

    protected abstract ProviderKind Kind { get; }

    protected abstract EmulatorProvider Wire { get; }

    protected abstract string Model { get; }

    /// <summary>False for wire formats that report no prompt-cache tokens (Ollama).</summary>
    protected virtual bool ReportsCacheTokens => true;

    protected EmulatorServer Emulator { get; private set; } = null!;

    protected IChatClient Client { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync()
    {
        Emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = ApiKey }, Ct);
        Client = CreateClient(Emulator);
    }

    public virtual async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected IChatClient CreateClient(EmulatorServer emulator, TimeSpan? timeout = null, string apiKey = ApiKey) =>
        new ProviderClientFactory().Create(ProviderFor(emulator, timeout, apiKey));

    protected ProviderOptions ProviderFor(EmulatorServer emulator, TimeSpan? timeout = null, string apiKey = ApiKey) => new()
    {
        Name = $"test-{Kind.ToString().ToLowerInvariant()}",
        Kind = Kind,
        ApiKey = apiKey,
        BaseUrl = Kind == ProviderKind.OpenAI ? emulator.OpenAIEndpoint : emulator.BaseUri,
        DefaultModel = Model,
        Timeout = timeout ?? TimeSpan.FromSeconds(20),
    };

    protected string LastChatBody() => Emulator.Requests.Last(r => r.Route.Provider() == Wire && IsChat(r.Route)).Body;

    private static bool IsChat(EmulatorRoute route) =>
        route is EmulatorRoute.OpenAIChatCompletions or EmulatorRoute.AnthropicMessages or EmulatorRoute.OllamaChat;

    [Fact]
    public async Task Completion_returns_text_finish_reason_model_and_usage()
    {
        Emulator.Script.Enqueue(ScriptedTurn.Text("The answer is 42."));

        var response = await Client.GetResponseAsync("What is the answer?", cancellationToken: Ct);

        Assert.Equal("The answer is 42.", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(Model, response.ModelId);
        Assert.NotNull(response.Usage);
        Assert.True(response.Usage.InputTokenCount > 0);
        Assert.True(response.Usage.OutputTokenCount > 0);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount, response.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Alias_is_resolved_before_the_request_goes_out()
    {
        Emulator.Script.Enqueue(ScriptedTurn.Text("ok"));

        await Client.GetResponseAsync("hi", new ChatOptions { ModelId = "claude-3.5-sonnet" }, Ct);

        Assert.Contains("claude-3-5-sonnet-20241022", LastChatBody(), StringComparison.Ordinal);
        Assert.DoesNotContain("claude-3.5-sonnet", LastChatBody(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streaming_arrives_incrementally()
    {
        await using var slow = await EmulatorServer.StartAsync(
            new EmulatorOptions { ApiKey = ApiKey, ChunkDelay = TimeSpan.FromMilliseconds(80) }, Ct);
        using var client = CreateClient(slow);
        slow.Script.Enqueue(ScriptedTurn.Text("one two three four five six seven eight"));

        var arrivals = new List<(long At, string Text)>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await foreach (var update in client.GetStreamingResponseAsync("count", cancellationToken: Ct))
        {
            if (!string.IsNullOrEmpty(update.Text))
            {
                arrivals.Add((started.ElapsedMilliseconds, update.Text));
            }
        }

        Assert.Equal("one two three four five six seven eight", string.Concat(arrivals.Select(a => a.Text)));
        Assert.True(arrivals.Count >= 3, $"expected several text chunks, got {arrivals.Count}");
        var spread = arrivals[^1].At - arrivals[0].At;
        Assert.True(spread >= 160, $"chunks arrived together ({spread} ms between first and last): the stream was buffered");
    }

    [Fact]
    public async Task Streamed_usage_equals_non_streamed_usage()
    {
        var turn = ReportsCacheTokens ? ScriptedTurn.Text("Consistent usage, please.").WithCacheTokens(read: 3, write: 2) : ScriptedTurn.Text("Consistent usage, please.");
        Emulator.Script.Enqueue(turn, turn);
        List<ChatMessage> prompt = [new(ChatRole.System, "Be consistent."), new(ChatRole.User, "Report usage")];

        var plain = await Client.GetResponseAsync(prompt, cancellationToken: Ct);
        var streamed = await Client.GetStreamingResponseAsync(prompt, cancellationToken: Ct).ToChatResponseAsync(Ct);

        Assert.Equal(plain.Text, streamed.Text);
        Assert.NotNull(streamed.Usage);
        Assert.Equal(plain.Usage!.InputTokenCount, streamed.Usage.InputTokenCount);
        Assert.Equal(plain.Usage.OutputTokenCount, streamed.Usage.OutputTokenCount);
        Assert.Equal(plain.Usage.TotalTokenCount, streamed.Usage.TotalTokenCount);
        Assert.Equal(plain.Usage.CachedInputTokenCount, streamed.Usage.CachedInputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, streamed.FinishReason);
        Assert.Equal(Model, streamed.ModelId);
    }

    [Fact]
    public async Task System_prompt_and_history_reach_the_wire()
    {
        Emulator.Script.Enqueue(ScriptedTurn.Text("Second answer."));
        List<ChatMessage> history =
        [
            new(ChatRole.System, "You are terse-system-marker."),
            new(ChatRole.User, "first-question-marker"),
            new(ChatRole.Assistant, "first-answer-marker"),
            new(ChatRole.User, "second-question-marker"),
        ];

        var response = await Client.GetResponseAsync(history, cancellationToken: Ct);

        Assert.Equal("Second answer.", response.Text);
        var body = LastChatBody();
        foreach (var marker in new[] { "terse-system-marker", "first-question-marker", "first-answer-marker", "second-question-marker" })
        {
            Assert.Contains(marker, body, StringComparison.Ordinal);
        }

        Assert.True(body.IndexOf("first-question-marker", StringComparison.Ordinal) < body.IndexOf("first-answer-marker", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Temperature_max_tokens_and_stop_sequences_are_sent()
    {
        Emulator.Script.Enqueue(ScriptedTurn.Text("ok"));

        await Client.GetResponseAsync("hi", new ChatOptions { Temperature = 0.25f, MaxOutputTokens = 77, StopSequences = ["STOP-HERE"] }, Ct);

        var body = LastChatBody();
        Assert.Contains("0.25", body, StringComparison.Ordinal);
        Assert.Contains("77", body, StringComparison.Ordinal);
        Assert.Contains("\"STOP-HERE\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_tokens_follow_the_house_convention()
    {
        Emulator.Script.Enqueue(ScriptedTurn.Text("cached").WithUsage(inputTokens: 100, outputTokens: 5).WithCacheTokens(read: 60, write: 30));

        var response = await Client.GetResponseAsync("hi", cancellationToken: Ct);

        Assert.Equal(100, response.Usage!.InputTokenCount);
        Assert.Equal(105, response.Usage.TotalTokenCount);
        AssertCacheTokens(response.Usage, read: 60, written: 30);
    }

    /// <summary>
    /// Cache reads and writes as this wire format reports them: Anthropic both, OpenAI reads only (its usage has no
    /// cache-write field), Ollama neither (no prompt cache on the wire, so none may be invented).
    /// </summary>
    protected abstract void AssertCacheTokens(UsageDetails usage, long read, long written);
}
