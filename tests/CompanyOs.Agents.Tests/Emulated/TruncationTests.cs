using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Configuration;

namespace CompanyOs.Agents.Tests.Emulated;

/// <summary>An answer the model did not finish (output token limit, content filter) never completes a run.</summary>
public abstract class TruncationTests : EmulatedModelTests
{
    [Theory]
    [InlineData(ScriptedFinishReason.Length, "length")]
    [InlineData(ScriptedFinishReason.ContentFilter, "content_filter")]
    public async Task A_cut_off_answer_ends_the_run_incomplete_with_the_cut_text(ScriptedFinishReason finish, string recorded)
    {
        var h = new RuntimeHarness { Chat = Model.Gateway };
        h.Define();
        Model.Enqueue(ScriptedTurn.Text("Event sourcing stores every change as an").WithFinishReason(finish));
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Incomplete, result.Status);
        Assert.Equal("incomplete", result.Status.ToWireName());
        Assert.Equal("Event sourcing stores every change as an", result.Result);
        Assert.Contains("cut off", result.Error, StringComparison.Ordinal);
        var events = await h.EventsAsync(result.RunId);
        Assert.DoesNotContain(events, e => e.Type == "RunCompleted");
        var incomplete = events.Single(e => e.Type == "RunIncomplete").Data;
        Assert.Equal(recorded, incomplete.GetProperty("finish_reason").GetString());
        Assert.Equal(recorded, events.Last(e => e.Type == "AssistantMessage").Data.GetProperty("finish_reason").GetString());
        Assert.Equal("incomplete", events[^1].Data.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_whole_answer_still_completes_the_run()
    {
        var h = new RuntimeHarness { Chat = Model.Gateway };
        h.Define();
        Model.Enqueue(ScriptedTurn.Text("Event sourcing stores every change as an event."));
        await using var runtime = h.CreateRuntime();

        var result = await runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("stop", (await h.EventsAsync(result.RunId)).Last(e => e.Type == "AssistantMessage").Data.GetProperty("finish_reason").GetString());
    }
}

public sealed class OpenAITruncationTests : TruncationTests
{
    protected override ProviderKind Kind => ProviderKind.OpenAI;
}

public sealed class AnthropicTruncationTests : TruncationTests
{
    protected override ProviderKind Kind => ProviderKind.Anthropic;
}
