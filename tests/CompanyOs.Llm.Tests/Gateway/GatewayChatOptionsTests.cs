using System.Reflection;
using System.Text.Json;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Caching;
using CompanyOs.Llm.Gateway.Routing;
using CompanyOs.Llm.PassThrough;
using CompanyOs.Llm.Providers;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tests.Gateway;

/// <summary>
/// The gateway's copy of the caller's options: every option reaches the stages, the objects they refer to are the caller's
/// own (shared, not cloned per call), and the caller's options are never changed.
/// </summary>
public sealed class GatewayChatOptionsTests
{
    private static readonly string[] KnownProperties =
    [
        "AdditionalProperties", "AllowBackgroundResponses", "AllowMultipleToolCalls", "ContinuationToken", "ConversationId", "FrequencyPenalty",
        "Instructions", "MaxOutputTokens", "ModelId", "PresencePenalty", "RawRepresentationFactory", "Reasoning", "ResponseFormat", "Seed",
        "StopSequences", "Temperature", "ToolMode", "Tools", "TopK", "TopP",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Every_option_of_the_caller_is_carried_over()
    {
        var properties = typeof(ChatOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        Assert.True(KnownProperties.SequenceEqual(properties.Select(p => p.Name).Order(StringComparer.Ordinal)),
            "ChatOptions has properties this test (and GatewayChatOptions' constructor, which copies each by hand) does not know: " +
            string.Join(", ", properties.Select(p => p.Name).Except(KnownProperties)));
        var caller = new ChatOptions
        {
            ConversationId = "conv-1",
            Instructions = "Be brief.",
            Temperature = 0.3f,
            MaxOutputTokens = 123,
            TopP = 0.9f,
            TopK = 40,
            FrequencyPenalty = 0.1f,
            PresencePenalty = 0.2f,
            Seed = 7,
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High },
            ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("""{"type":"object"}""").RootElement),
            ModelId = "gpt-4o-mini",
            StopSequences = ["STOP"],
            AllowMultipleToolCalls = false,
            ToolMode = ChatToolMode.RequireAny,
            Tools = [AIFunctionFactory.Create(() => 42, "answer")],
            AllowBackgroundResponses = true,
            ContinuationToken = ResponseContinuationToken.FromBytes(new byte[] { 1, 2, 3 }),
            RawRepresentationFactory = _ => "raw",
            AdditionalProperties = new() { ["x"] = 1 },
        };

        var copy = new GatewayChatOptions(caller, NewCall());

        foreach (var property in properties)
        {
            var expected = property.GetValue(caller);
            Assert.True(expected is not null, $"the test sets no value for ChatOptions.{property.Name}");
            Assert.Equal(expected, property.GetValue(copy));
        }
    }

    [Fact]
    public void The_callers_additional_properties_are_read_where_they_are_not_cloned_per_call()
    {
        var caller = new ChatOptions().WithCallContext(new LlmCallContext { OrgId = "acme" });

        var copy = new GatewayChatOptions(caller, NewCall());

        Assert.Same(caller.AdditionalProperties, copy.AdditionalProperties);
        Assert.Equal("acme", copy.GetCallContext()?.OrgId);
    }

    [Fact]
    public async Task A_cached_call_takes_the_pass_through_request_off_its_own_options_and_leaves_the_callers_as_they_were()
    {
        var factory = new FakeProviderFactory(TimeProvider.System);
        using var gateway = LlmGateway.CreateBuilder(TestOptions.Create() with { Cache = new ResponseCacheOptions { Enabled = true } }, factory).Build();
        var request = PassThroughRequest.TryCreate("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]}"""u8.ToArray())!;
        var caller = request.AttachTo(new ChatOptions { ModelId = "gpt-4o-mini" }.WithCallContext(new LlmCallContext { OrgId = "acme" }));
        var before = caller.AdditionalProperties!.ToArray();

        await gateway.GetResponseAsync("hello", caller, Ct);

        // The provider got the call the converting way (a cached answer must be a whole response, never passed-through bytes)…
        Assert.Null(PassThroughRequest.From(factory["a"].LastOptions));
        Assert.Equal("acme", factory["a"].LastOptions.GetCallContext()?.OrgId);

        // …while the caller's options still hold what the caller put there, for its next call.
        Assert.Same(request, PassThroughRequest.From(caller));
        Assert.Equal(before, caller.AdditionalProperties!.ToArray());
    }

    [Fact]
    public void Options_carrying_the_call_context_cost_a_call_no_more_allocation_than_options_without()
    {
        var instant = new InstantProviderFactory(new UsageDetails { InputTokenCount = 10, OutputTokenCount = 2, TotalTokenCount = 12 });
        using var gateway = LlmGateway.CreateBuilder(TestOptions.Create(TestOptions.ProviderA() with { FallbackProvider = null }), instant).Build();
        List<ChatMessage> messages = [new(ChatRole.User, "hello")];
        var plain = new ChatOptions { MaxOutputTokens = 256 };
        var attributed = new ChatOptions { MaxOutputTokens = 256 }.WithCallContext(new LlmCallContext { OrgId = "acme", AgentType = "researcher", RunId = "run-1" });

        var withoutContext = AllocatedPerCall(gateway, messages, plain);
        var withContext = AllocatedPerCall(gateway, messages, attributed);

        // The copy of the options used to clone the caller's property dictionary on every call (≈ 300 B).
        Assert.True(withContext - withoutContext < 64, $"{withContext} B per call with the call context, {withoutContext} B without");
    }

    /// <summary>Bytes this thread allocates per call once warm (an instant provider: each call completes on this thread).</summary>
    private static long AllocatedPerCall(LlmGateway gateway, List<ChatMessage> messages, ChatOptions options)
    {
        const int Calls = 200;
        long allocated = 0;
        for (var round = 0; round < 3; round++) // the first rounds warm up (statics, stats rows); the last is measured
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < Calls; i++)
            {
                Assert.True(gateway.GetResponseAsync(messages, options, Ct).IsCompletedSuccessfully);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        return allocated / Calls;
    }

    private static GatewayCall NewCall() =>
        new(new ModelRoute(TestOptions.ProviderA(), "gpt-4o-mini"), null, TimeProvider.System.GetTimestamp());
}
