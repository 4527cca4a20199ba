using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CompanyOs.ScaleOut.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of one test — in a temp directory, on a free loopback port, like scripts/postgres.sh — so that the
/// test can stop it (<c>pg_ctl stop -m immediate</c>: a crash, no clean shutdown) and start it again without touching
/// the cluster other tests share. Needs the Debian <c>postgresql</c> package (scripts/test.sh installs it).
/// </summary>
internal sealed class DedicatedPostgres : IAsyncDisposable
{
    private static readonly TimeSpan CommandBound = TimeSpan.FromSeconds(90);

    private readonly string _bin;
    private readonly string _directory;
    private int _port;
    private readonly bool _asPostgres;

    private DedicatedPostgres(string bin, string directory, int port, bool asPostgres)
    {
        _bin = bin;
        _directory = directory;
        _port = port;
        _asPostgres = asPostgres;
    }

    /// <summary>The Npgsql connection string of the cluster's <c>postgres</c> database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={_port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres;Pooling=true;Timeout=5;Command Timeout=10";

    public static async Task<DedicatedPostgres> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderBy(b => b, StringComparer.Ordinal).LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL's initdb was not found under /usr/lib/postgresql/*/bin: install the postgresql package (scripts/test.sh does).");
        }

        var directory = Path.Combine(Path.GetTempPath(), "companyos-scaleout-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        // initdb refuses to run as root: as root, run it (and the server) as the postgres user, like scripts/postgres.sh.
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
        {
            await RunAsync("chown", ["postgres:postgres", directory]);
        }

        var cluster = new DedicatedPostgres(bin, directory, FreePort(), asPostgres);
        await cluster.PgAsync("initdb", ["-D", Path.Combine(directory, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"]);
        // A port probed free can be taken by another test's process before the postmaster binds it: pg_ctl then fails,
        // and the first start is tried again on another port (at most five times). Restarts keep the port they got.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await cluster.StartAgainAsync();
                return cluster;
            }
            catch (InvalidOperationException) when (attempt < 5 && cluster.PortWasTaken())
            {
                cluster._port = FreePort();
            }
        }
    }

    private bool PortWasTaken()
    {
        var log = Path.Combine(_directory, "log");
        return File.Exists(log) && File.ReadAllText(log).Contains("could not bind", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Starts the (stopped) cluster on its port again, waiting until it accepts connections.</summary>
    public Task StartAgainAsync() =>
        PgAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-l", Path.Combine(_directory, "log"), "-w", "-t", "60", "-o",
            $"-c listen_addresses=127.0.0.1 -p {_port.ToString(CultureInfo.InvariantCulture)} -k {_directory} -c fsync=off -c max_connections=100", "start"]);

    /// <summary>Stops the cluster at once (<c>-m immediate</c>: connections cut, no checkpoint — what a crash does).</summary>
    public Task StopImmediatelyAsync() => PgAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopImmediatelyAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_directory, recursive: true);
    }

    private Task PgAsync(string program, string[] args) =>
        _asPostgres ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. args]) : RunAsync(Path.Combine(_bin, program), args);

    private static async Task RunAsync(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + program);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(CommandBound);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} did not end within {CommandBound.TotalSeconds:0} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
