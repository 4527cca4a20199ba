using System.Globalization;

namespace CompanyOs.Tools.Sandbox;

/// <summary>
/// Builds the command line that runs an interpreter inside bubblewrap: every namespace unshared (no network), read-only system
/// directories, no host home, project or secrets, fresh size-limited tmpfs for <c>/work</c> and <c>/tmp</c>, a read-only root,
/// cleared environment, a new session, all capabilities dropped, and rlimits applied by <c>prlimit</c> before the interpreter starts.
/// When the host process is root it first drops to an unprivileged uid with <c>setpriv</c>, because the kernel never applies
/// RLIMIT_NPROC to real root (a fork bomb would otherwise be unbounded).
/// </summary>
internal static class BubblewrapCommand
{
    private static readonly string[] SystemDirs = ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"];
    private static readonly string[] EtcFiles = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/alternatives", "/etc/localtime"];

    public static (string FileName, List<string> Arguments) Build(SandboxOptions options, IReadOnlyList<string> interpreter, bool hostIsRoot)
    {
        var args = new List<string>();
        string fileName;
        if (hostIsRoot)
        {
            fileName = options.SetprivPath;
            var id = options.UnprivilegedUid.ToString(CultureInfo.InvariantCulture);
            args.AddRange(["--reuid", id, "--regid", id, "--clear-groups", "--", options.BwrapPath]);
        }
        else
        {
            fileName = options.BwrapPath;
        }

        args.AddRange(["--unshare-all", "--die-with-parent", "--new-session", "--clearenv", "--hostname", "sandbox"]);
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
        if (!hostIsRoot)
        {
            args.AddRange(["--unshare-user", "--uid", options.UnprivilegedUid.ToString(CultureInfo.InvariantCulture), "--gid", options.UnprivilegedUid.ToString(CultureInfo.InvariantCulture)]);
        }

        args.AddRange(["--cap-drop", "ALL", "--", options.PrlimitPath]);
        // Soft limit sends SIGXCPU (reported as "CPU time limit"); the hard limit one second later is the SIGKILL backstop.
        args.Add(string.Create(CultureInfo.InvariantCulture, $"--cpu={options.CpuSeconds}:{options.CpuSeconds + 1}"));
        args.Add(string.Create(CultureInfo.InvariantCulture, $"--as={options.MemoryBytes}"));
        args.Add(string.Create(CultureInfo.InvariantCulture, $"--nproc={options.MaxProcesses}"));
        args.Add(string.Create(CultureInfo.InvariantCulture, $"--fsize={options.MaxFileBytes}"));
        args.AddRange(["--nofile=256", "--core=0", "--"]);
        args.AddRange(interpreter);
        return (fileName, args);
    }
}
