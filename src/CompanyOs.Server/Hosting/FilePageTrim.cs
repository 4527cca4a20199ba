using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// Drops from the process's resident set the pages of its mapped files (assemblies, native libraries) that it touched once
/// and no longer uses — configuration, validation and start-up code, the R2R code and IL of methods the JIT has since
/// recompiled — by <c>madvise(MADV_DONTNEED)</c> on every read-only file mapping that holds no private copy of a page
/// (Linux). The pages stay in the kernel's page cache, so a page used again comes back by a minor fault with the same
/// content; what is dropped is only the process's mapping of it. Measured on the gateway after load (docs/benchmarks.md,
/// issue 17, ninth session): ≈ 72 MB of mapped files resident without, ≈ 36–49 MB with.
/// </summary>
/// <remarks>
/// A mapping is trimmed only when it is not writable and its smaps block says <c>Anonymous: 0 kB</c> (no page was ever
/// written: for a private mapping a written page would be lost), and only when it was seen in that same state by the
/// previous pass too, so that a library or image still being loaded and relocated is never touched. Shared mappings (the
/// runtime maps each assembly file read-only and shared) cannot hold private copies at all.
/// </remarks>
internal static class FilePageTrim
{
    private const int MadvDontNeed = 4;

    /// <summary>The trimmable mappings of this process now (their smaps header lines); empty off Linux.</summary>
    public static HashSet<string> Candidates() =>
        OperatingSystem.IsLinux() ? Candidates(File.ReadLines("/proc/self/smaps")) : [];

    /// <summary>The trimmable mappings in <paramref name="smaps"/> (a <c>/proc/PID/smaps</c> text), by header line.</summary>
    internal static HashSet<string> Candidates(IEnumerable<string> smaps)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        string? header = null;
        foreach (var line in smaps)
        {
            if (IsHeader(line))
            {
                header = Trimmable(line) ? line : null;
            }
            else if (header is not null && line.StartsWith("Anonymous:", StringComparison.Ordinal))
            {
                if (line.AsSpan("Anonymous:".Length).Trim().SequenceEqual("0 kB"))
                {
                    result.Add(header);
                }

                header = null;
            }
        }

        return result;
    }

    /// <summary>
    /// Trims the mappings in both <paramref name="previous"/> and <paramref name="current"/> (see the remarks); returns how
    /// many mappings and bytes of address space were trimmed.
    /// </summary>
    public static (int Mappings, long Bytes) Trim(HashSet<string> previous, HashSet<string> current)
    {
        var mappings = 0;
        var bytes = 0L;
        foreach (var header in current)
        {
            if (!previous.Contains(header))
            {
                continue;
            }

            var range = header.AsSpan(0, header.IndexOf(' ', StringComparison.Ordinal));
            var dash = range.IndexOf('-');
            var start = long.Parse(range[..dash], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            var end = long.Parse(range[(dash + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (Madvise((nint)start, (nuint)(end - start), MadvDontNeed) == 0)
            {
                mappings++;
                bytes += end - start;
            }
        }

        return (mappings, bytes);
    }

    /// <summary>A header line of a file mapping that is not writable ("start-end perms offset dev inode /path").</summary>
    private static bool Trimmable(string header)
    {
        var fields = header.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 6 || fields[1].Length != 4 || fields[1][1] == 'w')
        {
            return false;
        }

        var path = fields[5].Trim();
        return path.StartsWith('/') && !path.StartsWith("/memfd:", StringComparison.Ordinal) && !path.EndsWith(" (deleted)", StringComparison.Ordinal)
            && !path.StartsWith("/dev/", StringComparison.Ordinal);
    }

    private static bool IsHeader(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && line.AsSpan(0, space).Contains('-') && !line.AsSpan(0, space).Contains(':');
    }

    [DllImport("libc", EntryPoint = "madvise")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Madvise(nint address, nuint length, int advice);

    /// <summary>The JIT's compiled-method count: trims follow the bursts of compilation (start-up, first calls, tier-up).</summary>
    internal static long CompiledMethods() => JitInfo.GetCompiledMethodCount(currentThread: false);
}
