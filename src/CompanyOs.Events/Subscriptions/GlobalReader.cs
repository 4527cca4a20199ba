using System.Runtime.CompilerServices;

namespace CompanyOs.Events.Subscriptions;

/// <summary>Read-all and subscribe, written once over a store's page query.</summary>
internal static class GlobalReader
{
    public delegate Task<EventPage> PageReader(long after, EventFilter? filter, int maxCount, CancellationToken cancellationToken);

    public static async IAsyncEnumerable<RecordedEvent> ReadAllAsync(
        PageReader readPage, int pageSize, long fromPosition, EventFilter? filter, int maxCount,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromPosition);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        var after = fromPosition;
        var remaining = maxCount;
        while (remaining > 0)
        {
            var ask = Math.Min(pageSize, remaining);
            var page = await readPage(after, filter, ask, cancellationToken).ConfigureAwait(false);
            foreach (var e in page.Events)
            {
                yield return e;
            }

            remaining -= page.Events.Count;
            after = page.ScannedTo;
            if (page.Events.Count < ask)
            {
                yield break;
            }
        }
    }

    public static async IAsyncEnumerable<RecordedEvent> SubscribeAsync(
        PageReader readPage, AppendSignal signal, TimeProvider timeProvider, EventStoreOptions options, long fromPosition, EventFilter? filter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromPosition);
        var after = fromPosition;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var appended = signal.NextAsync();
            var page = await readPage(after, filter, options.ReadPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var e in page.Events)
            {
                yield return e;
            }

            after = page.ScannedTo;
            if (page.Events.Count < options.ReadPageSize)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(options.PollInterval, timeProvider, wait.Token);
                await Task.WhenAny(appended, delay).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
            }
        }
    }
}
