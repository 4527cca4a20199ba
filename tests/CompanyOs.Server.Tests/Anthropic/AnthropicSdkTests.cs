using System.Text.Json;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Anthropic;

/// <summary>The unmodified Anthropic .NET SDK (response validation on) pointed at the server's /v1/messages.</summary>
public sealed class AnthropicSdkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Message_answers_with_text_and_usage()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.Anthropic(server);

        var message = await client.Messages.Create(Params("claude-3.5-sonnet", "hello through the gateway"), Ct);

        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.Contains("hello through the gateway", text.Text, StringComparison.Ordinal);
        Assert.StartsWith("msg_", message.ID, StringComparison.Ordinal);
        Assert.Equal(StopReason.EndTurn, message.StopReason?.Value());
        Assert.True(message.Usage.InputTokens > 3);
        Assert.True(message.Usage.OutputTokens > 3);
        Assert.Equal(1, server.Emulator!.RequestCount(Emulator.EmulatorRoute.AnthropicMessages));
    }

    [Fact]
    public async Task A_gpt_model_answers_through_the_anthropic_endpoint()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.Anthropic(server);

        var message = await client.Messages.Create(Params("gpt-4o", "hello from anthropic format"), Ct);

        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.Contains("hello from anthropic format", text.Text, StringComparison.Ordinal);
        Assert.StartsWith("gpt-4o", message.Model.Raw(), StringComparison.Ordinal);
        Assert.StartsWith("msg_", message.ID, StringComparison.Ordinal);
        Assert.Equal(1, server.Emulator!.RequestCount(Emulator.EmulatorRoute.OpenAIChatCompletions));
    }

    [Fact]
    public async Task Stream_events_validate_and_aggregate_to_the_same_text()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.Anthropic(server);
        var expected = await client.Messages.Create(Params("gpt-4o", "stream me please"), Ct);

        var kinds = new List<string>();
        var text = "";
        long? outputTokens = null;
        await foreach (var ev in client.Messages.CreateStreaming(Params("gpt-4o", "stream me please"), Ct))
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
        Assert.Equal("content_block_start", kinds[1]);
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], kinds[^3..]);
        Assert.True(expected.Content[0].TryPickText(out var expectedText));
        Assert.Equal(expectedText.Text, text);
        Assert.Equal(expected.Usage.OutputTokens, outputTokens);
    }

    [Fact]
    public async Task Tool_use_round_trip_through_a_gpt_model()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.Anthropic(server);
        var tool = new Tool
        {
            Name = "web_search",
            Description = "Search the web",
            InputSchema = new InputSchema
            {
                Properties = new Dictionary<string, JsonElement> { ["query"] = JsonSerializer.SerializeToElement(new { type = "string" }) },
                Required = ["query"],
            },
        };
        var first = await client.Messages.Create(new MessageCreateParams
        {
            Model = "gpt-4o",
            MaxTokens = 256,
            Tools = [tool],
            Messages = [new UserMessageParam { Content = "use web_search for emulator docs" }],
        }, Ct);

        Assert.Equal(StopReason.ToolUse, first.StopReason?.Value());
        var toolUse = first.Content.Select(b => b.TryPickToolUse(out var t) ? t : null).Single(t => t is not null)!;
        Assert.Equal("web_search", toolUse.Name);
        Assert.Equal("emulator docs", toolUse.Input["query"].GetString());

        var second = await client.Messages.Create(new MessageCreateParams
        {
            Model = "gpt-4o",
            MaxTokens = 256,
            Tools = [tool],
            Messages =
            [
                new UserMessageParam { Content = "use web_search for emulator docs" },
                new AssistantMessageParam { Content = new List<ContentBlockParam> { new ToolUseBlockParam { ID = toolUse.ID, Name = toolUse.Name, Input = toolUse.Input } } },
                new UserMessageParam { Content = new List<ContentBlockParam> { new ToolResultBlockParam { ToolUseID = toolUse.ID, Content = "four pages found" } } },
            ],
        }, Ct);

        Assert.Equal(StopReason.EndTurn, second.StopReason?.Value());
        Assert.True(second.Content[0].TryPickText(out var answer));
        Assert.Contains("four pages found", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streamed_tool_use_reassembles_input_json()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.Anthropic(server);
        var parameters = new MessageCreateParams
        {
            Model = "claude-3.5-sonnet",
            MaxTokens = 256,
            Tools =
            [
                new Tool
                {
                    Name = "read_file",
                    InputSchema = new InputSchema
                    {
                        Properties = new Dictionary<string, JsonElement> { ["path"] = JsonSerializer.SerializeToElement(new { type = "string" }) },
                        Required = ["path"],
                    },
                },
            ],
            Messages = [new UserMessageParam { Content = "read_file the readme" }],
        };

        var json = "";
        string? name = null;
        string? stop = null;
        await foreach (var ev in client.Messages.CreateStreaming(parameters, Ct))
        {
            ev.Validate();
            if (ev.TryPickContentBlockStart(out var start) && start.ContentBlock.TryPickToolUse(out var use))
            {
                name = use.Name;
            }

            if (ev.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickInputJson(out var part))
            {
                json += part.PartialJson;
            }

            if (ev.TryPickDelta(out var messageDelta))
            {
                stop = messageDelta.Delta.StopReason?.Raw();
            }
        }

        Assert.Equal("read_file", name);
        Assert.Equal("tool_use", stop);
        using var input = JsonDocument.Parse(json);
        Assert.Equal("read_file the readme", input.RootElement.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Count_tokens_counts_with_the_gateway_tokenizer_and_says_how()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.Anthropic(server);
        using var http = TestServers.Http(server);

        var shortCount = await client.Messages.CountTokens(new MessageCountTokensParams
        {
            Model = "gpt-4o",
            Messages = [new UserMessageParam { Content = "How many tokens is this?" }],
        }, Ct);
        var longCount = await client.Messages.CountTokens(new MessageCountTokensParams
        {
            Model = "claude-3.5-sonnet",
            Messages = [new UserMessageParam { Content = string.Join(' ', Enumerable.Repeat("How many tokens is this?", 20)) }],
        }, Ct);
        using var raw = await http.PostJsonAsync("v1/messages/count_tokens", """{"model":"claude-3.5-sonnet","messages":[{"role":"user","content":"hi"}]}""");
        using var unknown = await http.PostJsonAsync("v1/messages/count_tokens", """{"model":"nonexistent-8","messages":[{"role":"user","content":"hi"}]}""");

        Assert.InRange(shortCount.InputTokens, 5, 30);
        Assert.InRange(longCount.InputTokens, shortCount.InputTokens * 8, shortCount.InputTokens * 20); // 20× the text, the same framing
        Assert.StartsWith("estimate; method=", Assert.Single(raw.Headers.GetValues("x-companyos-token-count")), StringComparison.Ordinal);
        await ErrorJson.AssertAnthropicAsync(unknown, 404, "not_found_error");
        Assert.Equal(0, server.Emulator!.TotalRequestCount);
    }

    [Fact]
    public async Task Unknown_model_is_a_not_found_exception()
    {
        await using var server = await TestServers.StartAsync();
        var client = TestServers.Anthropic(server);

        var e = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => client.Messages.Create(Params("no-such-model-3", "hi"), Ct));

        Assert.Equal(404, (int)e.StatusCode);
    }

    private static MessageCreateParams Params(string model, string text) => new()
    {
        Model = model,
        MaxTokens = 256,
        Messages = [new UserMessageParam { Content = text }],
    };
}
