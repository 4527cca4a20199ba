using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(CompanyOs.Dashboard.Tests.BrowserFixture))]

namespace CompanyOs.Dashboard.Tests;

/// <summary>
/// One headless Chromium for the whole test assembly: the system browser (Debian's <c>chromium</c>, installed by
/// scripts/test.sh) driven by Playwright. Playwright never downloads a browser here (the machine may be offline):
/// <c>PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD</c> is set and <c>playwright install</c> is never called.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>The browser binary: <c>COMPANYOS_CHROMIUM</c> when set, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("COMPANYOS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"No Chromium at {ExecutablePath}: install Debian's chromium (apt-get install -y chromium; scripts/test.sh does) or set COMPANYOS_CHROMIUM.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Root in a container has no user namespace for Chromium's sandbox; /dev/shm is often tiny there.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
            Timeout = 60_000,
        });
    }

    /// <summary>A fresh context (own session storage) with a 1280×720 viewport and a page in it.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 720 },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
