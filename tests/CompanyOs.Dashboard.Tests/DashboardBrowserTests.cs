using System.Text.Json;
using Microsoft.Playwright;

namespace CompanyOs.Dashboard.Tests;

/// <summary>
/// The dashboard in headless Chromium against the real server (Kestrel on 127.0.0.1, emulator, real agent API): sign in,
/// approve a waiting run with edited arguments, follow its timeline to the end; untrusted tool output stays text.
/// </summary>
public sealed class DashboardBrowserTests(BrowserFixture browser)
{
    private const string Script = "<script>alert(1)</script>";

    [Fact]
    public async Task An_operator_signs_in_edits_a_waiting_call_approves_it_and_watches_the_run_complete()
    {
        await using var server = await DashboardServer.StartAsync();
        var runId = await server.StartRunAsync("coder", "Use execute_code to run ```python\nprint('from the task')\n```");
        await server.WaitForStatusAsync(runId, "awaiting_approval");
        var page = await browser.NewPageAsync();
        var dialogs = WatchDialogs(page);

        await SignInWithKeyboardAsync(page, server);

        var row = page.Locator($"#runs tr[data-run-id='{runId}']");
        await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync("awaiting_approval");
        await Assertions.Expect(row).ToContainTextAsync("coder");
        await Assertions.Expect(page.Locator("#pending-count")).ToHaveTextAsync("1");
        await AssertNoHorizontalOverflowAsync(page);

        await row.Locator("a").First.ClickAsync();
        var card = page.Locator("#run-decisions .decision-card");
        await Assertions.Expect(card).ToContainTextAsync("execute_code");
        var editor = card.Locator("textarea.arguments");
        await Assertions.Expect(editor).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("from the task"));

        // Arguments the tool's schema refuses: the server's 400 is shown and nothing is decided.
        await editor.FillAsync("""{"code": 42}""");
        await card.Locator("button[data-action=approve]").ClickAsync();
        await Assertions.Expect(card.Locator(".error")).ToContainTextAsync("Rejected by the server");
        await Assertions.Expect(card.Locator(".error")).ToContainTextAsync("code");
        Assert.Equal("awaiting_approval", (await server.RunAsync(runId)).GetProperty("status").GetString());

        // Edited, valid arguments: approved, the run resumes and the page follows it to the end.
        var arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(
            (await server.RunAsync(runId)).GetProperty("pending")[0].GetProperty("arguments").GetRawText())!;
        arguments["code"] = JsonSerializer.SerializeToElement("print('edited in the dashboard')");
        await editor.FillAsync(JsonSerializer.Serialize(arguments));
        await card.Locator("button[data-action=approve]").ClickAsync();

