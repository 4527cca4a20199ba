using System.Text.Json;
using System.Text.Json.Nodes;
using CompanyOs.Emulator.Tests.Infrastructure;

namespace CompanyOs.Emulator.Tests.Scripting;

/// <summary>The scripted model's tool arguments come from what the task says (paths, quoted strings, code blocks, words).</summary>
public sealed class TaskArgumentTests
{
    private const string ReadFile = """{"type":"object","properties":{"path":{"type":"string"},"offset":{"type":"integer","default":0}},"required":["path"]}""";
    private const string ExecuteCode = """{"type":"object","properties":{"language":{"type":"string","enum":["python","bash","node"]},"code":{"type":"string"}},"required":["language","code"]}""";
    private const string WebSearch = """{"type":"object","properties":{"query":{"type":"string"},"count":{"type":"integer","default":5}},"required":["query"]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<Dictionary<string, JsonElement>> CallsFor(string userText, params (string Name, string Schema)[] tools)
    {
        await using var server = await EmulatorServer.StartAsync(cancellationToken: Ct);
        using var http = new RawHttp(server);
        var body = new JsonObject
        {
            ["model"] = "gpt-4o",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = userText }),
            ["tools"] = new JsonArray(tools.Select(t => (JsonNode)new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = t.Name, ["parameters"] = JsonNode.Parse(t.Schema) },
            }).ToArray()),
        };
        var response = await http.PostAsync("v1/chat/completions", body.ToJsonString(), Ct);
        return response.Json.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls").EnumerateArray().ToDictionary(
            c => c.GetProperty("function").GetProperty("name").GetString()!,
            c => JsonDocument.Parse(c.GetProperty("function").GetProperty("arguments").GetString()!).RootElement.Clone());
    }

    [Theory]
    [InlineData("Task: Use read_file on README.md", "README.md")]
    [InlineData("Task: Summarise docs/agents.md, then use read_file on docs/cli.md.", "docs/cli.md")]
    [InlineData("Please read_file \"docs/my notes.md\" and summarise it", "docs/my notes.md")]
    [InlineData("Look at config/llm.yaml with read file", "config/llm.yaml")]
    [InlineData("Use read_file on 'notes.txt'", "notes.txt")]
    public async Task Read_file_gets_the_path_or_quoted_string_of_the_task(string task, string path)
    {
        var calls = await CallsFor(task, ("read_file", ReadFile));

        Assert.Equal(path, calls["read_file"].GetProperty("path").GetString());
    }

    [Fact]
    public async Task Read_file_without_any_path_in_the_task_keeps_the_text()
    {
        var calls = await CallsFor("Use read_file to learn what event sourcing is", ("read_file", ReadFile));

        Assert.Equal("Use read_file to learn what event sourcing is", calls["read_file"].GetProperty("path").GetString());
    }

    [Fact]
    public async Task Execute_code_runs_the_fenced_block_in_its_language()
    {
        var calls = await CallsFor("Task: Use execute_code to run\n```sh\necho hi && uname -s\n```\nand report.", ("execute_code", ExecuteCode));

        Assert.Equal("bash", calls["execute_code"].GetProperty("language").GetString());
        Assert.Equal("echo hi && uname -s", calls["execute_code"].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Execute_code_without_a_block_prints_the_task_instead_of_running_prose()
    {
        var calls = await CallsFor("Task: Use execute_code to print \"hello\"", ("execute_code", ExecuteCode));

        Assert.Equal("python", calls["execute_code"].GetProperty("language").GetString());
        Assert.Equal("""print("print \"hello\"")""", calls["execute_code"].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Web_search_gets_the_task_words_without_the_tool_name_and_filler()
    {
        var calls = await CallsFor("Task: Use web_search to find event sourcing patterns for .NET", ("web_search", WebSearch), ("read_file", ReadFile));

        Assert.Equal("find event sourcing patterns for .NET", calls["web_search"].GetProperty("query").GetString());
        Assert.False(calls.ContainsKey("read_file"), "only the tool the task names is called");
    }

    [Fact]
    public async Task Each_tool_gets_the_path_named_after_it()
    {
        var calls = await CallsFor(
            "Use read_file on docs/agents.md and list_dir on docs/",
            ("read_file", ReadFile),
            ("list_dir", """{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}"""));

        Assert.Equal("docs/agents.md", calls["read_file"].GetProperty("path").GetString());
        Assert.Equal("docs/", calls["list_dir"].GetProperty("path").GetString());
    }
}
