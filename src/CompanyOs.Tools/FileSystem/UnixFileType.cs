namespace CompanyOs.Tools.FileSystem;

/// <summary>The kind of a file system object, from the <c>S_IFMT</c> bits of its mode.</summary>
public enum UnixFileType
{
    Missing = 0,
    Regular,
    Directory,
    SymbolicLink,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
    Unknown,
}
