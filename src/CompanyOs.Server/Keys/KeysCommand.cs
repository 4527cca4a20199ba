using System.Data.Common;
using System.Globalization;
using CompanyOs.Configuration;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Server.Hosting;

namespace CompanyOs.Server.Keys;

/// <summary>
/// <c>keys create --org X [--scopes gateway,agents,admin] [--models m1,m2] [--rpm N] [--budget-usd N]</c>, <c>keys list</c>,
/// <c>keys revoke ID</c> — each with the store given as <c>--keys-db FILE</c> (SQLite), <c>--server-config FILE</c> (the
/// server's <c>server.yaml</c>: <c>keys_database</c> or <c>keys_store: postgres</c>), or <c>--keys-store postgres
/// --keys-connection-env VAR</c>. The key is printed once, at creation; only its hash is stored.
/// </summary>
public static class KeysCommand
{
    /// <summary>Exit code for bad arguments (BSD <c>EX_USAGE</c>); the error output says what is wrong.</summary>
    public const int Usage = 64;

    /// <summary>Exit code for a store that cannot be configured or opened.</summary>
    public const int StoreUnavailable = 2;

    /// <summary>Exit code for <c>revoke</c> of an id with no active key.</summary>
    public const int NotFound = 1;

    private const string UsageText = """
        usage: keys create --org ORG [--scopes gateway,agents,admin] [--models m1,m2] [--rpm N] [--budget-usd N] STORE
               keys list STORE
               keys revoke KEY_ID STORE
        STORE: --keys-db FILE | --server-config FILE | --keys-store postgres --keys-connection-env VAR
        """;

    private static readonly string[] StoreOptions = ["--keys-db", "--server-config", "--keys-store", "--keys-connection-env"];
    private static readonly string[] CreateOptions = ["--org", "--scopes", "--models", "--rpm", "--budget-usd"];

    /// <summary>Runs one <c>keys</c> command.</summary>
    /// <param name="args">The command line, starting with <c>keys</c> (or directly with the verb: <c>create</c>, <c>list</c>, <c>revoke</c>).</param>
    /// <param name="output">Where results go (the new key, the listing).</param>
    /// <param name="error">Where problems go; secrets never do.</param>
    /// <param name="cancellationToken">Cancels the store's work.</param>
    /// <returns>0 on success, <see cref="Usage"/>, <see cref="StoreUnavailable"/> or <see cref="NotFound"/>.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var words = args is ["keys", .. var rest] ? rest : args;
        if (words is ["--help" or "-h" or "-?", ..] or [_, "--help" or "-h" or "-?", ..])
        {
            await output.WriteLineAsync(UsageText);
            return 0;
        }

