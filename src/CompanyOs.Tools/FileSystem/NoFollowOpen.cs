using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CompanyOs.Tools.FileSystem;

/// <summary>
/// Opens a physical path (as produced by <see cref="ConfinedPathResolver"/>: absolute, no symlinks, no <c>..</c>) one component at
/// a time with <c>openat(O_NOFOLLOW)</c> from <c>/</c>. A component swapped for a symlink after resolution fails the open
/// (<c>ELOOP</c>/<c>ENOTDIR</c>) instead of being followed, so what is opened is exactly the path that was checked against the
/// roots — the check-then-use race of resolving first and opening by name later is closed. The last component is opened with
/// <c>O_NONBLOCK</c>, so a FIFO swapped in cannot block the open; callers check the type on the handle.
/// </summary>
internal static partial class NoFollowOpen
{
    private const int ORdOnly = 0;
    private const int ONonBlock = 0x800;
    private const int OCloExec = 0x80000;
    private const int OPath = 0x200000;
    private const int ELoop = 40;
    private const int ENotDir = 20;
    private const int ENoEnt = 2;
    private const int EAcces = 13;

    // O_DIRECTORY and O_NOFOLLOW are the two flags whose values differ between x86-64 and the ARM ABIs.
    private static readonly bool IsArm = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm;
    private static readonly int ODirectory = IsArm ? 0x4000 : 0x10000;
    private static readonly int ONoFollow = IsArm ? 0x8000 : 0x20000;

    /// <summary>Opens <paramref name="physicalPath"/> for reading (a directory when <paramref name="directory"/>); on failure, why.</summary>
    public static (SafeFileHandle? Handle, string? Error) Open(string physicalPath, bool directory)
    {
        var parts = physicalPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = OpenAt(-100, "/", OPath | ODirectory | OCloExec);
        if (current < 0)
        {
            return (null, Describe(Marshal.GetLastPInvokeError()));
        }

        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var flags = last
                ? ORdOnly | ONoFollow | ONonBlock | OCloExec | (directory ? ODirectory : 0)
                : OPath | ODirectory | ONoFollow | OCloExec;
            var next = OpenAt(current, parts[i], flags);
            var errno = Marshal.GetLastPInvokeError();
            _ = Close(current);
            if (next < 0)
            {
                return (null, Describe(errno));
            }

            current = next;
        }

        return (new SafeFileHandle(current, ownsHandle: true), null);
    }

    private static string Describe(int errno) => errno switch
    {
        ELoop or ENotDir => "changed (a component was swapped for a symlink or a file) while being opened; refused",
        ENoEnt => "disappeared while being opened",
        EAcces => "permission denied",
        _ => $"could not be opened (errno {errno})",
    };

    [LibraryImport("libc", EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenAt(int dirFd, string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
