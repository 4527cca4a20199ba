using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using CompanyOs.Llm.Providers;

namespace CompanyOs.Llm.Tests.Providers;

/// <summary>
/// A <see cref="ProviderReads.PreferInline"/> scope makes the provider handler's answer complete on the socket's I/O thread
/// (no thread-pool hand-off per chunk), and only for the flow in the scope: the same pooled connection serves an ordinary
/// call through the thread pool again. Upstream: a raw HTTP/1.1 server on 127.0.0.1 that sends each answer's body only when
/// the test says, so the client's read is always waiting for it.
/// </summary>
public sealed class ProviderReadsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Inside_a_scope_the_answer_completes_on_the_socket_thread_and_the_same_connection_uses_the_thread_pool_again_outside()
    {
        await using var upstream = HeldBodyUpstream.Start();
        using var http = new HttpMessageInvoker(ProviderClientFactory.CreateDefaultHandler());

        bool inScope, outside, inScopeAgain;
        using (var scope = ProviderReads.PreferInline(maxFlows: 8))
        {
            Assert.True(scope.IsActive);
            inScope = await ReadCompletesOnThreadPoolAsync(http, upstream);
        }

        outside = await ReadCompletesOnThreadPoolAsync(http, upstream);
        using (ProviderReads.PreferInline(maxFlows: 8))
        {
            inScopeAgain = await ReadCompletesOnThreadPoolAsync(http, upstream);
        }

        Assert.False(inScope, "in the scope, the body's read completed on a thread-pool thread");
        Assert.True(outside, "outside the scope, the body's read did not complete on a thread-pool thread");
        Assert.False(inScopeAgain, "in the second scope, the body's read completed on a thread-pool thread");
        Assert.Equal(1, upstream.Connections);
    }

    [Fact]
    public async Task Scopes_beyond_the_cap_do_nothing_and_a_flow_already_inline_is_counted_once()
    {
        using var entered = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var flows = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            using var scope = ProviderReads.PreferInline(maxFlows: 2);
            using var nested = ProviderReads.PreferInline(maxFlows: 2);
            entered.Release();
            await release.WaitAsync(Ct);
            return (Outer: scope.IsActive, Nested: nested.IsActive);
        }, Ct)).ToList();

        for (var i = 0; i < 3; i++)
        {
            await entered.WaitAsync(Ct);
        }

        var duringAll = ProviderReads.InlineFlows;
        release.Release(3);
        var scopes = await Task.WhenAll(flows);

        Assert.Equal(2, duringAll);
        Assert.Equal(2, scopes.Count(s => s.Outer));
        Assert.All(scopes, s => Assert.False(s.Nested));
        Assert.Equal(0, ProviderReads.InlineFlows);
        Assert.False(ProviderReads.PreferInline(maxFlows: 0).IsActive);
        Assert.Throws<ArgumentOutOfRangeException>(() => ProviderReads.PreferInline(maxFlows: -1));
    }

    [Fact]
    public async Task Once_the_inline_ration_is_used_up_a_scope_s_reads_complete_on_the_thread_pool()
    {
        await using var upstream = HeldBodyUpstream.Start();
        using var http = new HttpMessageInvoker(ProviderClientFactory.CreateDefaultHandler());
        var shipped = ProviderReads.Budget;
        bool rationed, plenty;
        try
        {
            using var scope = ProviderReads.PreferInline(maxFlows: 8);
            Assert.True(scope.IsActive);
            ProviderReads.Budget = new InlineBudget(perWindow: 0, windowMilliseconds: 3_600_000);
            rationed = await ReadCompletesOnThreadPoolAsync(http, upstream);
            ProviderReads.Budget = new InlineBudget(perWindow: 1_000, windowMilliseconds: 3_600_000);
            plenty = await ReadCompletesOnThreadPoolAsync(http, upstream);
        }
        finally
        {
            ProviderReads.Budget = shipped;
        }

        Assert.True(rationed, "with no inline operation left in the window, the body's read did not complete on a thread-pool thread");
        Assert.False(plenty, "with the ration left, the body's read completed on a thread-pool thread");
        Assert.Equal(1, upstream.Connections);
    }

    [Fact]
    public void The_ration_grants_its_operations_per_window_and_renews_them_in_the_next()
    {
        var budget = new InlineBudget(perWindow: 3, windowMilliseconds: 100);

        Assert.Equal([true, true, true, false, false], Enumerable.Range(0, 5).Select(i => budget.TryTake(1_000 + i)).ToArray());
        Assert.False(budget.TryTake(1_099));
        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(_ => budget.TryTake(1_100)).ToArray());
        Assert.True(new InlineBudget(InlineBudget.OperationsPerWindow, InlineBudget.WindowMilliseconds).TryTake(Environment.TickCount64));
        Assert.False(new InlineBudget(perWindow: 0, windowMilliseconds: 100).TryTake(Environment.TickCount64));
    }

    [Fact]
    public void A_disposed_scope_leaves_the_flow_and_the_count_as_they_were()
    {
        using (var scope = ProviderReads.PreferInline(maxFlows: 4))
        {
            Assert.True(scope.IsActive);
            Assert.Equal(1, ProviderReads.InlineFlows);
        }

        Assert.Equal(0, ProviderReads.InlineFlows);
        using var again = ProviderReads.PreferInline(maxFlows: 4);
        Assert.True(again.IsActive);
    }

    /// <summary>
    /// Sends one request, starts reading its body while the upstream holds it, lets the upstream send it, and tells whether
    /// the read completed on a thread-pool thread (false: on the socket's I/O thread).
    /// </summary>
    private static async Task<bool> ReadCompletesOnThreadPoolAsync(HttpMessageInvoker http, HeldBodyUpstream upstream)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, upstream.Uri);
        using var response = await http.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStreamAsync(Ct);
        var buffer = new byte[64];
        var read = body.ReadAsync(buffer, Ct);
        Assert.False(read.IsCompleted, "the body was read before the upstream sent it");

        // Registered before the body is sent, so it runs on whichever thread completes the read.
        var completedOn = read.AsTask().ContinueWith(
            r => (r.Result, OnThreadPool: Thread.CurrentThread.IsThreadPoolThread), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        upstream.SendBody();
        var (count, onThreadPool) = await completedOn;

        Assert.Equal("hello", Encoding.ASCII.GetString(buffer, 0, count));
        Assert.Equal(0, await body.ReadAsync(buffer, Ct));
        return onThreadPool;
    }

    /// <summary>An HTTP/1.1 upstream answering each request with its headers at once and a chunked body when released.</summary>
    private sealed class HeldBodyUpstream : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Channel<bool> _bodies = Channel.CreateUnbounded<bool>();
        private readonly CancellationTokenSource _stop = new();
        private Task _serving = Task.CompletedTask;
        private int _connections;

        public Uri Uri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        public int Connections => Volatile.Read(ref _connections);

        public static HeldBodyUpstream Start()
        {
            var upstream = new HeldBodyUpstream();
            upstream._listener.Start();
            upstream._serving = upstream.ServeAsync();
            return upstream;
        }

        public void SendBody() => Assert.True(_bodies.Writer.TryWrite(true));

        private async Task ServeAsync()
        {
            var connections = new List<Task>();
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _connections);
                    connections.Add(ServeConnectionAsync(client));
                }
            }
            catch (OperationCanceledException)
            {
            }

            await Task.WhenAll(connections);
        }

        private async Task ServeConnectionAsync(TcpClient client)
        {
            using var _ = client;
            var stream = client.GetStream();
            var received = new StringBuilder();
            var buffer = new byte[4096];
            try
            {
                for (var requests = 0; requests < 100; requests++)
                {
                    while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        received.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    var text = received.ToString();
                    received.Clear().Append(text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
                    await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray(), _stop.Token);
                    await _bodies.Reader.ReadAsync(_stop.Token);
                    await stream.WriteAsync("5\r\nhello\r\n0\r\n\r\n"u8.ToArray(), _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _serving;
            _stop.Dispose();
        }
    }
}
