using System.Diagnostics;

namespace CompanyOs.Tools.Tests.FileSystem;

/// <summary>A throw-away tree: <c>root/</c> (the allowed directory), plus <c>outside/</c> and <c>root2/</c> next to it, with symlinks and a FIFO.</summary>
public sealed class SandboxDirectory : IDisposable
{
    public SandboxDirectory()
    {
        Base = Directory.CreateTempSubdirectory("companyos-fs-").FullName;
        Root = Path.Combine(Base, "root");
        Outside = Path.Combine(Base, "outside");
        Directory.CreateDirectory(Path.Combine(Root, "sub", "deeper"));
        Directory.CreateDirectory(Outside);
        Directory.CreateDirectory(Path.Combine(Base, "root2"));
        File.WriteAllText(Path.Combine(Root, "file.txt"), "hello\n");
        File.WriteAllText(Path.Combine(Root, "sub", "inner.txt"), "inner\n");
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), "TOP SECRET\n");
        File.WriteAllText(Path.Combine(Base, "root2", "secret.txt"), "SIBLING SECRET\n");

        File.CreateSymbolicLink(Path.Combine(Root, "link_out"), Path.Combine(Outside, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(Root, "link_rel_out"), "../outside/secret.txt");
        File.CreateSymbolicLink(Path.Combine(Root, "link_etc"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Combine(Root, "link_dev"), "/dev/zero");
        Directory.CreateSymbolicLink(Path.Combine(Root, "dir_out"), Outside);
        Directory.CreateSymbolicLink(Path.Combine(Root, "sub", "up"), "..");
        Directory.CreateSymbolicLink(Path.Combine(Root, "sub_alias"), "sub");
        File.CreateSymbolicLink(Path.Combine(Root, "link_in"), "sub/inner.txt");
        File.CreateSymbolicLink(Path.Combine(Root, "loop_a"), "loop_b");
        File.CreateSymbolicLink(Path.Combine(Root, "loop_b"), "loop_a");
        File.CreateSymbolicLink(Path.Combine(Root, "self"), "self");
        File.CreateSymbolicLink(Path.Combine(Root, "chain0"), Path.Combine(Root, "file.txt"));
        for (var i = 1; i <= 45; i++)
        {
            File.CreateSymbolicLink(Path.Combine(Root, $"chain{i}"), $"chain{i - 1}");
        }

        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", Path.Combine(Root, "pipe")) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
    }

    public string Base { get; }

    public string Root { get; }

    public string Outside { get; }

    public void Dispose() => Directory.Delete(Base, recursive: true);
}
