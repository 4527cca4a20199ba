using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CompanyOs.Tools.Tests.WebSearch;

/// <summary>A minimal HTTP/1.1 server on 127.0.0.1 with an ephemeral port. The handler returns a canned response, or null to never answer.</summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<LoopbackRequest, LoopbackResponse?> _handler;

    public LoopbackHttpServer(Func<LoopbackRequest, LoopbackResponse?> handler)
    {
        _handler = handler;
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = AcceptLoop();
    }

    public Uri BaseUrl { get; }

    public ConcurrentQueue<LoopbackRequest> Requests { get; } = new();

    /// <summary>Completes when a request has been received (useful before advancing fake time).</summary>
    public TaskCompletionSource RequestReceived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException && _stop.IsCancellationRequested)
            {
                // Disposing cancels the token and stops the listener: when the stop wins the race, the pending accept
                // fails with "operation aborted" rather than a cancellation (seen once on CI, where it replaced the
                // test's own exception). Either way the server is shutting down.
                return;
            }

            _ = Serve(client);
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[4096];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer, _stop.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : 0, TaskScheduler.Default);
                if (n == 0)
                {
                    return;
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            var lines = head.ToString().Split("\r\n");
            var target = lines[0].Split(' ')[1];
            var headers = lines.Skip(1).TakeWhile(l => l.Length > 0).Select(l => l.Split(':', 2))
                .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
            var request = new LoopbackRequest(target, headers);
            Requests.Enqueue(request);
            RequestReceived.TrySetResult();

            var response = _handler(request);
            if (response is null)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            var body = Encoding.UTF8.GetBytes(response.Body);
            var extra = string.Concat(response.Headers.Select(h => $"{h.Key}: {h.Value}\r\n"));
            var text = $"HTTP/1.1 {response.Status} X\r\nContent-Type: {response.ContentType}\r\nContent-Length: {body.Length}\r\n{extra}Connection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
            await stream.WriteAsync(body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}

public sealed record LoopbackRequest(string Target, IReadOnlyDictionary<string, string> Headers);

public sealed record LoopbackResponse(int Status, string Body, string ContentType = "application/json")
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}