        var timeline = page.Locator("#timeline");
        await Assertions.Expect(timeline.Locator("li[data-type=run_completed]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("h1 .status")).ToHaveTextAsync("completed");
        await Assertions.Expect(timeline.Locator("li[data-type=approval_granted]")).ToContainTextAsync("Approved with edited arguments");
        await Assertions.Expect(timeline.Locator("li[data-type=tool_completed] .tool-output")).ToContainTextAsync("edited in the dashboard");
        await Assertions.Expect(timeline.Locator("li[data-type=llm_call]").First).ToContainTextAsync("EMULATED");
        await Assertions.Expect(timeline.Locator("li[data-type=llm_call]").First).ToContainTextAsync("tokens");
        await Assertions.Expect(page.Locator("#run-decisions .decision-card")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#pending-count")).ToBeEmptyAsync();
        // Every stored event once: the stream was reopened after the approval from the last version seen.
        var versions = await timeline.Locator("li[data-version]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.version)");
        Assert.Equal(versions.Distinct().Count(), versions.Length);
        var events = await CountStoredEventsAsync(server, runId);
        Assert.Equal(events, versions.Length);
        Assert.Equal("completed", (await server.RunAsync(runId)).GetProperty("status").GetString());
        await AssertNoHorizontalOverflowAsync(page);
        await ScreenshotAsync(page, "run-timeline.png", fullPage: true);

        // The list with more than one kind of run, for its picture: one reads a file by itself, one waits for a human.
        await File.WriteAllTextAsync(Path.Combine(server.Directory, "files", "notes.md"), "Ship the dashboard.", TestContext.Current.CancellationToken);
        var reader = await server.StartRunAsync("reader", "Use read_file on notes.md");
        var waiting = await server.StartRunAsync("coder", "Use execute_code to run ```python\nprint(6 * 7)\n```");
        await server.WaitForStatusAsync(reader, "completed");
        await server.WaitForStatusAsync(waiting, "awaiting_approval");
        await page.Locator("nav a[data-section=runs]").ClickAsync();
        await Assertions.Expect(page.Locator($"#runs tr[data-run-id='{runId}'] .status")).ToHaveTextAsync("completed");
        await Assertions.Expect(page.Locator($"#runs tr[data-run-id='{reader}'] .status")).ToHaveTextAsync("completed");
        await Assertions.Expect(page.Locator($"#runs tr[data-run-id='{waiting}'] .status")).ToHaveTextAsync("awaiting_approval");
        await Assertions.Expect(page.Locator("#pending-count")).ToHaveTextAsync("1");
        await AssertNoHorizontalOverflowAsync(page);
        await ScreenshotAsync(page, "runs-list.png");

        using (var approve = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))
        {
            var callId = (await server.RunAsync(waiting)).GetProperty("pending")[0].GetProperty("call_id").GetString();
            using var approved = await server.Http.PostAsync(new Uri($"/v1/runs/{waiting}/approvals/{callId}/approve", UriKind.Relative), approve, TestContext.Current.CancellationToken);
            Assert.True(approved.IsSuccessStatusCode);
        }

        await Assertions.Expect(page.Locator($"#runs tr[data-run-id='{waiting}'] .status")).ToHaveTextAsync("completed", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#pending-count")).ToBeEmptyAsync();
        Assert.Empty(dialogs);
    }

    [Fact]
    public async Task The_models_text_shows_while_it_streams_and_gives_way_to_the_stored_message()
    {
        // The emulator sends a chunk every 100 ms, so the final answer takes seconds to arrive word by word.
        await using var server = await DashboardServer.StartAsync(new CompanyOs.Emulator.EmulatorOptions { ChunkDelay = TimeSpan.FromMilliseconds(100) });
        await File.WriteAllTextAsync(Path.Combine(server.Directory, "files", "notes.md"), "Ship the dashboard.", TestContext.Current.CancellationToken);
        var page = await browser.NewPageAsync();
        await SignInWithKeyboardAsync(page, server);

        var runId = await server.StartRunAsync("reader", "Use read_file on notes.md and summarise what it asks for in a few words");
        await page.GotoAsync(new Uri(server.BaseUri, $"/#/runs/{runId}").ToString());

        var streaming = page.Locator("#timeline li[data-type=streaming] .text.streaming");
        await Assertions.Expect(streaming).ToContainTextAsync("Based on", new() { Timeout = 30_000 });
        Assert.Equal(0, await page.Locator("#timeline li[data-type=run_completed]").CountAsync());
        Assert.Equal("running", (await server.RunAsync(runId)).GetProperty("status").GetString());

        await Assertions.Expect(page.Locator("#timeline li[data-type=run_completed]")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#timeline li[data-type=streaming]")).ToHaveCountAsync(0);
        var result = (await server.RunAsync(runId)).GetProperty("result").GetString()!;
        await Assertions.Expect(page.Locator("#timeline li[data-type=assistant_message] .text").Last).ToHaveTextAsync(result);
    }

    [Fact]
    public async Task A_call_is_rejected_with_a_reason_from_the_approvals_page()
    {
        await using var server = await DashboardServer.StartAsync();
        var runId = await server.StartRunAsync("coder", "Use execute_code to run ```python\nprint('never')\n```");
        await server.WaitForStatusAsync(runId, "awaiting_approval");
        var page = await browser.NewPageAsync();
        await SignInWithKeyboardAsync(page, server);

        await page.Locator("nav a[data-section=approvals]").ClickAsync();
        var card = page.Locator($"#decisions .decision-card:has(a[href='#/runs/{runId}'])");
        await Assertions.Expect(card).ToContainTextAsync("execute_code");
        await card.Locator("button[data-action=reject]").ClickAsync();
        await Assertions.Expect(card.Locator(".error")).ToContainTextAsync("Give a reason");
        await card.Locator("input[type=text]").FillAsync("not on a Friday");
        await card.Locator("input[type=text]").PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(page.Locator("#decisions .decision-card")).ToHaveCountAsync(0);
        await server.WaitForStatusAsync(runId, "completed");
        using var events = await server.Http.GetAsync(new Uri($"/v1/runs/{runId}/events", UriKind.Relative), TestContext.Current.CancellationToken);
        var stream = await events.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("event: approval_rejected", stream, StringComparison.Ordinal);
        Assert.Contains("not on a Friday", stream, StringComparison.Ordinal);
        Assert.DoesNotContain("event: tool_started", stream, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_question_is_answered_from_the_approvals_page_and_a_waiting_run_is_cancelled_from_its_page()
    {
        await using var server = await DashboardServer.StartAsync();
        var asking = await server.StartRunAsync("reader", "Use ask_human to ask which file matters most");
        var doomed = await server.StartRunAsync("coder", "Use execute_code to run ```python\nprint('cancel me')\n```");
        await server.WaitForStatusAsync(asking, "awaiting_approval");
        await server.WaitForStatusAsync(doomed, "awaiting_approval");
        var page = await browser.NewPageAsync();
        await SignInWithKeyboardAsync(page, server);

        await page.Locator("nav a[data-section=approvals]").ClickAsync();
        var question = page.Locator($"#decisions .decision-card:has(a[href='#/runs/{asking}'])");
        await Assertions.Expect(question).ToContainTextAsync("Question");
        await ScreenshotAsync(page, "approvals.png", forDocs: false);
        await question.Locator("textarea").FillAsync("notes.md, <b>surely</b>");
        await question.Locator("button").ClickAsync();
        await Assertions.Expect(question).ToHaveCountAsync(0);
        await server.WaitForStatusAsync(asking, "completed");

        await page.GotoAsync(new Uri(server.BaseUri, $"/#/runs/{asking}").ToString());
        await Assertions.Expect(page.Locator("#timeline li[data-type=question_answered]")).ToContainTextAsync("notes.md, <b>surely</b>");
        await Assertions.Expect(page.Locator("#timeline li[data-type=run_completed]")).ToHaveCountAsync(1);

        // The runs list follows a run that moves on without a reload; Cancel on a run's page ends it for good.
        await page.Locator("nav a[data-section=runs]").ClickAsync();
        var row = page.Locator($"#runs tr[data-run-id='{doomed}']");
        await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync("awaiting_approval");
        await row.Locator("a").ClickAsync();
        await page.Locator("button:text('Cancel run')").ClickAsync();
        await Assertions.Expect(page.Locator("h1 .status")).ToHaveTextAsync("cancelled");
        await Assertions.Expect(page.Locator("#timeline li[data-type=run_cancelled]")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("button:text('Cancel run')")).ToBeHiddenAsync();
        Assert.Equal("cancelled", (await server.RunAsync(doomed)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_tool_result_holding_a_script_tag_is_shown_as_text_and_never_runs()
    {
        await using var server = await DashboardServer.StartAsync();
        var payload = $"{Script}\n<img src=x onerror=alert(2)>\n";
        await File.WriteAllTextAsync(Path.Combine(server.Directory, "files", "evil.md"), payload, TestContext.Current.CancellationToken);
        var runId = await server.StartRunAsync("reader", "Use read_file on evil.md");
        await server.WaitForStatusAsync(runId, "completed");
        var page = await browser.NewPageAsync();
        var dialogs = WatchDialogs(page);

        await SignInWithKeyboardAsync(page, server);
        await page.GotoAsync(new Uri(server.BaseUri, $"/#/runs/{runId}").ToString());

        var output = page.Locator("#timeline li[data-type=tool_completed] .tool-output");
        await Assertions.Expect(output).ToHaveTextAsync(payload.TrimEnd('\n'));
        await Assertions.Expect(page.Locator("#timeline li[data-type=run_completed]")).ToContainTextAsync(Script);
        // The text stayed text: no element was made from it anywhere on the page, and nothing ran.
        Assert.Equal(1, await page.Locator("script").CountAsync());
        Assert.Equal(0, await page.Locator("img").CountAsync());
        await page.WaitForTimeoutAsync(300);
        Assert.Empty(dialogs);
    }

    [Fact]
    public async Task Spend_is_charted_by_provider_and_by_day_from_the_stats_of_the_keys_org()
    {
        await using var server = await DashboardServer.StartAsync();
        for (var i = 0; i < 2; i++)
        {
            using var content = new StringContent(
                $$"""{"model":"claude-3.5-sonnet","messages":[{"role":"user","content":"Say hello number {{i}}"}]}""", System.Text.Encoding.UTF8, "application/json");
            using var response = await server.Http.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), content, TestContext.Current.CancellationToken);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        var page = await browser.NewPageAsync();
        await SignInWithKeyboardAsync(page, server);
        await page.Locator("nav a[data-section=spend]").ClickAsync();

        var rows = page.Locator("#spend-table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First.Locator("td").First).ToHaveTextAsync("anthropic");
        await Assertions.Expect(rows.First.Locator("td").Nth(1)).ToHaveTextAsync("2");
        await Assertions.Expect(rows.First.Locator("td").Nth(4)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\$0\.\d*[1-9]"));
        await Assertions.Expect(page.Locator("#spend-chart svg rect.bar")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#spend-chart svg")).ToContainTextAsync("anthropic");
        await Assertions.Expect(page.Locator("#spend-totals")).ToContainTextAsync("2 calls");

        await ScreenshotAsync(page, "spend.png", forDocs: false);
        await page.Locator("#spend-group").SelectOptionAsync("day");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(rows.First.Locator("td").First).ToHaveTextAsync(today);
        await AssertNoHorizontalOverflowAsync(page);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_the_servers_message_and_kept_nowhere()
    {
        await using var server = await DashboardServer.StartAsync();
        var page = await browser.NewPageAsync();

        await page.GotoAsync(server.BaseUri.ToString());
        await page.Locator("#api-key").FillAsync("cos_not_a_key");
        await page.Locator("#api-key").PressAsync("Enter");

        await Assertions.Expect(page.Locator("#signin-error")).ToContainTextAsync("Invalid API key");
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('companyos.key')"));
        await Assertions.Expect(page.Locator("#nav")).ToBeHiddenAsync();
    }

    private static List<string> WatchDialogs(IPage page)
    {
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            lock (dialogs)
            {
                dialogs.Add($"{dialog.Type}: {dialog.Message}");
            }

            _ = dialog.DismissAsync();
        };
        return dialogs;
    }

    private static async Task SignInWithKeyboardAsync(IPage page, DashboardServer server)
    {
        await page.GotoAsync(server.BaseUri.ToString());
        // The key field has focus on arrival; Enter submits: no mouse needed.
        await Assertions.Expect(page.Locator("#api-key")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(server.Key);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#nav")).ToBeVisibleAsync();
        Assert.Equal(server.Key, await page.EvaluateAsync<string>("sessionStorage.getItem('companyos.key')"));
    }

    private static async Task AssertNoHorizontalOverflowAsync(IPage page)
    {
        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(width <= 1280, $"the page is {width} px wide at a 1280 px viewport");
        // Nor does a table outgrow its box (it would hide columns behind a scrollbar).
        var overflowing = await page.EvaluateAsync<int>("[...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth).length");
        Assert.Equal(0, overflowing);
    }

    private static async Task<int> CountStoredEventsAsync(DashboardServer server, string runId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/v1/runs/{runId}/events", UriKind.Relative));
        using var response = await server.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return body.Split('\n').Count(line => line.StartsWith("id: ", StringComparison.Ordinal));
    }

    /// <summary>Saved under artifacts/dashboard/ on every run; into docs/images/ (the README's pictures) with COMPANYOS_UPDATE_DOCS_IMAGES=1.</summary>
    private static async Task ScreenshotAsync(IPage page, string name, bool fullPage = false, bool forDocs = true)
    {
        var artifacts = Path.Combine(DashboardServer.RepoRoot, "artifacts", "dashboard");
        Directory.CreateDirectory(artifacts);
        var bytes = await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, name), FullPage = fullPage });
        Assert.True(bytes.Length > 1000);
        if (forDocs && Environment.GetEnvironmentVariable("COMPANYOS_UPDATE_DOCS_IMAGES") == "1")
        {
            Directory.CreateDirectory(Path.Combine(DashboardServer.RepoRoot, "docs", "images"));
            await File.WriteAllBytesAsync(Path.Combine(DashboardServer.RepoRoot, "docs", "images", name), bytes, TestContext.Current.CancellationToken);
        }
    }
}
