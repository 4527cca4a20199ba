using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Emulator.Tests.Infrastructure;

namespace CompanyOs.Emulator.Tests.Anthropic;

/// <summary>The official Anthropic SDK, with response validation on, parses every emulator response.</summary>
public sealed class AnthropicSdkTests
{
    private const string Model = "claude-sonnet-4-5-20250929";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Message_with_text_tool_use_and_cache_usage_validates()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        server.Script.Enqueue(ScriptedTurn.ToolCalls(("lookup", """{"q":"x"}""")).WithText("Checking.").WithUsage(900, 20).WithCacheTokens(read: 500, write: 100));
        var client = SdkClients.Anthropic(server);

        var message = await client.Messages.Create(Params("hello"), Ct);

        Assert.Equal(2, message.Content.Count);
        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.Equal("Checking.", text.Text);
        Assert.True(message.Content[1].TryPickToolUse(out var toolUse));
        Assert.Equal("lookup", toolUse.Name);
        Assert.Equal("x", toolUse.Input["q"].GetString());
        Assert.Equal(StopReason.ToolUse, message.StopReason?.Value());
        Assert.Equal(300, message.Usage.InputTokens);
        Assert.Equal(500, message.Usage.CacheReadInputTokens);
        Assert.Equal(100, message.Usage.CacheCreationInputTokens);
        Assert.Equal(20, message.Usage.OutputTokens);
    }

    [Fact]
    public async Task Stream_events_validate_and_aggregate_to_the_same_message()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        var client = SdkClients.Anthropic(server);
        var expected = await client.Messages.Create(Params("stream me please"), Ct);

        var kinds = new List<string>();
        var text = "";
        long? outputTokens = null;
        await foreach (var ev in client.Messages.CreateStreaming(Params("stream me please"), Ct))
        {
            ev.Validate();
            if (ev.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var textDelta))
            {
                text += textDelta.Text;
            }

            if (ev.TryPickDelta(out var messageDelta))
            {
                outputTokens = messageDelta.Usage.OutputTokens;
            }

            kinds.Add(ev.Json.GetProperty("type").GetString()!);
        }

        Assert.Equal("message_start", kinds[0]);
        Assert.Equal("message_stop", kinds[^1]);
        Assert.True(expected.Content[0].TryPickText(out var expectedText));
        Assert.Equal(expectedText.Text, text);
        Assert.Equal(expected.Usage.OutputTokens, outputTokens);
    }

    [Fact]
    public async Task Count_tokens_parses()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        var client = SdkClients.Anthropic(server);

        var count = await client.Messages.CountTokens(new MessageCountTokensParams
        {
            Model = Model,
            Messages = [new UserMessageParam { Content = "How many tokens is this?" }],
        }, Ct);

        Assert.InRange(count.InputTokens, 5, 40);
    }

    [Fact]
    public async Task Errors_map_to_the_sdk_exception_types()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        var client = SdkClients.Anthropic(server);
        server.Faults.Enqueue(Fault.Status(400));
        server.Faults.Enqueue(Fault.Status(401));
        server.Faults.Enqueue(Fault.RateLimited(TimeSpan.FromSeconds(3)));
        server.Faults.Enqueue(Fault.Status(500));
        server.Faults.Enqueue(Fault.Overloaded());

        await Assert.ThrowsAnyAsync<AnthropicBadRequestException>(() => client.Messages.Create(Params("a"), Ct));
        await Assert.ThrowsAnyAsync<AnthropicUnauthorizedException>(() => client.Messages.Create(Params("a"), Ct));
        await Assert.ThrowsAnyAsync<AnthropicRateLimitException>(() => client.Messages.Create(Params("a"), Ct));
        var serverError = await Assert.ThrowsAnyAsync<Anthropic5xxException>(() => client.Messages.Create(Params("a"), Ct));
        var overloaded = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => client.Messages.Create(Params("a"), Ct));

        Assert.Equal(500, (int)serverError.StatusCode);
        Assert.Equal(529, (int)overloaded.StatusCode);
        Assert.Contains("overloaded_error", overloaded.Message, StringComparison.Ordinal);
        Assert.Equal(5, server.RequestCount(EmulatorRoute.AnthropicMessages));
    }

    [Fact]
    public async Task Sdk_retries_honour_retry_after_and_the_emulator_counts_each_attempt()
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        var client = new global::Anthropic.AnthropicClient(new global::Anthropic.Core.ClientOptions
        {
            ApiKey = "sk-ant-test",
            BaseUrl = server.BaseUri.ToString().TrimEnd('/'),
            MaxRetries = 2,
            ResponseValidation = true,
        });
        server.Faults.Enqueue(Fault.RateLimited(TimeSpan.Zero), times: 2);

        var message = await client.Messages.Create(Params("retry"), Ct);

        Assert.NotEmpty(message.Content);
        Assert.Equal(3, server.RequestCount(EmulatorRoute.AnthropicMessages));
    }

    private static MessageCreateParams Params(string text) => new()
    {
        Model = Model,
        MaxTokens = 256,
        Messages = [new UserMessageParam { Content = text }],
    };
}
