namespace CompanyOs.Cli.Errors;

/// <summary>Bad input found by the CLI itself; the message is printed as is (no stack trace) and the process exits with <see cref="ExitCode"/>.</summary>
internal sealed class CliUsageException(string message, int exitCode = ExitCodes.BadInput) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
