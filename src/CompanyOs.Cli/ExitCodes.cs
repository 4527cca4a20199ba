namespace CompanyOs.Cli;

/// <summary>Process exit codes of <c>companyos</c>.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The provider failed (after the message on stderr).</summary>
    public const int ProviderFailed = 1;

    /// <summary>Bad configuration or arguments.</summary>
    public const int BadInput = 2;
}
