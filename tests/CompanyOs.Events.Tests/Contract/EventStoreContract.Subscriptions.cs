namespace CompanyOs.Events.Tests.Contract;

public abstract partial class EventStoreContract
{
    [Fact]
    public async Task A_subscription_yields_stored_then_new_events_in_order()
    {
        await Store.AppendAsync("s", ExpectedVersion.Any, [Numbered(1), Numbered(2)], Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var subscription = Store.SubscribeAsync(cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);

        Assert.Equal(1, N(await NextAsync(subscription)));
        Assert.Equal(2, N(await NextAsync(subscription)));
        var pending = subscription.MoveNextAsync();
        await Store.AppendAsync("t", ExpectedVersion.Any, [Numbered(3)], Ct);
        Assert.True(await WaitAdvancingTimeAsync(pending));
        Assert.Equal(3, N(subscription.Current));
        Assert.Equal(3, subscription.Current.Position);
    }

    [Fact]
    public async Task A_subscription_starts_after_the_given_position_and_applies_its_filter()
    {
        await Store.AppendAsync("a", ExpectedVersion.Any, [Numbered(1, "x"), Numbered(2, "y"), Numbered(3, "x")], Ct);
        await using var subscription = Store
            .SubscribeAsync(1, new EventFilter { Types = ["x"] }, Ct)
            .GetAsyncEnumerator(Ct);

        Assert.Equal(3, N(await NextAsync(subscription)));
        var pending = subscription.MoveNextAsync();
        await Store.AppendAsync("a", ExpectedVersion.Any, [Numbered(4, "y"), Numbered(5, "x")], Ct);
        Assert.True(await WaitAdvancingTimeAsync(pending));
        Assert.Equal(5, N(subscription.Current));
    }

    [Fact]
    public async Task A_waiting_subscription_is_woken_by_an_append_of_the_same_instance_without_polling()
    {
        await using var subscription = Store.SubscribeAsync(cancellationToken: Ct).GetAsyncEnumerator(Ct);
        for (var n = 1; n <= 3; n++)
        {
            // Fake time stands still: the poll interval never passes, so only the append's signal can wake the subscription.
            var pending = subscription.MoveNextAsync().AsTask();
            await Task.Delay(20, Ct);
            Assert.False(pending.IsCompleted);

            await Store.AppendAsync("woken", ExpectedVersion.Any, [Numbered(n)], Ct);

            Assert.True(await pending.WaitAsync(TimeSpan.FromSeconds(30), Ct));
            Assert.Equal(n, N(subscription.Current));
        }
    }

    [Fact]
    public async Task A_subscription_sees_events_appended_by_another_instance_by_polling()
    {
        var other = InstancesShareStorage ? await OpenAnotherAsync() : Store;
        await using var subscription = Store.SubscribeAsync(cancellationToken: Ct).GetAsyncEnumerator(Ct);
        var pending = subscription.MoveNextAsync();

        await other.AppendAsync("elsewhere", ExpectedVersion.Any, [Numbered(7)], Ct);

        Assert.True(await WaitAdvancingTimeAsync(pending));
        Assert.Equal(7, N(subscription.Current));
    }

    [Fact]
    public async Task Cancelling_a_waiting_subscription_ends_it_with_operation_cancelled()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var subscription = Store.SubscribeAsync(cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        var pending = subscription.MoveNextAsync().AsTask();
        await Task.Delay(20, Ct);
        Assert.False(pending.IsCompleted);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    private async Task<RecordedEvent> NextAsync(IAsyncEnumerator<RecordedEvent> subscription)
    {
        Assert.True(await WaitAdvancingTimeAsync(subscription.MoveNextAsync()));
        return subscription.Current;
    }

    /// <summary>Moves fake time by poll intervals until the subscription answers; bounded so a broken store fails, not hangs.</summary>
    private async Task<bool> WaitAdvancingTimeAsync(ValueTask<bool> pending)
    {
        var task = pending.AsTask();
        for (var i = 0; i < 3000 && !task.IsCompleted; i++)
        {
            Time.Advance(new EventStoreOptions().PollInterval);
            await Task.WhenAny(task, Task.Delay(10, Ct));
        }

        Assert.True(task.IsCompleted, "the subscription did not yield within 3000 poll intervals");
        return await task;
    }
}
