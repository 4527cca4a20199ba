using CompanyOs.Events.Appending;

namespace CompanyOs.Events.Sqlite;

/// <summary>One caller's append waiting to be committed, possibly together with others (group commit).</summary>
internal sealed class SqliteAppendRequest(string streamId, ExpectedVersion expected, PreparedEvent[] events, CancellationToken cancellationToken)
{
    public string StreamId { get; } = streamId;

    public ExpectedVersion Expected { get; } = expected;

    public PreparedEvent[] Events { get; } = events;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
