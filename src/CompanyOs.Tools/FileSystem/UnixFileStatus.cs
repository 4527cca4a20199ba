using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CompanyOs.Tools.FileSystem;

/// <summary>
/// File type and size via Linux <c>statx</c>, whose struct layout is the same on every architecture. .NET exposes no way to tell
/// a FIFO or device from a regular file; files are opened non-blocking (<see cref="NoFollowOpen"/>) and their type checked on the handle.
/// </summary>
internal static unsafe partial class UnixFileStatus
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const uint StatxSize = 0x200;
    private const int ModeOffset = 28;
    private const int SizeOffset = 40;
    private const int BufferSize = 256;

    /// <summary>Type and size of <paramref name="path"/> without following a final symlink.</summary>
    public static (UnixFileType Type, long Size) OfPath(string path)
    {
        var buffer = stackalloc byte[BufferSize];
        var rc = Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxSize, buffer);
        return rc == 0 ? Decode(buffer) : (UnixFileType.Missing, 0);
    }

    /// <summary>Type and size of an open file.</summary>
    public static (UnixFileType Type, long Size) OfHandle(SafeFileHandle handle) => At(handle, string.Empty, AtEmptyPath);

    /// <summary>Type and size of entry <paramref name="name"/> of the open directory <paramref name="directory"/>, without following a symlink.</summary>
    public static (UnixFileType Type, long Size) OfEntry(SafeFileHandle directory, string name) => At(directory, name, AtSymlinkNoFollow);

    private static (UnixFileType Type, long Size) At(SafeFileHandle handle, string name, int flags)
    {
        var buffer = stackalloc byte[BufferSize];
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var rc = Statx((int)handle.DangerousGetHandle(), name, flags, StatxType | StatxSize, buffer);
            return rc == 0 ? Decode(buffer) : (UnixFileType.Unknown, 0);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static (UnixFileType, long) Decode(byte* buffer)
    {
        var mode = *(ushort*)(buffer + ModeOffset);
        var size = *(long*)(buffer + SizeOffset);
        var type = (mode & 0xF000) switch
        {
            0x8000 => UnixFileType.Regular,
            0x4000 => UnixFileType.Directory,
            0xA000 => UnixFileType.SymbolicLink,
            0x2000 => UnixFileType.CharacterDevice,
            0x6000 => UnixFileType.BlockDevice,
            0x1000 => UnixFileType.Fifo,
            0xC000 => UnixFileType.Socket,
            _ => UnixFileType.Unknown,
        };
        return (type, size);
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);
}
