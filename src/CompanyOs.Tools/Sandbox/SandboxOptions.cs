namespace CompanyOs.Tools.Sandbox;

/// <summary>Limits and locations for <c>execute_code</c>'s bubblewrap sandbox.</summary>
public sealed record SandboxOptions
{
    /// <summary>Whether <c>execute_code</c> is offered at all.</summary>
    public bool Enabled { get; init; }

    /// <summary>The bubblewrap executable.</summary>
    public string BwrapPath { get; init; } = "/usr/bin/bwrap";

    /// <summary>util-linux <c>prlimit</c>, run before bubblewrap so the limits cover everything in the sandbox, its PID 1 included.</summary>
    public string PrlimitPath { get; init; } = "/usr/bin/prlimit";

    /// <summary>util-linux <c>setpriv</c>, used to drop to a run's own uid (<see cref="RunUidFirst"/>) when the host process runs as root.</summary>
    public string SetprivPath { get; init; } = "/usr/bin/setpriv";

    /// <summary>Uid/gid inside the sandbox when the host process is not root (it runs as the host's own uid then).</summary>
    public int UnprivilegedUid { get; init; } = 65534;

    /// <summary>
    /// When the host process is root, each run executes as a host uid of its own from <c>[RunUidFirst, RunUidFirst + RunUidCount)</c>
    /// (the kernel ignores the process limit for real root, and counts it per uid across all runs sharing one).
    /// </summary>
    public int RunUidFirst { get; init; } = 2_000_000_000;

    /// <summary>Number of host uids runs are spread over; see <see cref="RunUidFirst"/>.</summary>
    public int RunUidCount { get; init; } = 65536;

    /// <summary>CPU seconds per process (RLIMIT_CPU).</summary>
    public int CpuSeconds { get; init; } = 10;

    /// <summary>
    /// Memory in bytes: the bound on all of a run's processes together (a memory cgroup per run) where one can be created, and
    /// address space per process (RLIMIT_AS) always. See <see cref="BubblewrapSandbox.MemoryBound"/>.
    /// </summary>
    public long MemoryBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>Processes/threads one run may have (RLIMIT_NPROC; per run because each run has its own uid when the host is root).</summary>
    public int MaxProcesses { get; init; } = 64;

    /// <summary>Largest file the code may write, in bytes (RLIMIT_FSIZE).</summary>
    public long MaxFileBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Size of the writable work directory and <c>/tmp</c> (each a fresh tmpfs).</summary>
    public long WorkDirBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Wall-clock limit; the whole sandbox is killed when it passes.</summary>
    public TimeSpan WallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most bytes of stdout plus stderr kept; the sandbox is killed when it writes more.</summary>
    public int MaxOutputBytes { get; init; } = 64 * 1024;

    /// <summary>Interpreters by language name; each runs the code read from stdin.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Interpreters { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["python"] = ["/usr/bin/python3", "-I", "-"],
        ["bash"] = ["/bin/bash", "--noprofile", "--norc", "-s"],
        ["node"] = ["/usr/bin/node", "--max-old-space-size=256", "-"],
    };
}
