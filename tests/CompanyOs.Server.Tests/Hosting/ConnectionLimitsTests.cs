using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using CompanyOs.Configuration;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>Header/read timeouts and header size from server.yaml, enforced by Kestrel on raw connections.</summary>
public sealed class ConnectionLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_slow_loris_client_dribbling_headers_is_cut_within_the_header_timeout()
    {
        var yaml = WriteYaml("request_headers_timeout_seconds: 2\n");
        await using var server = await TestServers.StartAsync(extraArgs: ["--server-config", yaml]);
        using var tcp = await ConnectAsync(server);
        var stream = tcp.GetStream();
        await stream.WriteAsync("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"u8.ToArray(), Ct);

        var clock = Stopwatch.StartNew();
        var cut = false;
        // One header byte every 250 ms: each arrives well within any per-read timeout, the whole never completes.
        for (var i = 0; i < 80 && !cut; i++)
        {
            try
            {
                await stream.WriteAsync(new[] { (byte)'x' }, Ct);
                await Task.Delay(250, Ct);
                cut = tcp.Client.Poll(0, SelectMode.SelectRead) && (tcp.Available == 0 || await ReadsResponseAsync(stream));
            }
            catch (IOException)
            {
                cut = true;
            }
        }

        Assert.True(cut, $"the connection was still open after {clock.Elapsed.TotalSeconds:0.0} s");
        // Kestrel checks its timeouts once a second; the upper bound leaves room for a loaded CI machine and is still far
        // below what an unenforced limit would allow (the loop gives up after 20 s).
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(9));
    }

    [Fact]
    public async Task An_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout()
    {
        var yaml = WriteYaml("keep_alive_timeout_seconds: 2\n");
        await using var server = await TestServers.StartAsync(extraArgs: ["--server-config", yaml]);
        using var tcp = await ConnectAsync(server);
        var stream = tcp.GetStream();
        await stream.WriteAsync("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray(), Ct);
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, Ct);
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);

        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var closed = await stream.ReadAsync(buffer, timeout.Token);

        Assert.Equal(0, closed);
        // Kestrel's heartbeat checks the keep-alive timeout once a second: 2 s plus up to a second or two on a loaded CI
        // machine (5.2 s seen once); the default keep-alive (130 s) would hit the 10 s read timeout above instead.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(9));
    }

    [Fact]
    public async Task A_body_slower_than_the_minimum_data_rate_is_408_in_the_wire_format()
    {
        var yaml = WriteYaml("min_request_body_bytes_per_second: 1000\nmin_request_body_grace_seconds: 2\n");
        await using var server = await TestServers.StartAsync(extraArgs: ["--server-config", yaml]);
        using var tcp = await ConnectAsync(server);
        var stream = tcp.GetStream();
        await stream.WriteAsync("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"u8.ToArray(), Ct);

        var clock = Stopwatch.StartNew();
        var response = new StringBuilder();
        var buffer = new byte[4096];
        for (var i = 0; i < 80 && clock.Elapsed < TimeSpan.FromSeconds(10); i++)
        {
            try
            {
                await stream.WriteAsync("\"a\":1,"u8.ToArray(), Ct);
            }
            catch (IOException)
            {
                break;
            }

            await Task.Delay(250, Ct);
            if (tcp.Available > 0)
            {
                response.Append(Encoding.UTF8.GetString(buffer, 0, await stream.ReadAsync(buffer, Ct)));
                break;
            }
        }

        Assert.StartsWith("HTTP/1.1 408", response.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"code\":\"request_timeout\"", response.ToString(), StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Headers_over_the_configured_size_get_431()
    {
        var yaml = WriteYaml("max_request_header_bytes: 2048\n");
        await using var server = await TestServers.StartAsync(extraArgs: ["--server-config", yaml]);
        using var http = TestServers.Http(server);
        using var small = new HttpRequestMessage(HttpMethod.Get, "healthz");
        small.Headers.Add("x-padding", new string('a', 1000));
        using var large = new HttpRequestMessage(HttpMethod.Get, "healthz");
        large.Headers.Add("x-padding", new string('a', 3000));

        using var fits = await http.SendAsync(small, Ct);
        using var tooLarge = await http.SendAsync(large, Ct);

        Assert.Equal(200, (int)fits.StatusCode);
        Assert.Equal(431, (int)tooLarge.StatusCode);
    }

    [Theory]
    [InlineData("request_headers_timeout_seconds: 0\n", "request_headers_timeout_seconds")]
    [InlineData("keep_alive_timeout_seconds: soon\n", "keep_alive_timeout_seconds")]
    [InlineData("min_request_body_grace_seconds: 1\n", "min_request_body_grace_seconds")]
    [InlineData("max_request_header_bytes: 10\n", "max_request_header_bytes")]
    [InlineData("inline_streams: -1\n", "inline_streams")]
    public async Task A_bad_limit_in_server_yaml_fails_startup_naming_file_key_and_line(string yaml, string key)
    {
        var file = WriteYaml(yaml);

        var e = await Assert.ThrowsAsync<ConfigurationException>(() => TestServers.StartAsync(extraArgs: ["--server-config", file]));

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_limit_on_the_command_line_fails_startup_naming_the_key()
    {
        var e = await Assert.ThrowsAsync<ConfigurationException>(() => TestServers.StartAsync(extraArgs: ["--CompanyOs:Server:RequestHeadersTimeoutSeconds=-3"]));

        Assert.Contains("CompanyOs:Server:RequestHeadersTimeoutSeconds", e.Message, StringComparison.Ordinal);
        Assert.Contains("'-3'", e.Message, StringComparison.Ordinal);
    }

    private static async Task<TcpClient> ConnectAsync(Server.Hosting.GatewayServer server)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port, Ct);
        return tcp;
    }

    /// <summary>Kestrel may answer a timed-out request with 408 before closing: either way the connection is done.</summary>
    private static async Task<bool> ReadsResponseAsync(NetworkStream stream)
    {
        var buffer = new byte[1024];
        var read = await stream.ReadAsync(buffer, Ct);
        return read == 0 || Encoding.ASCII.GetString(buffer, 0, read).StartsWith("HTTP/1.1 408", StringComparison.Ordinal);
    }

    private static string WriteYaml(string yaml)
    {
        var dir = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "server.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }
}
