namespace CompanyOs.Prompts.Library;

/// <summary>
/// Watches a prompt directory and calls back once things have been quiet for the debounce interval, so that an editor's
/// save (truncate, write, rename…) produces one reload. A watcher overflow also triggers a (full) reload.
/// </summary>
internal sealed class PromptDirectoryWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly ITimer _timer;
    private readonly TimeSpan _debounce;
    private readonly Action<Exception> _onError;

    public PromptDirectoryWatcher(string directory, TimeSpan debounce, TimeProvider timeProvider, Action onChanged, Action<Exception> onError)
    {
        _debounce = debounce;
        _onError = onError;
        _timer = timeProvider.CreateTimer(_ => onChanged(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnEvent;
        _watcher.Created += OnEvent;
        _watcher.Deleted += OnEvent;
        _watcher.Renamed += OnEvent;
        _watcher.Error += OnWatcherError;
        _watcher.EnableRaisingEvents = true;
    }

    public void Dispose()
    {
        _watcher.EnableRaisingEvents = false;
        _watcher.Dispose();
        _timer.Dispose();
    }

    private void OnEvent(object sender, FileSystemEventArgs e) => Schedule();

    private void OnWatcherError(object sender, ErrorEventArgs e)
    {
        _onError(e.GetException());
        Schedule();
    }

    private void Schedule() => _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
}
