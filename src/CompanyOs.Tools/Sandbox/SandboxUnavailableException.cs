namespace CompanyOs.Tools.Sandbox;

/// <summary>bubblewrap is missing or cannot create namespaces here; code is never run unsandboxed instead.</summary>
public sealed class SandboxUnavailableException : Exception
{
    public SandboxUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
