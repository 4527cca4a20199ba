using CompanyOs.Cli.Errors;
using CompanyOs.Events;
using CompanyOs.Events.Sqlite;

namespace CompanyOs.Cli.Hosting;

/// <summary>
/// Opens the SQLite event store a command names, turning file-system failures into one line that says what is wrong
/// with which path (a directory, a file where a directory should be, no permission) instead of a stack trace.
/// </summary>
internal static class EventStoreFile
{
    /// <exception cref="CliUsageException">The path is a directory, or the store cannot be created or opened there (exit 1).</exception>
    public static async Task<SqliteEventStore> OpenAsync(string path, CancellationToken cancellationToken)
    {
        RejectDirectory(path);
        try
        {
            return await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = path }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EventStoreException)
        {
            throw new CliUsageException($"the event store {path} cannot be used: {Diagnose(path, e) ?? Describe(e)}", ExitCodes.ProviderFailed);
        }
    }

    /// <summary>A directory given where the store file belongs is named as such (not "does not exist").</summary>
    /// <exception cref="CliUsageException">It is a directory (exit 2).</exception>
    public static void RejectDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            throw new CliUsageException(
                $"the event store {path} is a directory; give the database file, e.g. --db {Runs.ShellText.Quote(Path.Combine(path, "companyos.db"))}.");
        }
    }

    /// <summary>
    /// Why a store could not be created or opened at <paramref name="path"/>, found by looking at the path and probing its
    /// nearest existing directory with a temporary file (deleted on close); null when nothing is wrong. Creates nothing.
    /// </summary>
    public static string? ProblemAt(string path) => Directory.Exists(path) ? $"{path} is a directory" : Diagnose(path, failure: null);

    // Why the file cannot be there, found by looking at the path itself; null when nothing visibly is wrong.
    private static string? Diagnose(string path, Exception? failure)
    {
        var directory = Path.GetDirectoryName(path);
        var existing = directory;
        while (!string.IsNullOrEmpty(existing) && !Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                return $"{existing} is a file, so the directory {directory} cannot be created.";
            }

            existing = Path.GetDirectoryName(existing);
        }

        if (string.IsNullOrEmpty(existing))
        {
            return null;
        }

        if (File.Exists(path))
        {
            return Probe(() => File.Open(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite), path) is { } denied
                ? $"{path} cannot be opened for reading and writing ({denied})."
                : null;
        }

        var what = existing == directory ? $"{path} cannot be created" : $"the directory {directory} cannot be created";
        var probe = Path.Combine(existing, $".companyos-write-check-{Guid.NewGuid():N}");
        return Probe(() => File.Create(probe, 1, FileOptions.DeleteOnClose), probe) is { } why
            ? $"{what}: {existing} does not accept new files ({why})."
            : failure is IOException or UnauthorizedAccessException ? $"{what} ({Describe(failure)})." : null;
    }

    private static string? Probe(Func<FileStream> open, string target)
    {
        try
        {
            open().Dispose();
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return "permission denied";
        }
        catch (IOException e)
        {
            // "Could not find file '…'" from a read-only or virtual file system says nothing more than the refusal itself.
            return e is FileNotFoundException or DirectoryNotFoundException ? "refused" : e.Message.Replace($"'{target}'", "it", StringComparison.Ordinal).TrimEnd('.');
        }
    }

    private static string Describe(Exception e) => e is UnauthorizedAccessException ? $"permission denied: {e.Message.TrimEnd('.')}" : e.Message.TrimEnd('.');
}
