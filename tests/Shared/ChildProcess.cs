using System.Diagnostics;
using System.Text;

namespace CompanyOs.Testing;

/// <summary>
/// A long-running program of ours (a server, the emulator) started as a real process for a test: output captured as it
/// comes, signals sent as an operator or a service manager would (<c>kill -s TERM</c>), every wait bounded, and the process
/// killed when the test ends. It starts through <c>env --default-signal</c> so that SIGINT and SIGTERM have their default
/// disposition even when the test host inherited them ignored (a background job of a non-interactive shell).
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();
    private readonly Lock _gate = new();

    private ChildProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(_out, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_err, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Out
    {
        get
        {
            lock (_gate)
            {
                return _out.ToString();
            }
        }
    }

    public string Err
    {
        get
        {
            lock (_gate)
            {
                return _err.ToString();
            }
        }
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <paramref name="executable"/> in <paramref name="workingDirectory"/> with stdin closed and no provider keys in its environment.</summary>
    public static ChildProcess Start(string executable, string workingDirectory, params string[] args) =>
        Start(executable, workingDirectory, new Dictionary<string, string>(), args);

    /// <summary>Starts <paramref name="executable"/> like <see cref="Start(string, string, string[])"/>, with <paramref name="environment"/> added to its environment.</summary>
    public static ChildProcess Start(string executable, string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/env")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["--default-signal=INT,TERM", executable, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in new[] { "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "COMPANYOS_DB" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        process.StandardInput.Close();
        return new ChildProcess(process);
    }

    /// <summary>Waits until stdout contains <paramref name="text"/>; fails naming what was printed when the process ends or the bound passes first.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan within)
    {
        await Poll.UntilAsync(() => Out.Contains(text, StringComparison.Ordinal) || _process.HasExited, $"'{text}' on stdout", within);
        Assert.True(
            Out.Contains(text, StringComparison.Ordinal),
            $"the process ended (exit {(_process.HasExited ? _process.ExitCode : -1)}) before printing '{text}'.\nstdout:\n{Out}\nstderr:\n{Err}");
    }

    /// <summary>Sends <paramref name="signal"/> (TERM, INT) with <c>kill -s</c>.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("/bin/kill", ["-s", signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for the process to end; fails (and kills it) when it has not within <paramref name="within"/>. Returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(within);
        try
        {
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"the process did not end within {within}.\nstdout:\n{Out}\nstderr:\n{Err}");
        }

        // The exit is seen before the last output lines are read: WaitForExit without a bound drains them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            target.Append(line).Append('\n');
        }
    }
}
