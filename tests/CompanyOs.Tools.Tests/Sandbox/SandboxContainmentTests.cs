using System.Diagnostics;
using System.Text;
using CompanyOs.Tools.Sandbox;

namespace CompanyOs.Tools.Tests.Sandbox;

/// <summary>Real bubblewrap runs that try to get out from under the limits: through PID 1, ptrace, nested user namespaces, many processes, a blocked feed.</summary>
public sealed class SandboxContainmentTests
{
    private static readonly SandboxOptions Small = new()
    {
        Enabled = true,
        CpuSeconds = 5,
        MemoryBytes = 256L * 1024 * 1024,
        MaxProcesses = 32,
        MaxFileBytes = 1024 * 1024,
        WallTimeout = TimeSpan.FromSeconds(20),
        MaxOutputBytes = 16 * 1024,
    };

    private static async Task<SandboxResult> Run(string language, string code, SandboxOptions? options = null)
    {
        using var sandbox = new BubblewrapSandbox(options ?? Small);
        Assert.Null(await sandbox.CheckAvailableAsync());
        return await sandbox.RunAsync(language, code, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task The_limits_apply_to_the_sandbox_pid_1_too()
    {
        var result = await Run("bash", "cat /proc/1/limits");

        var lines = result.Stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("Max address space", StringComparison.Ordinal) && l.Contains($" {Small.MemoryBytes} ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Max processes", StringComparison.Ordinal) && l.Contains($" {Small.MaxProcesses} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ptrace_of_pid_1_fails()
    {
        var result = await Run("python", """
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            rc = libc.ptrace(16, 1, None, None)  # PTRACE_ATTACH
            print("attach", rc, os.strerror(ctypes.get_errno()))
            """);

        Assert.StartsWith("attach -1 Operation not permitted", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_user_namespaces_and_mounts_are_refused()
    {
        using var sandbox = new BubblewrapSandbox(Small);
        Assert.Null(await sandbox.CheckAvailableAsync());
        var result = await sandbox.RunAsync("python", """
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            print("unshare", libc.unshare(0x10000000))  # CLONE_NEWUSER
            print("mount", libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
            print("keyctl", libc.syscall({"x86_64": 250, "aarch64": 219}[os.uname().machine], 0, -3, 0))  # KEYCTL_GET_KEYRING_ID, session keyring
            """, TestContext.Current.CancellationToken);

        Assert.Equal("unshare -1\nmount -1\nkeyctl -1", result.Stdout.Trim());
        Assert.Equal(BubblewrapHas("--disable-userns"), sandbox.NestedUserNamespacesDisabled);
    }

    [Fact]
    public async Task Many_processes_together_cannot_exceed_the_memory_bound()
    {
        // Six processes of 150 MiB each: with a per-process limit of 256 MiB they all fit (900 MiB held at once).
        const int each = 150;
        using var sandbox = new BubblewrapSandbox(Small with { WallTimeout = TimeSpan.FromSeconds(40) });
        Assert.Null(await sandbox.CheckAvailableAsync());

        var result = await sandbox.RunAsync("python", $$"""
            import subprocess, sys
            child = "import time, sys\nb = b'x' * ({{each}} << 20)\nprint('held', flush=True)\ntime.sleep(4)\nprint('alive', flush=True)"
            procs = [subprocess.Popen([sys.executable, "-c", child]) for _ in range(6)]
            print("exits", [p.wait() for p in procs], flush=True)
            """, TestContext.Current.CancellationToken);

        var alive = result.Stdout.Split('\n').Count(l => l == "alive");
        Assert.Contains("exits", result.Stdout, StringComparison.Ordinal);
        Assert.True(alive * each * 1024L * 1024 <= sandbox.MemoryBound, $"{alive} processes held {each} MiB each at once; bound {sandbox.MemoryBound} bytes\n{result.Stdout}");
    }

    [Fact]
    public async Task A_large_script_whose_first_line_blocks_is_killed_at_the_wall_clock_limit()
    {
        // The script is far larger than a pipe buffer and bash never reads past "sleep 60", so feeding it never finishes.
        var script = new StringBuilder("sleep 60\n");
        while (script.Length < 1024 * 1024)
        {
            script.Append("# padding so the script does not fit into the pipe buffer\n");
        }

        var options = Small with { WallTimeout = TimeSpan.FromSeconds(3), RunUidFirst = 61003, RunUidCount = 1 };
        var clock = Stopwatch.StartNew();

        var result = await Run("bash", script.ToString(), options);

        Assert.True(result.TimedOut, $"not timed out after {clock.Elapsed}");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(10));
        await SandboxTests.AssertNoProcessesLeft(61003);
    }

    [Fact]
    public async Task A_fork_bomb_in_one_run_does_not_keep_a_concurrent_run_from_starting()
    {
        // RLIMIT_NPROC is counted per uid: runs sharing one uid shared one process budget, and the victim failed with
        // "bwrap: Creating new namespace failed: Resource temporarily unavailable". Each run has its own uid now.
        var options = Small with { WallTimeout = TimeSpan.FromSeconds(12) };
        using var sandbox = new BubblewrapSandbox(options);
        Assert.Null(await sandbox.CheckAvailableAsync());
        var bomb = sandbox.RunAsync("bash", ":(){ :|:& };:\nsleep 30", TestContext.Current.CancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken); // the bomb fills its budget in well under a second

        var victim = await sandbox.RunAsync("bash", "for i in 1 2 3 4; do /bin/true & done; wait; echo started", TestContext.Current.CancellationToken);

        Assert.False(bomb.IsCompleted, "the bomb ended before the victim ran; the test proves nothing");
        Assert.True(victim.ExitCode == 0, $"exit {victim.ExitCode}: {victim.Stderr}");
        Assert.Equal("started", victim.Stdout.Trim());
        Assert.True((await bomb).TimedOut);
    }

    private static bool BubblewrapHas(string option)
    {
        using var help = Process.Start(new ProcessStartInfo(Small.BwrapPath, "--help") { RedirectStandardOutput = true, UseShellExecute = false })!;
        var text = help.StandardOutput.ReadToEnd();
        Assert.True(help.WaitForExit(5000));
        return text.Contains(option, StringComparison.Ordinal);
    }
}
