using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CompanyOs.Tools.Sandbox;

namespace CompanyOs.Tools.Tests.Sandbox;

/// <summary>Real bubblewrap runs (scripts/test.sh installs bubblewrap). Limits are small so the hostile cases end quickly.</summary>
public sealed class SandboxTests
{
    private static readonly SandboxOptions Small = new()
    {
        Enabled = true,
        CpuSeconds = 2,
        MemoryBytes = 1024L * 1024 * 1024, // node needs ~1 GiB of address space just to start
        MaxProcesses = 32,
        MaxFileBytes = 1024 * 1024,
        WallTimeout = TimeSpan.FromSeconds(4),
        MaxOutputBytes = 4096,
    };

    private static async Task<SandboxResult> Run(string language, string code, SandboxOptions? options = null)
    {
        using var sandbox = new BubblewrapSandbox(options ?? Small);
        Assert.Null(await sandbox.CheckAvailableAsync());
        return await sandbox.RunAsync(language, code, TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("python", "print('hi from', 'python')", "hi from python")]
    [InlineData("bash", "echo \"hi from ${BASH##*/}\" | sed 's/bash/bash!/'", "hi from bash!")]
    [InlineData("node", "console.log('hi from ' + 'node')", "hi from node")]
    public async Task Runs_each_language(string language, string code, string expected)
    {
        var result = await Run(language, code);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expected, result.Stdout.Trim());
        Assert.False(result.TimedOut);
    }

    [Fact]
    public async Task Network_access_fails_even_to_host_loopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var result = await Run("python", $$"""
            import socket
            for host in ("127.0.0.1", "1.1.1.1"):
                try:
                    socket.create_connection((host, {{port}}), timeout=1)
                    print("CONNECTED", host)
                except OSError as e:
                    print("blocked", host, type(e).__name__)
            """);

