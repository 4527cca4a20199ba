using System.Diagnostics;
using System.Globalization;
using CompanyOs.Events;
using CompanyOs.Events.Appending;
using CompanyOs.Events.Postgres;
using Npgsql;

namespace CompanyOs.Benchmarks.Events;

/// <summary>
/// Appends/s with 1, 8 and 32 concurrent writers, each on its own stream (one event per append, exact expected
/// version), for the head-row design (<see cref="LegacyHeadRowAppender"/>, the baseline) and the sequence design
/// (<see cref="PostgresEventStore"/>) in the same run, interleaved per writer count and repeated for several rounds.
/// A throughput test with concurrency is not a BenchmarkDotNet shape, hence a plain timed loop:
/// <c>dotnet run -c Release --project bench/CompanyOs.Benchmarks -- pg-writers [seconds] [rounds]</c>
/// against COMPANYOS_TEST_POSTGRES.
/// </summary>
internal static class PostgresWriterScaling
{
    private static readonly int[] WriterCounts = [1, 8, 32];

    public static async Task<int> RunAsync(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("COMPANYOS_TEST_POSTGRES");
        if (string.IsNullOrEmpty(connectionString))
        {
            await Console.Error.WriteLineAsync("COMPANYOS_TEST_POSTGRES is not set. Run: source scripts/postgres.sh && start_test_postgres");
            return 2;
        }

        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 8;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var measure = TimeSpan.FromSeconds(seconds);
        await using var raw = NpgsqlDataSource.Create(connectionString);
        await PrintSettingsAsync(raw);

        var results = new Dictionary<(string Design, int Writers), List<double>>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var writers in WriterCounts)
            {
                // Alternate which design goes first, so a drifting machine load does not favour one of them.
                string[] designs = round % 2 == 1 ? ["old (head row)", "new (sequence)"] : ["new (sequence)", "old (head row)"];
                foreach (var design in designs)
                {
                    var perSecond = design.StartsWith("old", StringComparison.Ordinal)
                        ? await RunOldAsync(raw, connectionString, writers, measure)
                        : await RunNewAsync(raw, connectionString, writers, measure);
                    Console.WriteLine($"round {round}: {design,-15} {writers,2} writers: {perSecond,8:0} appends/s");
                    if (!results.TryGetValue((design, writers), out var list))
                    {
                        results[(design, writers)] = list = [];
                    }

                    list.Add(perSecond);
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("| Writers (distinct streams) | Old: head row, appends/s (min–max) | New: sequence + safe position, appends/s (min–max) | New / old |");
        Console.WriteLine("|---:|---:|---:|---:|");
        foreach (var writers in WriterCounts)
        {
            var olds = results[("old (head row)", writers)];
            var news = results[("new (sequence)", writers)];
            var old = LoopMath.Median(olds);
            var @new = LoopMath.Median(news);
            Console.WriteLine($"| {writers} | {old:0} ({olds.Min():0}–{olds.Max():0}) | {@new:0} ({news.Min():0}–{news.Max():0}) | {@new / old:0.00}× |");
        }

        Console.WriteLine($"(median of {rounds} rounds of {seconds:0.#} s each, after 1 s of warm-up)");
        return 0;
    }

    private static async Task<double> RunOldAsync(NpgsqlDataSource raw, string connectionString, int writers, TimeSpan measure)
    {
        var schema = NewSchema();
        await LegacyHeadRowAppender.CreateSchemaAsync(raw, schema);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var appender = new LegacyHeadRowAppender(dataSource, schema);
        var options = new EventStoreOptions();
        try
        {
            return await MeasureAsync(writers, measure, (stream, version) =>
                appender.AppendAsync(stream, version, AppendValidator.Prepare(stream, [BenchEvents.One()], options), DateTimeOffset.UtcNow, CancellationToken.None));
        }
        finally
        {
            await DropAsync(raw, schema);
        }
    }

    private static async Task<double> RunNewAsync(NpgsqlDataSource raw, string connectionString, int writers, TimeSpan measure)
    {
        var schema = NewSchema();
        var store = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = schema });
        try
        {
            return await MeasureAsync(writers, measure, (stream, version) => store.AppendAsync(stream, version, [BenchEvents.One()]));
        }
        finally
        {
            await store.DisposeAsync();
            await DropAsync(raw, schema);
        }
    }

    /// <summary>Each writer appends to its own stream as fast as it can; counts appends completed in the measured window.</summary>
    private static async Task<double> MeasureAsync(int writers, TimeSpan measure, Func<string, ExpectedVersion, Task<AppendResult>> append)
    {
        var counting = 0;
        var stop = 0;
        var counted = new long[writers];
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var stream = $"writer-{w}";
            var expected = ExpectedVersion.NoStream;
            while (Volatile.Read(ref stop) == 0)
            {
                var result = await append(stream, expected);
                expected = ExpectedVersion.Exactly(result.NextExpectedVersion);
                if (Volatile.Read(ref counting) == 1)
                {
                    counted[w]++;
                }
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref counting, 1);
        await Task.Delay(measure);
        Volatile.Write(ref counting, 0);
        var elapsed = clock.Elapsed;
        var total = counted.Sum();
        Volatile.Write(ref stop, 1);
        await Task.WhenAll(tasks);
        return total / elapsed.TotalSeconds;
    }

    private static async Task PrintSettingsAsync(NpgsqlDataSource raw)
    {
        await using var command = raw.CreateCommand(
            "SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'shared_buffers', 'max_connections', 'commit_delay') ORDER BY name");
        await using var reader = await command.ExecuteReaderAsync();
        var settings = new List<string>();
        while (await reader.ReadAsync())
        {
            settings.Add($"{reader.GetString(0)}={reader.GetString(1)}");
        }

        Console.WriteLine($"PostgreSQL: {string.Join(", ", settings)}; {Environment.ProcessorCount} cores");
    }

    private static string NewSchema() => "bench_" + Guid.NewGuid().ToString("N");

    private static async Task DropAsync(NpgsqlDataSource raw, string schema)
    {
        await using var drop = raw.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        await drop.ExecuteNonQueryAsync();
    }
}
