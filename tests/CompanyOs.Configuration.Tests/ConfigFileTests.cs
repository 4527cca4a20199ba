using System.Text;
using CompanyOs.Agents.Definitions;
using CompanyOs.Llm.Configuration;
using CompanyOs.Tools.Configuration;

namespace CompanyOs.Configuration.Tests;

/// <summary>Every configuration file (llm.yaml, tools.yaml, agents/*.yaml) is read bounded and as strict UTF-8.</summary>
public sealed class ConfigFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("companyos-configfile-").FullName;

    public static TheoryData<string> Kinds => ["llm", "tools", "agent"];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_file_larger_than_the_limit_is_refused_not_read_whole(string kind)
    {
        // A valid document padded with a comment: read whole it loads (and a symlink to /dev/zero was read until out of memory).
        var path = Write(kind, Encoding.UTF8.GetBytes(Valid(kind) + "# " + new string('x', ConfigFile.MaxBytes) + "\n"));

        var e = await Assert.ThrowsAsync<ConfigurationException>(() => Load(kind, path));

        Assert.Equal(path, e.File);
        Assert.Contains("larger than 4 MiB", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_file_that_is_not_utf8_is_refused_with_its_line(string kind)
    {
        // Latin-1 "é" (0xE9) in a comment on line 3: decoded leniently it became U+FFFD without a word.
        var bytes = Encoding.UTF8.GetBytes(Valid(kind) + "# caf").Concat(new byte[] { 0xE9, (byte)'\n' }).ToArray();
        var path = Write(kind, bytes);

        var e = await Assert.ThrowsAsync<ConfigurationException>(() => Load(kind, path));

        Assert.Equal(path, e.File);
        Assert.Contains($"not valid UTF-8 (line {Valid(kind).Count(c => c == '\n') + 1}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_utf8_file_with_a_byte_order_mark_loads(string kind)
    {
        var path = Write(kind, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Valid(kind) + "# café\n")]);

        await Load(kind, path);
    }

    private static string Valid(string kind) => kind switch
    {
        "llm" => "providers:\n  openai:\n    api_key: sk-test\n    default_model: gpt-4o\n",
        "tools" => "web_search:\n  provider: none\n",
        _ => "type: probe\npersona_prompt: probe/persona\n",
    };

    private string Write(string kind, byte[] bytes)
    {
        var path = Path.Join(_dir, kind + ".yaml");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static async Task Load(string kind, string path)
    {
        switch (kind)
        {
            case "llm":
                await new LlmConfigLoader(_ => null).LoadAsync(path, TestContext.Current.CancellationToken);
                break;
            case "tools":
                await new ToolsConfigLoader(_ => null).LoadAsync(path, TestContext.Current.CancellationToken);
                break;
            default:
                AgentDefinitionLoader.LoadFile(path, _ => null);
                break;
        }
    }
}
