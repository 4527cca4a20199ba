using CompanyOs.Configuration;

namespace CompanyOs.Server.Hosting;

/// <summary>
/// <c>config/server.yaml</c>: the server's settings in a file, read with the same checks and error quality as
/// <c>llm.yaml</c> (file, key, line; unknown keys with a suggestion). Settings given on the command line or in the
/// <c>CompanyOs:Server</c> configuration section override the file.
/// </summary>
internal static class ServerConfigFile
{
    public const string DefaultPath = "config/server.yaml";

    private static readonly string[] Keys =
        ["urls", "max_request_body_bytes", "shutdown_drain_seconds", "default_org", "keys_database", "emulator",
         "request_headers_timeout_seconds", "keep_alive_timeout_seconds", "min_request_body_bytes_per_second",
         "min_request_body_grace_seconds", "max_request_header_bytes"];

    /// <exception cref="ConfigurationException">The file is unreadable or holds an invalid setting.</exception>
    public static ServerOptions Load(string path)
    {
        string text;
        try
        {
            text = ConfigFile.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, string.Empty, $"cannot read the file: {e.Message}", e);
        }

        var options = new ServerOptions();
        var root = ConfigDocument.Parse(text, new ConfigReadContext(path));
        if (root.IsNull)
        {
            return options;
        }

        if (!root.IsMapping)
        {
            throw root.Error("must be a mapping of server settings (" + string.Join(", ", Keys) + ")");
        }

        root.ExpectOnlyKeys(Keys);
        options.Urls = root.Child("urls").AsString();
        options.MaxRequestBodyBytes = root.Child("max_request_body_bytes").AsInt(1, int.MaxValue) ?? options.MaxRequestBodyBytes;
        options.ShutdownDrainSeconds = root.Child("shutdown_drain_seconds").AsInt(1, 3600) ?? options.ShutdownDrainSeconds;
        var org = root.Child("default_org");
        options.DefaultOrg = org.AsString() is { } name ? (string.IsNullOrWhiteSpace(name) ? throw org.Error("must not be empty") : name) : options.DefaultOrg;
        options.KeysDatabase = root.Child("keys_database").AsString();
        options.RequestHeadersTimeoutSeconds = root.Child("request_headers_timeout_seconds").AsInt(1, 3600) ?? options.RequestHeadersTimeoutSeconds;
        options.KeepAliveTimeoutSeconds = root.Child("keep_alive_timeout_seconds").AsInt(1, 86400) ?? options.KeepAliveTimeoutSeconds;
        options.MinRequestBodyBytesPerSecond = root.Child("min_request_body_bytes_per_second").AsInt(0, int.MaxValue) ?? options.MinRequestBodyBytesPerSecond;
        // Kestrel checks rates once a second: a grace period under two heartbeats would cut healthy bodies.
        options.MinRequestBodyGraceSeconds = root.Child("min_request_body_grace_seconds").AsInt(2, 3600) ?? options.MinRequestBodyGraceSeconds;
        options.MaxRequestHeaderBytes = root.Child("max_request_header_bytes").AsInt(1024, 16 * 1024 * 1024) ?? options.MaxRequestHeaderBytes;
        options.Emulator = root.Child("emulator").AsBool() ?? false;
        return options;
    }
}
