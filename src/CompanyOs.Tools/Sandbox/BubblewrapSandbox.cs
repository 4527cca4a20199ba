using System.Buffers;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompanyOs.Tools.Sandbox;

/// <summary>
/// Runs code in a bubblewrap sandbox (see <see cref="BubblewrapCommand"/> for the isolation) with wall-clock and output limits,
/// and — where a memory cgroup can be created (<see cref="SandboxCgroup"/>) — one memory bound for all of a run's processes.
/// </summary>
public sealed partial class BubblewrapSandbox : IDisposable
{
    private readonly SandboxOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly bool _hostIsRoot;
    private readonly Lazy<Task<string?>> _probe;
    private readonly SemaphoreSlim _concurrency = new(2, 2);
    private readonly Func<long, SandboxCgroup>? _createCgroup;
    private string? _seccompPath;
    private bool _disableUserns;

    public BubblewrapSandbox(SandboxOptions options, TimeProvider? timeProvider = null, ILogger<BubblewrapSandbox>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _hostIsRoot = Environment.IsPrivilegedProcess;
        _probe = new Lazy<Task<string?>>(ProbeAsync);
        (_createCgroup, MemoryBoundNote) = SandboxCgroup.Locate();
    }

    public SandboxOptions Options => _options;

    /// <summary>True when <see cref="SandboxOptions.MemoryBytes"/> bounds all of a run's processes together (a memory cgroup per run).</summary>
    public bool MemoryBoundIsTotal => _createCgroup is not null;

    /// <summary>
    /// Most memory a run's processes can hold together: <see cref="SandboxOptions.MemoryBytes"/> with a cgroup; without one only
    /// RLIMIT_AS per process applies, so up to <see cref="SandboxOptions.MaxProcesses"/> times that.
    /// </summary>
    public long MemoryBound => MemoryBoundIsTotal ? _options.MemoryBytes : _options.MemoryBytes * _options.MaxProcesses;

    /// <summary>
    /// Whether bubblewrap's <c>--disable-userns</c> is in effect (known once <see cref="CheckAvailableAsync"/> has completed):
    /// bubblewrap 0.8+ and kernel support. The seccomp filter refuses <c>CLONE_NEWUSER</c> either way.
    /// </summary>
    public bool NestedUserNamespacesDisabled => _disableUserns;

    /// <summary>Why there is no memory cgroup per run (null when there is).</summary>
    public string? MemoryBoundNote { get; }

    /// <summary>Null when the sandbox works here; otherwise why not (bwrap missing, namespaces not permitted, ...).</summary>
    public Task<string?> CheckAvailableAsync() => _probe.Value;

    /// <summary>Runs <paramref name="code"/> with the interpreter for <paramref name="language"/>, fed on stdin.</summary>
    /// <exception cref="SandboxUnavailableException">The sandbox cannot run here; nothing was executed.</exception>
    /// <exception cref="ArgumentException">Unknown language.</exception>
    public async Task<SandboxResult> RunAsync(string language, string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (language is null || !_options.Interpreters.TryGetValue(language, out var interpreter))
        {
            throw new ArgumentException($"unknown language '{language}'; supported: {string.Join(", ", _options.Interpreters.Keys)}", nameof(language));
        }

        if (await CheckAvailableAsync().ConfigureAwait(false) is { } reason)
        {
            throw new SandboxUnavailableException(reason);
        }

        await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ExecuteAsync(interpreter, code, _options.WallTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _concurrency.Release();
        }
    }

    private async Task<SandboxResult> ExecuteAsync(IReadOnlyList<string> interpreter, string code, TimeSpan wallTimeout, CancellationToken cancellationToken)
    {
        using var uid = _hostIsRoot ? SandboxUidLease.Take(_options.RunUidFirst, _options.RunUidCount) : null;
        using var cgroup = CreateCgroup();
        var (fileName, arguments) = BubblewrapCommand.Build(_options, interpreter, uid?.Uid, _seccompPath!, cgroup?.Path, _disableUserns);
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        arguments.ForEach(start.ArgumentList.Add);
        start.Environment.Clear(); // bwrap itself gets nothing of ours either (the sandbox gets --clearenv)
        start.Environment["PATH"] = "/usr/bin:/bin";

        // The wall clock runs from before the start: feeding a large script can itself block for as long as the script wants.
        using var wall = new CancellationTokenSource(wallTimeout, _timeProvider);
        var started = _timeProvider.GetTimestamp();
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new SandboxUnavailableException($"could not start '{fileName}': {ex.Message}", ex);
        }

