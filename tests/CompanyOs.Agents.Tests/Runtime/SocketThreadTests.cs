using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Tests.TestDoubles;
using CompanyOs.Events;
using CompanyOs.Events.InMemory;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.Tests.Runtime;

/// <summary>
/// A model answer or a tool result can complete on a socket thread: the server reads streamed provider answers inline on
/// the socket thread (<c>ProviderReads.PreferInline</c>, docs/server.md "Streams"), and an operator may run every socket
/// completion inline (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>). The rest of the step — journal appends
/// (synchronous SQLite in the run store), tools — must not run on that thread, or it blocks every other connection the
/// thread serves.
/// </summary>
public sealed class SocketThreadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_step_after_a_model_answer_completed_on_another_thread_does_not_run_on_that_thread()
    {
        var store = new ThreadRecordingStore();
        var harness = new RuntimeHarness(store);
        harness.Script.CostPerCall = null;
        harness.Script.ThenCalls(("c1", "search", new { query = "q" })).ThenText("done");
        var socketThread = new SocketThreadChatClient(harness.Script);
        harness.Chat = socketThread;
        harness.AddTool("search");
        harness.Define();

        await using var runtime = harness.CreateRuntime();

        // No synchronization context (as in the server): continuations run where the awaited task completed unless forced off.
        var result = await Task.Run(() => runtime.RunAsync(RuntimeHarness.Request(), cancellationToken: Ct), Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal("done", result.Result);
        Assert.Equal(2, socketThread.Completed);
        Assert.NotEmpty(store.AppendThreads);
        Assert.DoesNotContain(store.AppendThreads, id => socketThread.ThreadIds.Contains(id));
    }

    /// <summary>Answers each call from a dedicated thread that completes the task (continuations not forced off it).</summary>
    private sealed class SocketThreadChatClient(IChatClient inner) : IChatClient
    {
        public HashSet<int> ThreadIds { get; } = [];

        public int Completed { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var answer = inner.GetResponseAsync(messages, options, cancellationToken).GetAwaiter().GetResult();
            var completion = new TaskCompletionSource<ChatResponse>();
            var thread = new Thread(() =>
            {
                // Complete after the runtime awaits the task (else it continues synchronously on its own thread, and the
                // test would prove nothing); a late await makes the test pass vacuously, never fail wrongly.
                Thread.Sleep(150);
                lock (ThreadIds)
                {
                    ThreadIds.Add(Environment.CurrentManagedThreadId);
                    Completed++;
                }

                completion.SetResult(answer); // runs the awaiting continuation right here unless the awaiter yields
            }) { IsBackground = true, Name = "fake socket thread" };
            thread.Start();
            return completion.Task;
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            inner.GetStreamingResponseAsync(messages, options, cancellationToken);

        public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

        public void Dispose() => inner.Dispose();
    }

    private sealed class ThreadRecordingStore : IEventStore
    {
        private readonly InMemoryEventStore _inner = new();

        public List<int> AppendThreads { get; } = [];

        public Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
        {
            lock (AppendThreads)
            {
                AppendThreads.Add(Environment.CurrentManagedThreadId);
            }

            return _inner.AppendAsync(streamId, expectedVersion, events, cancellationToken);
        }

        public IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string streamId, long fromVersion = 0, CancellationToken cancellationToken = default) =>
            _inner.ReadStreamAsync(streamId, fromVersion, cancellationToken);

        public IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition = 0, EventFilter? filter = null, int maxCount = int.MaxValue, CancellationToken cancellationToken = default) =>
            _inner.ReadAllAsync(fromPosition, filter, maxCount, cancellationToken);

        public IAsyncEnumerable<RecordedEvent> SubscribeAsync(long fromPosition = 0, EventFilter? filter = null, CancellationToken cancellationToken = default) =>
            _inner.SubscribeAsync(fromPosition, filter, cancellationToken);

        public Task<long?> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default) =>
            _inner.GetStreamVersionAsync(streamId, cancellationToken);

        public IAsyncEnumerable<StreamInfo> ListStreamsAsync(string prefix, string? orgId = null, CancellationToken cancellationToken = default) =>
            _inner.ListStreamsAsync(prefix, orgId, cancellationToken);
    }
}