        Assert.DoesNotContain("CONNECTED", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("blocked 127.0.0.1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("blocked 1.1.1.1", result.Stdout, StringComparison.Ordinal);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task Writing_outside_the_work_dir_fails_and_the_host_is_untouched()
    {
        var hostDir = Directory.CreateTempSubdirectory("companyos-sbx-").FullName;
        try
        {
            var result = await Run("bash", $"""
                for f in /usr/evil /evil /etc/evil {hostDir}/evil /proc/evil; do
                  if echo x > "$f" 2>/dev/null; then echo "WROTE $f"; else echo "denied $f"; fi
                done
                echo ok > /work/ok && cat /work/ok
                echo tmp > /tmp/t && cat /tmp/t
                """);

            Assert.DoesNotContain("WROTE", result.Stdout, StringComparison.Ordinal);
            Assert.Equal(5, result.Stdout.Split('\n').Count(l => l.StartsWith("denied ", StringComparison.Ordinal)));
            Assert.Contains("ok\ntmp", result.Stdout, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFileSystemEntries(hostDir));
            Assert.False(File.Exists("/evil"));
        }
        finally
        {
            Directory.Delete(hostDir, recursive: true);
        }
    }

    [Fact]
    public async Task Host_home_project_and_secrets_are_invisible()
    {
        var secretDir = Directory.CreateTempSubdirectory("companyos-secret-").FullName;
        var secret = Path.Combine(secretDir, "api.key");
        await File.WriteAllTextAsync(secret, "sk-SANDBOX-LEAK-CHECK", TestContext.Current.CancellationToken);
        var repo = FindRepositoryRoot();
        try
        {
            var result = await Run("bash", $"""
                for p in /root /root/.nuget {repo} {repo}/config {repo}/Directory.Build.props {secret} /etc/shadow /etc/passwd /home; do
                  if cat "$p" >/dev/null 2>&1 || ls "$p" >/dev/null 2>&1; then echo "VISIBLE $p"; else echo "hidden $p"; fi
                done
                cat {secret} 2>&1
                env
                """);

            Assert.DoesNotContain("VISIBLE", result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-SANDBOX-LEAK-CHECK", result.Stdout + result.Stderr, StringComparison.Ordinal);
            Assert.Contains("HOME=/work", result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("DOTNET", result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("COMPANYOS", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(secretDir, recursive: true);
        }
    }

    [Fact]
    public async Task Host_processes_are_invisible()
    {
        var result = await Run("bash", "ls /proc | grep -c '^[0-9]'");

        Assert.True(int.Parse(result.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture) < 10, result.Stdout);
    }

    [Fact]
    public async Task Fork_bomb_is_contained_and_the_host_is_unaffected()
    {
        var clock = Stopwatch.StartNew();

        var result = await Run("bash", ":(){ :|:& };:\nsleep 30", Small with { RunUidFirst = 61001, RunUidCount = 1 });

        Assert.True(clock.Elapsed < Small.WallTimeout + TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.True(result.TimedOut || result.ExitCode != 0);
        await AssertNoProcessesLeft(61001);
        using var probe = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        await probe.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, probe.ExitCode);
    }

    [Theory]
    [InlineData("x = bytearray(2 * 1024 * 1024 * 1024)")]
    [InlineData("chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))")]
    public async Task Memory_hog_is_stopped_by_the_memory_limit(string code)
    {
        // A smaller address space keeps the hog's page-zeroing short on a loaded machine; the wall limit is only a backstop.
        var result = await Run("python", code, Small with { MemoryBytes = 256L * 1024 * 1024, WallTimeout = TimeSpan.FromSeconds(30) });

        Assert.NotEqual(0, result.ExitCode);
        Assert.False(result.TimedOut);
        Assert.Contains("MemoryError", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Busy_loop_is_killed_by_the_cpu_limit()
    {
        // Generous wall time: on a loaded 2-core machine two CPU seconds can take longer than two seconds.
        var result = await Run("python", "while True:\n    pass", Small with { WallTimeout = TimeSpan.FromSeconds(20) });

        Assert.False(result.TimedOut);
        Assert.Equal(128 + 24, result.ExitCode); // SIGXCPU
    }

    [Fact]
    public async Task Sleeping_loop_is_killed_at_the_wall_clock_limit()
    {
        var options = Small with { WallTimeout = TimeSpan.FromSeconds(1.5), RunUidFirst = 61002, RunUidCount = 1 };

        var result = await Run("python", "import time\nprint('started', flush=True)\nwhile True:\n    time.sleep(0.2)", options);

        Assert.True(result.TimedOut);
        Assert.Equal("started", result.Stdout.Trim());
        Assert.InRange(result.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(8));
        await AssertNoProcessesLeft(61002);
    }

    [Fact]
    public async Task Output_is_capped_and_the_program_stopped()
    {
        var result = await Run("python", "import sys\nwhile True:\n    sys.stdout.write('x' * 1000)");

        Assert.True(result.OutputTruncated);
        Assert.Equal(Small.MaxOutputBytes, result.Stdout.Length + result.Stderr.Length);
        Assert.False(result.TimedOut);
    }

    [Fact]
    public async Task File_size_limit_applies()
    {
        var result = await Run("bash", "head -c 5000000 /dev/zero > /work/big; echo \"rc=$?\"; stat -c %s /work/big");

        Assert.Contains("rc=153", result.Stdout, StringComparison.Ordinal); // 128 + SIGXFSZ
        Assert.Contains("1048576", result.Stdout, StringComparison.Ordinal);
    }

    // Killed processes are reaped asynchronously; give the kernel a bounded moment (each uid is used by one test only).
    internal static async Task AssertNoProcessesLeft(int uid)
    {
        for (var i = 0; i < 30 && ProcessesOfUid(uid).Count > 0; i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Empty(ProcessesOfUid(uid));
    }

    private static List<int> ProcessesOfUid(int uid)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var uidLine = File.ReadLines(Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                if (uidLine is not null && uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == uid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // the process exited while we looked
            }
        }

        return pids;
    }

    internal static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CompanyOs.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
