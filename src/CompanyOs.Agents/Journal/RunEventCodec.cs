using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CompanyOs.Events;

namespace CompanyOs.Agents.Journal;

/// <summary>Maps run events to stored events and back. The stored type name is the record's name (e.g. <c>ToolCallStarted</c>).</summary>
public static class RunEventCodec
{
    private static readonly FrozenDictionary<string, JsonTypeInfo> ByName = BuildMap();

    /// <summary>The stream of a run: <c>agent-session:{runId}</c>.</summary>
    public static string StreamId(string runId) => StreamPrefix + runId;

    public const string StreamPrefix = "agent-session:";

    public static string TypeName(RunEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        return @event.GetType().Name;
    }

    public static JsonElement Serialize(RunEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var info = ByName.TryGetValue(TypeName(@event), out var i)
            ? i
            : throw new ArgumentException($"'{@event.GetType().Name}' is not a known run event type.", nameof(@event));
        return JsonSerializer.SerializeToElement(@event, info);
    }

    public static EventData ToEventData(RunEvent @event, EventMetadata metadata) =>
        new(Guid.NewGuid(), TypeName(@event), Serialize(@event), metadata);

    /// <summary>Deserializes a stored event; unknown types (newer writers, other producers) yield null and are skipped by the fold.</summary>
    /// <exception cref="EventStoreException">The payload of a known type cannot be read.</exception>
    public static RunEvent? Deserialize(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (!ByName.TryGetValue(recorded.Type, out var info))
        {
            return null;
        }

        try
        {
            return (RunEvent?)recorded.Data.Deserialize(info)
                ?? throw new EventStoreException($"Stream '{recorded.StreamId}' version {recorded.Version}: '{recorded.Type}' payload is null.");
        }
        catch (JsonException ex)
        {
            throw new EventStoreException(
                $"Stream '{recorded.StreamId}' version {recorded.Version}: '{recorded.Type}' payload cannot be read: {ex.Message}", ex);
        }
    }

    private static FrozenDictionary<string, JsonTypeInfo> BuildMap()
    {
        var c = AgentEventJsonContext.Default;
        JsonTypeInfo[] infos =
        [
            c.RunStarted, c.LlmCallCompleted, c.AssistantMessage, c.ToolCallRequested, c.ApprovalRequested, c.ApprovalGranted,
            c.ApprovalRejected, c.ApprovalExpired, c.QuestionAsked, c.QuestionAnswered, c.ToolCallStarted, c.ToolCallCompleted,
            c.ToolCallFailed, c.ToolCallInterrupted, c.RunCompleted, c.RunFailed, c.RunCancelled, c.RunMaxIterationsReached,
            c.RunBudgetExceeded, c.AgentReasoningCompleted, c.LlmCallInterrupted, c.RunIncomplete,
        ];
        return infos.ToFrozenDictionary(i => i.Type.Name, StringComparer.Ordinal);
    }
}
