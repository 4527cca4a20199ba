namespace CompanyOs.Events.Subscriptions;

/// <summary>Wakes subscriptions of the same store instance as soon as an append commits (other processes are polled).</summary>
internal sealed class AppendSignal
{
    // Null while no subscription waits: an append then has nothing to complete and allocates nothing.
    private TaskCompletionSource? _next;

    /// <summary>A task that completes at the next <see cref="Notify"/>. Take it before reading, so no append is missed.</summary>
    public Task NextAsync()
    {
        if (Volatile.Read(ref _next) is { } next)
        {
            return next.Task;
        }

        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _next, created, null) ?? created).Task;
    }

    public void Notify() => Interlocked.Exchange(ref _next, null)?.TrySetResult();
}
