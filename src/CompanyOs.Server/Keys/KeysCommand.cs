using System.Globalization;

namespace CompanyOs.Server.Keys;

/// <summary>
/// <c>keys create --org X [--scopes gateway,agents,admin] [--models m1,m2] [--rpm N] --keys-db FILE</c>, <c>keys list --keys-db FILE</c>,
/// <c>keys revoke ID --keys-db FILE</c>. The key is printed once, at creation; only its hash is stored.
/// </summary>
internal static class KeysCommand
{
    public const int Usage = 64;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var options = Options(args.Skip(2));
        if (args.Length < 2 || !options.TryGetValue("--keys-db", out var database))
        {
            await error.WriteLineAsync("usage: keys create --org ORG [--scopes gateway,agents,admin] [--models m1,m2] [--rpm N] --keys-db FILE | keys list --keys-db FILE | keys revoke ID --keys-db FILE");
            return Usage;
        }

        var store = new SqliteApiKeyStore(database, TimeProvider.System);
        await store.InitializeAsync(cancellationToken);
        switch (args[1])
        {
            case "create" when options.TryGetValue("--org", out var org):
                var scopes = options.TryGetValue("--scopes", out var s) ? s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [ApiKey.GatewayScope];
                try
                {
                    var models = options.TryGetValue("--models", out var m) ? m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;
                    int? rpm = options.TryGetValue("--rpm", out var r)
                        ? int.TryParse(r, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"--rpm must be a whole number, got '{r}'.")
                        : null;
                    var (record, key) = await store.CreateAsync(org, scopes, models, rpm, cancellationToken);
                    await output.WriteLineAsync($"created {record.Id} for org '{record.Org}' with scopes {string.Join(",", record.Scopes)}, models {(models is null ? "(all)" : string.Join(",", models))}, rpm {(rpm?.ToString(CultureInfo.InvariantCulture) ?? "(no limit)")}");
                    await output.WriteLineAsync($"key (shown once, store it now): {key}");
                    return 0;
                }
                catch (ArgumentException e)
                {
                    await error.WriteLineAsync(e.Message);
                    return Usage;
                }

            case "list":
                foreach (var record in await store.ListAsync(cancellationToken))
                {
                    var state = record.RevokedAt is { } revoked ? "revoked " + revoked.ToString("u", CultureInfo.InvariantCulture) : "active";
                    var models = record.Models is null ? "(all)" : string.Join(",", record.Models);
                    var rpm = record.Rpm?.ToString(CultureInfo.InvariantCulture) ?? "-";
                    await output.WriteLineAsync($"{record.Id}  {record.Prefix}  org={record.Org}  scopes={string.Join(",", record.Scopes)}  models={models}  rpm={rpm}  {state}");
                }

                return 0;
            case "revoke" when args.Length > 2 && !args[2].StartsWith("--", StringComparison.Ordinal):
                if (await store.RevokeAsync(args[2], cancellationToken))
                {
                    await output.WriteLineAsync($"revoked {args[2]}");
                    return 0;
                }

                await error.WriteLineAsync($"no active key with id '{args[2]}'");
                return 1;
            default:
                await error.WriteLineAsync($"keys: unknown or incomplete command '{string.Join(' ', args.Skip(1))}'");
                return Usage;
        }
    }

    private static Dictionary<string, string> Options(IEnumerable<string> args)
    {
        var list = args.ToList();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count - 1; i++)
        {
            if (list[i].StartsWith("--", StringComparison.Ordinal))
            {
                options[list[i]] = list[++i];
            }
        }

        return options;
    }
}