        using var kill = new CancellationTokenSource();
        var output = new OutputCollector(_options.MaxOutputBytes, () => kill.Cancel());
        var stdout = output.DrainAsync(process.StandardOutput.BaseStream, isStdout: true);
        var stderr = output.DrainAsync(process.StandardError.BaseStream, isStdout: false);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wall.Token, kill.Token);
        var feed = FeedAsync(process, code, linked.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cgroup?.KillAll();
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            LogKilled(_logger, wall.IsCancellationRequested ? "wall-clock limit" : kill.IsCancellationRequested ? "output limit" : "cancellation");
        }

        cgroup?.KillAll(); // nothing of the run outlives it, whatever it detached
        await feed.ConfigureAwait(false);
        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return new SandboxResult(
            process.ExitCode, output.Stdout, output.Stderr, wall.IsCancellationRequested && !kill.IsCancellationRequested, output.Truncated,
            _timeProvider.GetElapsedTime(started));
    }

    private SandboxCgroup? CreateCgroup()
    {
        try
        {
            return _createCgroup?.Invoke(_options.MemoryBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SandboxUnavailableException($"could not create the run's memory cgroup ({ex.Message})", ex);
        }
    }

    private static async Task FeedAsync(Process process, string code, CancellationToken cancellationToken)
    {
        try
        {
            var input = process.StandardInput.BaseStream;
            await input.WriteAsync(Encoding.UTF8.GetBytes(code), cancellationToken).ConfigureAwait(false);
            await input.FlushAsync(cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The sandbox exited or was killed before reading all of its input; its exit code and stderr say why.
        }
    }

    private async Task<string?> ProbeAsync()
    {
        foreach (var tool in new[] { "/bin/sh", _options.BwrapPath, _options.PrlimitPath }.Concat(_hostIsRoot ? [_options.SetprivPath] : []))
        {
            if (!File.Exists(tool))
            {
                return $"execute_code is unavailable: '{tool}' is not installed (install bubblewrap and util-linux); code is never run unsandboxed";
            }
        }

        (_seccompPath, var seccompError) = SeccompFilter.Path;
        if (seccompError is not null)
        {
            return $"execute_code is unavailable: {seccompError}; code is never run unsandboxed";
        }

        if (MemoryBoundNote is { } note)
        {
            LogMemoryPerProcess(_logger, _options.MaxProcesses, note);
        }

        // --disable-userns (bubblewrap 0.8+) needs kernel support too; without it the seccomp filter still refuses CLONE_NEWUSER.
        _disableUserns = true;
        var reason = await ProbeRunAsync().ConfigureAwait(false);
        if (reason is not null)
        {
            _disableUserns = false;
            reason = await ProbeRunAsync().ConfigureAwait(false);
        }

        return reason;
    }

    private async Task<string?> ProbeRunAsync()
    {
        try
        {
            var result = await ExecuteAsync(["/bin/sh", "-s"], "exit 0\n", TimeSpan.FromSeconds(20), CancellationToken.None).ConfigureAwait(false);
            return result.ExitCode == 0
                ? null
                : $"execute_code is unavailable: bubblewrap cannot create its sandbox here (exit {result.ExitCode}: {result.Stderr.Trim()}); code is never run unsandboxed";
        }
        catch (SandboxUnavailableException ex)
        {
            return $"execute_code is unavailable: {ex.Message}; code is never run unsandboxed";
        }
    }

    public void Dispose() => _concurrency.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox memory is bounded per process only (up to {MaxProcesses} times memory_mb in total): {Reason}")]
    private static partial void LogMemoryPerProcess(ILogger logger, int maxProcesses, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox killed: {Reason}")]
    private static partial void LogKilled(ILogger logger, string reason);

    /// <summary>Collects stdout and stderr under one shared byte budget; passing it triggers the kill callback.</summary>
    private sealed class OutputCollector(int maxBytes, Action onOverflow)
    {
        private readonly Lock _gate = new();
        private readonly ArrayBufferWriter<byte> _stdout = new();
        private readonly ArrayBufferWriter<byte> _stderr = new();
        private int _total;

        public bool Truncated { get; private set; }

        public string Stdout => Encoding.UTF8.GetString(_stdout.WrittenSpan);

        public string Stderr => Encoding.UTF8.GetString(_stderr.WrittenSpan);

        public async Task DrainAsync(Stream stream, bool isStdout)
        {
            var buffer = new byte[8192];
            int n;
            while ((n = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (_gate)
                {
                    var keep = Math.Min(n, maxBytes - _total);
                    if (keep > 0)
                    {
                        (isStdout ? _stdout : _stderr).Write(buffer.AsSpan(0, keep));
                        _total += keep;
                    }

                    if (keep < n && !Truncated)
                    {
                        Truncated = true;
                        onOverflow();
                    }
                }
            }
        }
    }
}
