using System.Globalization;

namespace CompanyOs.Tools.Sandbox;

/// <summary>
/// Builds the command line that runs an interpreter inside bubblewrap. Outside the sandbox, in this order: a <c>/bin/sh</c>
/// stub opens the seccomp program as fd 3 and moves itself into the run's memory cgroup (when there is one), then
/// <c>prlimit</c> sets the rlimits, then (when the host process is root) <c>setpriv</c> drops to the run's own unprivileged uid
/// (<see cref="SandboxUidLease"/>) — the kernel never applies RLIMIT_NPROC to real root — and only then bubblewrap starts. Everything bubblewrap creates, its PID 1
/// included, therefore inherits the cgroup, the limits and the uid. Inside: every namespace unshared (no network) with a user
/// namespace that cannot create further ones (<c>--disable-userns</c> when this bubblewrap has it), the seccomp filter
/// (<see cref="SeccompFilter"/>), read-only system directories, no host home, project or secrets, fresh size-limited tmpfs for
/// <c>/work</c> and <c>/tmp</c>, a read-only root, cleared environment, a new session, all capabilities dropped.
/// </summary>
internal static class BubblewrapCommand
{
    /// <summary>The stub: <c>$1</c> seccomp program, <c>$2</c> cgroup directory or empty, then the command to exec.</summary>
    private const string Stub = """exec 3<"$1" || exit 125; if [ -n "$2" ]; then echo $$ > "$2/cgroup.procs" || exit 125; fi; shift 2; exec "$@" """;

    private static readonly string[] SystemDirs = ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"];
    private static readonly string[] EtcFiles = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/alternatives", "/etc/localtime"];

    public static (string FileName, List<string> Arguments) Build(
        SandboxOptions options, IReadOnlyList<string> interpreter, int? runUid, string seccompPath, string? cgroupPath, bool disableUserns)
    {
        var args = new List<string> { "-c", Stub, "sh", seccompPath, cgroupPath ?? string.Empty, options.PrlimitPath };
        // Soft limit sends SIGXCPU (reported as "CPU time limit"); the hard limit one second later is the SIGKILL backstop.
        args.Add(string.Create(CultureInfo.InvariantCulture, $"--cpu={options.CpuSeconds}:{options.CpuSeconds + 1}"));
        args.Add(string.Create(CultureInfo.InvariantCulture, $"--as={options.MemoryBytes}"));
        args.Add(string.Create(CultureInfo.InvariantCulture, $"--nproc={options.MaxProcesses}"));
        args.Add(string.Create(CultureInfo.InvariantCulture, $"--fsize={options.MaxFileBytes}"));
        args.AddRange(["--nofile=256", "--core=0", "--"]);

        if (runUid is { } uid)
        {
            var host = uid.ToString(CultureInfo.InvariantCulture);
            args.AddRange([options.SetprivPath, "--reuid", host, "--regid", host, "--clear-groups", "--"]);
        }

        args.AddRange([options.BwrapPath, "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--clearenv", "--hostname", "sandbox"]);
        if (disableUserns)
        {
            args.Add("--disable-userns");
        }

        args.AddRange(["--seccomp", "3"]);
        args.AddRange(["--ro-bind", "/usr", "/usr"]);
        foreach (var dir in SystemDirs)
        {
            if (new FileInfo(dir).LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, dir]);
            }
            else if (Directory.Exists(dir))
            {
                args.AddRange(["--ro-bind", dir, dir]);
            }
        }

        foreach (var file in EtcFiles)
        {
            args.AddRange(["--ro-bind-try", file, file]);
        }

        var tmpfsSize = options.WorkDirBytes.ToString(CultureInfo.InvariantCulture);
        args.AddRange(["--proc", "/proc", "--dev", "/dev"]);
        args.AddRange(["--size", tmpfsSize, "--tmpfs", "/tmp", "--size", tmpfsSize, "--tmpfs", "/work", "--chdir", "/work"]);
        args.AddRange(["--remount-ro", "/"]);
        args.AddRange(["--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", "/work", "--setenv", "TMPDIR", "/tmp", "--setenv", "LANG", "C.UTF-8"]);
        if (runUid is null)
        {
            var id = options.UnprivilegedUid.ToString(CultureInfo.InvariantCulture);
            args.AddRange(["--uid", id, "--gid", id]);
        }

        args.AddRange(["--cap-drop", "ALL", "--"]);
        args.AddRange(interpreter);
        return ("/bin/sh", args);
    }
}