        try
        {
            if (words is not [var verb, .. var tail] || verb is not ("create" or "list" or "revoke"))
            {
                throw new ArgumentException(words.Length == 0 ? "keys: missing command." : $"keys: unknown command '{words[0]}'.");
            }

            string? id = null;
            if (verb == "revoke")
            {
                id = tail is [var first, ..] && !first.StartsWith("--", StringComparison.Ordinal)
                    ? first
                    : throw new ArgumentException("keys revoke: missing the key id (as shown by 'keys list', e.g. key_3f2a…).");
                tail = tail[1..];
            }

            var options = Options(tail, verb == "create" ? [.. StoreOptions, .. CreateOptions] : StoreOptions, verb);
            await using var store = OpenStore(options);
            if (store is null)
            {
                throw new ArgumentException($"keys {verb}: say where the keys are: --keys-db FILE, --server-config FILE or --keys-store postgres --keys-connection-env VAR.");
            }

            await store.InitializeAsync(cancellationToken);
            return verb switch
            {
                "create" => await CreateAsync(store, options, output, cancellationToken),
                "list" => await ListAsync(store, output, cancellationToken),
                _ => await RevokeAsync(store, id!, output, error, cancellationToken),
            };
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync(e.Message);
            await error.WriteLineAsync(UsageText);
            return Usage;
        }
        catch (ConfigurationException e)
        {
            await error.WriteLineAsync($"keys: {e.Message}");
            return StoreUnavailable;
        }
        catch (DbException e)
        {
            await error.WriteLineAsync($"keys: the key store failed: {e.Message}");
            return StoreUnavailable;
        }
    }

    private static async Task<int> CreateAsync(ServerStore store, Dictionary<string, string> options, TextWriter output, CancellationToken cancellationToken)
    {
        var org = options.TryGetValue("--org", out var o) ? o : throw new ArgumentException("keys create: --org ORG is required.");
        var scopes = options.TryGetValue("--scopes", out var s) ? List(s) : [ApiKey.GatewayScope];
        var models = options.TryGetValue("--models", out var m) ? List(m) : null;
        int? rpm = options.TryGetValue("--rpm", out var r)
            ? int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"--rpm must be a whole number of at least 1, got '{r}'.")
            : null;
        decimal? budget = options.TryGetValue("--budget-usd", out var b)
            ? decimal.TryParse(b, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var usd) && usd > 0 && usd <= ApiKeyStore.MaxBudgetUsd
                ? usd
                : throw new ArgumentException($"--budget-usd must be an amount of US dollars above 0 and at most {ApiKeyStore.MaxBudgetUsd.ToString(CultureInfo.InvariantCulture)} (like 25 or 0.50), got '{b}'.")
            : null;
        ApiKeyRecord record;
        string key;
        try
        {
            (record, key) = await store.Keys.CreateAsync(org, scopes, models, rpm, budget, cancellationToken);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"keys create: {Option(e.ParamName)}: {FirstSentence(e.Message)}", e);
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"created {record.Id} for org '{record.Org}' with scopes {string.Join(",", record.Scopes)}, models {(models is null ? "(all)" : string.Join(",", models))}, rpm {(rpm?.ToString(CultureInfo.InvariantCulture) ?? "(no limit)")}, budget {(budget is { } x ? "$" + x.ToString(CultureInfo.InvariantCulture) : "(none)")}"));
        await output.WriteLineAsync($"key (shown once, store it now): {key}");
        return 0;
    }

    private static async Task<int> ListAsync(ServerStore store, TextWriter output, CancellationToken cancellationToken)
    {
        var records = await store.Keys.ListAsync(cancellationToken);
        var spent = await store.Spend.GetAsync([.. records.Select(k => new BudgetScope(BudgetScopeKind.ApiKey, k.Id))], cancellationToken);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var state = record.RevokedAt is { } revoked ? "revoked " + revoked.ToString("u", CultureInfo.InvariantCulture) : "active";
            var models = record.Models is null ? "(all)" : string.Join(",", record.Models);
            var rpm = record.Rpm?.ToString(CultureInfo.InvariantCulture) ?? "-";
            var budget = record.BudgetUsd is { } usd ? "$" + usd.ToString(CultureInfo.InvariantCulture) : "-";
            var used = "$" + spent[i].Usd.ToString("0.######", CultureInfo.InvariantCulture);
            await output.WriteLineAsync($"{record.Id}  {record.Prefix}  org={record.Org}  scopes={string.Join(",", record.Scopes)}  models={models}  rpm={rpm}  budget={budget}  spent={used}  {state}");
        }

        return 0;
    }

    private static async Task<int> RevokeAsync(ServerStore store, string id, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (await store.Keys.RevokeAsync(id, cancellationToken))
        {
            await output.WriteLineAsync($"revoked {id}");
            return 0;
        }

        await error.WriteLineAsync($"keys revoke: no active key with id '{id}' (see 'keys list').");
        return NotFound;
    }

    /// <exception cref="ConfigurationException">The server configuration named is unusable.</exception>
    private static ServerStore? OpenStore(Dictionary<string, string> options)
    {
        var settings = options.TryGetValue("--server-config", out var file)
            ? File.Exists(file) ? ServerConfigFile.Load(file) : throw new ArgumentException($"--server-config: the file '{file}' does not exist.")
            : new ServerOptions();
        if (options.TryGetValue("--keys-db", out var database))
        {
            settings.KeysDatabase = database;
            settings.KeysStore = ServerOptions.SqliteStore;
        }

        if (options.TryGetValue("--keys-store", out var kind))
        {
            settings.KeysStore = kind is ServerOptions.SqliteStore or ServerOptions.PostgresStore
                ? kind
                : throw new ArgumentException($"--keys-store must be '{ServerOptions.SqliteStore}' or '{ServerOptions.PostgresStore}', got '{kind}'.");
        }

        if (options.TryGetValue("--keys-connection-env", out var variable))
        {
            settings.KeysConnectionStringEnv = variable;
        }

        return ServerStore.Open(settings, Directory.GetCurrentDirectory(), ProcessEnvironment.Lookup, TimeProvider.System);
    }

    /// <exception cref="ArgumentException">An option is unknown, repeated or lacks its value.</exception>
    private static Dictionary<string, string> Options(string[] args, string[] known, string verb)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                throw new ArgumentException(name.StartsWith("--", StringComparison.Ordinal)
                    ? $"keys {verb}: unknown option '{name}'."
                    : $"keys {verb}: unexpected argument '{name}'.");
            }

            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"keys {verb}: {name} needs a value.");
            }

            if (!options.TryAdd(name, args[++i]))
            {
                throw new ArgumentException($"keys {verb}: {name} is given twice.");
            }
        }

        return options;
    }

    private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Option(string? parameter) => parameter switch
    {
        "budgetUsd" => "--budget-usd",
        null => "keys create",
        var name => "--" + name,
    };

    /// <summary>The exception message without the " (Parameter 'x')" suffix .NET appends.</summary>
    private static string FirstSentence(string message) =>
        message.IndexOf(" (Parameter '", StringComparison.Ordinal) is var at and >= 0 ? message[..at] : message;
}
