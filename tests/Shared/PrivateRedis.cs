using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CompanyOs.Testing;

/// <summary>A Redis server of one test (redis-server on a free loopback port, no persistence), to stop and start again.</summary>
internal sealed class PrivateRedis : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("companyos-redis-test").FullName;
    private Process? _process;

    private PrivateRedis(int port) => Port = port;

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>
    /// Starts a server on a free port. A port probed free can be taken by another test's process before redis-server binds
    /// it; redis-server then exits, and the start is tried again on another port (at most five times).
    /// </summary>
    public static async Task<PrivateRedis> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var redis = new PrivateRedis(FreePort());
            try
            {
                await redis.RestartAsync();
                return redis;
            }
            catch (RedisExitedException) when (attempt < 5)
            {
                redis.Dispose();
            }
        }
    }

    /// <summary>Starts the server (again, empty) on the same port; returns once it accepts connections.</summary>
    public async Task RestartAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--dir", _directory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start (is it installed? scripts/test.sh installs it)");
        // Ready means this redis-server said so: a connection alone could reach another process that took the port.
        var ready = 0;
        _process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                Volatile.Write(ref ready, 1);
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var process = _process;
        await Poll.UntilAsync(() =>
        {
            if (Volatile.Read(ref ready) == 1)
            {
                return true;
            }

            return process.HasExited
                ? throw new RedisExitedException($"redis-server exited ({process.ExitCode}) before accepting connections on port {Port}")
                : false;
        }, $"redis-server accepting connections on port {Port}");
    }

    /// <summary>A free loopback port (free when probed).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the server (SIGSTOP): its connections stay up, and every command waits for <see cref="ThawAsync"/>.</summary>
    public Task FreezeAsync() => SignalAsync("-STOP");

    /// <summary>Lets a frozen server go on (SIGCONT).</summary>
    public Task ThawAsync() => SignalAsync("-CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill {signal} exited with {kill.ExitCode}");
    }

    /// <summary>Kills the server (SIGKILL): connections drop at once.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }
}

/// <summary>redis-server ended before it accepted connections (its port was taken, typically).</summary>
internal sealed class RedisExitedException(string message) : Exception(message);
