using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace CompanyOs.Llm.Providers;

/// <summary>
/// The provider handler's connections (<see cref="SocketsHttpHandler.ConnectCallback"/>): a TCP socket connected as the
/// handler's own would be (no Nagle delay, every address of the host tried in turn), in a <see cref="NetworkStream"/> that
/// before each read and write sets the socket to complete on its I/O thread when the calling flow is in a
/// <see cref="ProviderReads.PreferInline"/> scope, and back to the thread pool when it is not (a pooled connection serves
/// streams and ordinary calls in turn; the request's write comes before its answer is awaited, so the answer completes
/// where its own flow wants it).
/// </summary>
/// <remarks>
/// The per-socket switch is <c>Socket.PreferInlineCompletions</c>, internal to System.Net.Sockets (the runtime keeps it
/// for this use: it is read on each event, and preserved for reflection); it is reached through
/// <see cref="UnsafeAccessorAttribute"/>, which Native AOT compiles too. Should a runtime lack it, connections are plain
/// <see cref="NetworkStream"/>s and scopes do nothing. HTTP/2 and later are left plain as well: their connections are read
/// and written by the handler's own loops, not by the calling flow.
/// </remarks>
internal static class ProviderSockets
{
    // Set once the runtime turns out to lack the switch, or from the start when every socket completes inline already.
    private static volatile bool _unavailable = EveryCompletionInline();

    /// <summary>Whether connections can switch per flow (false once the first connection found the runtime without the switch).</summary>
    public static bool IsAvailable => !_unavailable;

    /// <summary>Connects to <paramref name="context"/>'s endpoint.</summary>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
            return context.InitialRequestMessage.Version.Major < 2 && context.InitialRequestMessage.VersionPolicy != HttpVersionPolicy.RequestVersionOrHigher
                && Switchable(socket)
                ? new FlowStream(socket)
                : new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether <paramref name="socket"/> can be switched per flow: the runtime has the switch and does not already complete
    /// every socket inline (the process-wide setting, the runtime's own reading of it; left as the operator set it).
    /// </summary>
    private static bool Switchable(Socket socket)
    {
        if (_unavailable)
        {
            return false;
        }

        try
        {
            SetPreferInlineCompletions(socket, false);
            return true;
        }
        catch (MissingMemberException)
        {
            _unavailable = true;
            return false;
        }
    }

    private static bool EveryCompletionInline() =>
        Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1";

    // Socket has the setter only; SafeSocketHandle, which the setter writes, is not touched here (Socket.SafeHandle marks the
    // handle as exposed, which changes how the socket tracks its own state).
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_PreferInlineCompletions")]
    private static extern void SetPreferInlineCompletions(Socket socket, bool value);

    /// <summary>A connection whose completions follow the flow that reads or writes it.</summary>
    private sealed class FlowStream(Socket socket) : NetworkStream(socket, ownsSocket: true)
    {
        // What the socket is set to: only this connection's user (one request at a time over HTTP/1.x) changes it.
        private bool _inline;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Follow();
            return base.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Follow();
            return base.ReadAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Follow();
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Follow();
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        private void Follow()
        {
            var inline = ProviderReads.InlinePreferred;
            if (inline != _inline)
            {
                _inline = inline;
                SetPreferInlineCompletions(Socket, inline);
            }
        }
    }
}
