using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace CompanyOs.Server.Dashboard;

/// <summary>One file of the dashboard: its bytes, media type and strong ETag (a hash of the content).</summary>
internal sealed record DashboardAsset(string Name, byte[] Content, string ContentType, string ETag);

/// <summary>
/// The dashboard's static files, embedded in the server assembly (<c>Dashboard/Site/**</c>, logical names
/// <c>dashboard/&lt;file&gt;</c>) so that the server serves them with no files on disk and no network. Read once.
/// </summary>
internal static class DashboardAssets
{
    private const string Prefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly Lazy<FrozenDictionary<string, DashboardAsset>> Files = new(Load);

    /// <summary>The names of every file served (e.g. <c>index.html</c>, <c>app.js</c>).</summary>
    public static IEnumerable<string> Names => Files.Value.Keys;

    /// <summary>The file named <paramref name="name"/> (e.g. <c>app.js</c>); null when there is none.</summary>
    public static DashboardAsset? Find(string name) => Files.Value.GetValueOrDefault(name);

    private static FrozenDictionary<string, DashboardAsset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var files = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var name = resource[Prefix.Length..];
            // Only types we can label correctly are served: a file of another type would go out without a trustworthy Content-Type.
            if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var type))
            {
                continue;
            }

            var content = Read(assembly, resource);
            files[name] = new DashboardAsset(name, content, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"");
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
