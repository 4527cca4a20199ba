using CompanyOs.Cli.Errors;

namespace CompanyOs.Cli.Commands;

/// <summary>
/// The text a command works on (a task, a prompt), given inline or read explicitly from a file or stdin
/// (<c>--task-file PATH</c>, <c>-</c> for stdin). Response files are off, so an argument starting with <c>@</c> is just text.
/// </summary>
internal static class TaskText
{
    public const string Stdin = "-";

    /// <exception cref="CliUsageException">Both or neither given, an unreadable file, or empty text.</exception>
    public static async Task<string> ReadAsync(string? inline, string? file, string what, string option, CliEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (inline is not null && file is not null)
        {
            throw new CliUsageException($"give the {what} as an argument or with {option}, not both.");
        }

        if (inline is null && file is null)
        {
            throw new CliUsageException($"the {what} is missing: give it as an argument, or with {option} PATH ({Stdin} for stdin).");
        }

        var text = inline ?? await ReadFileAsync(file!, what, option, environment, cancellationToken).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(text)
            ? throw new CliUsageException(file is null ? $"the {what} must not be empty." : $"the {what} must not be empty ({option} {file} has no text).")
            : text;
    }

    private static async Task<string> ReadFileAsync(string file, string what, string option, CliEnvironment environment, CancellationToken cancellationToken)
    {
        if (file == Stdin)
        {
            return await environment.Input.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }

        var path = Path.GetFullPath(file, environment.WorkingDirectory);
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException when Directory.Exists(path) => "it is a directory",
                UnauthorizedAccessException => "permission denied",
                _ => e.Message.TrimEnd('.'),
            };
            throw new CliUsageException($"{option} {path}: the {what} cannot be read ({why}).");
        }
    }
}
