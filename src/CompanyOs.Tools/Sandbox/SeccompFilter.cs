using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace CompanyOs.Tools.Sandbox;

/// <summary>
/// The classic-BPF seccomp program bubblewrap loads (<c>--seccomp FD</c>) before starting the interpreter. It fails with
/// <c>EPERM</c> what sandboxed code has no business calling and what widens the kernel's attack surface: <c>ptrace</c> (the
/// sandbox's PID 1 and other processes), mounts and the new mount API, keyrings, <c>bpf</c>, <c>userfaultfd</c>,
/// <c>perf_event_open</c>, <c>io_uring</c> (its operations bypass seccomp), module and kexec loading, cross-process memory
/// access, file handles, swap and accounting, <c>setns</c>, and <c>clone</c>/<c>unshare</c> with <c>CLONE_NEWUSER</c>.
/// <c>clone3</c> passes its flags in memory a filter cannot read, so it gets <c>ENOSYS</c> and the C library falls back to
/// <c>clone</c>. Another architecture's system calls (i386, x32) kill the process.
/// </summary>
internal static partial class SeccompFilter
{
    private const uint MfdCloexec = 1;

    private const ushort LdWAbs = 0x20;
    private const ushort JeqK = 0x15;
    private const ushort JgeK = 0x35;
    private const ushort JsetK = 0x45;
    private const ushort RetK = 0x06;
    private const uint RetAllow = 0x7fff0000;
    private const uint RetKillProcess = 0x80000000;
    private const uint RetErrno = 0x00050000;
    private const uint EPerm = 1;
    private const uint ENoSys = 38;
    private const uint CloneNewUser = 0x10000000;
    private const uint OffsetNr = 0;
    private const uint OffsetArch = 4;
    private const uint OffsetArg0Low = 16; // args[0], low 32 bits on little-endian architectures

    private static readonly uint[] Common = [425, 426, 427, 428, 429, 430, 431, 432, 433, 442]; // io_uring_*, open_tree … fspick, mount_setattr
    private const uint Clone3 = 435;

    private sealed record Abi(uint AuditArch, uint CloneNr, uint UnshareNr, uint[] Denied, bool HasX32);

    // ptrace, mount, umount2, pivot_root, keyctl, add_key, request_key, bpf, userfaultfd, setns, perf_event_open, kexec_load,
    // kexec_file_load, init_module, finit_module, delete_module, process_vm_readv, process_vm_writev, name_to_handle_at,
    // open_by_handle_at, acct, swapon, swapoff — in that order.
    private static readonly Abi X64 = new(0xC000003E, 56, 272,
        [101, 165, 166, 155, 250, 248, 249, 321, 323, 308, 298, 246, 320, 175, 313, 176, 310, 311, 303, 304, 163, 167, 168], HasX32: true);

    private static readonly Abi Arm64 = new(0xC00000B7, 220, 97,
        [117, 40, 39, 41, 219, 217, 218, 280, 282, 268, 241, 104, 294, 105, 273, 106, 270, 271, 264, 265, 89, 224, 225], HasX32: false);

    private static readonly Lazy<(string? Path, string? Error)> Published = new(Publish);

    /// <summary>
    /// A path the sandbox's launcher opens to read the program: <c>/proc/{our pid}/fd/{n}</c> of an anonymous memory file this
    /// process keeps open, so nothing is left on disk and nobody else can swap it; or why there is none.
    /// </summary>
    public static (string? Path, string? Error) Path => Published.Value;

    private static (string? Path, string? Error) Publish()
    {
        if (ForCurrentArchitecture() is not { } program)
        {
            return (null, $"no seccomp filter for {RuntimeInformation.ProcessArchitecture} (x64 and arm64 only)");
        }

        var fd = MemfdCreate("companyos-seccomp", MfdCloexec);
        if (fd < 0)
        {
            return (null, $"memfd_create failed (errno {Marshal.GetLastPInvokeError()})");
        }

        // Kept open for the life of the process: the path stays valid for every run.
        var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false);
        RandomAccess.Write(handle, program, 0);
        return (string.Create(System.Globalization.CultureInfo.InvariantCulture, $"/proc/{Environment.ProcessId}/fd/{fd}"), null);
    }

    /// <summary>The program for this process's architecture, as bubblewrap reads it (an array of <c>struct sock_filter</c>); null when unsupported.</summary>
    public static byte[]? ForCurrentArchitecture() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => Build(X64),
        Architecture.Arm64 => Build(Arm64),
        _ => null,
    };

    private static byte[] Build(Abi abi)
    {
        var denied = abi.Denied.Concat(Common).ToArray();
        var program = new List<(ushort Code, string? True, string? False, uint K)>
        {
            (LdWAbs, null, null, OffsetArch),
            (JeqK, "nr", null, abi.AuditArch),
            (RetK, null, null, RetKillProcess),
        };
        var labels = new Dictionary<string, int>(StringComparer.Ordinal) { ["nr"] = program.Count };
        program.Add((LdWAbs, null, null, OffsetNr));
        if (abi.HasX32)
        {
            program.Add((JgeK, "deny", null, 0x40000000)); // x32 system calls share x86-64's audit arch
        }

        program.AddRange(denied.Select(nr => (JeqK, (string?)"deny", (string?)null, nr)));
        program.Add((JeqK, "enosys", null, Clone3));
        program.Add((JeqK, "flags", null, abi.CloneNr));
        program.Add((JeqK, "flags", "allow", abi.UnshareNr));
        labels["flags"] = program.Count;
        program.Add((LdWAbs, null, null, OffsetArg0Low));
        program.Add((JsetK, "deny", "allow", CloneNewUser));
        labels["allow"] = program.Count;
        program.Add((RetK, null, null, RetAllow));
        labels["deny"] = program.Count;
        program.Add((RetK, null, null, RetErrno | EPerm));
        labels["enosys"] = program.Count;
        program.Add((RetK, null, null, RetErrno | ENoSys));

        var bytes = new byte[program.Count * 8];
        for (var i = 0; i < program.Count; i++)
        {
            var (code, jt, jf, k) = program[i];
            var slot = bytes.AsSpan(i * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(slot, code);
            slot[2] = Offset(labels, jt, i);
            slot[3] = Offset(labels, jf, i);
            BinaryPrimitives.WriteUInt32LittleEndian(slot[4..], k);
        }

        return bytes;
    }

    // Jumps are relative to the next instruction and only forward.
    private static byte Offset(Dictionary<string, int> labels, string? label, int at) => label is null ? (byte)0 : checked((byte)(labels[label] - at - 1));

    [LibraryImport("libc", EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MemfdCreate(string name, uint flags);
}
