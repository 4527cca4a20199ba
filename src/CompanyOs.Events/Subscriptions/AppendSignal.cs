namespace CompanyOs.Events.Subscriptions;

/// <summary>Wakes subscriptions of the same store instance as soon as an append commits (other processes are polled).</summary>
internal sealed class AppendSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A task that completes at the next <see cref="Notify"/>. Take it before reading, so no append is missed.</summary>
    public Task NextAsync() => Volatile.Read(ref _next).Task;

    public void Notify()
    {
        var previous = Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}
