// Writes Sqlite/Fixtures/schema2-events.sqlite: a database written by the shipped schema-2 SQLite store (commit efa82b5),
// kept frozen for SqliteMigrationTests. Not part of the build. To regenerate it, build that commit
// (git archive efa82b5 | tar -x -C /tmp/s2 && dotnet build /tmp/s2/bench/CompanyOs.Benchmarks -c Release), point the
// #r lines at its output and run: dotnet fsi schema2-events.fsx schema2-events.db
#r "/tmp/s2/bench/CompanyOs.Benchmarks/bin/Release/net10.0/CompanyOs.Events.dll"
#r "/tmp/s2/bench/CompanyOs.Benchmarks/bin/Release/net10.0/Microsoft.Data.Sqlite.dll"
#r "/tmp/s2/bench/CompanyOs.Benchmarks/bin/Release/net10.0/SQLitePCLRaw.core.dll"
#r "/tmp/s2/bench/CompanyOs.Benchmarks/bin/Release/net10.0/SQLitePCLRaw.batteries_v2.dll"
#r "/tmp/s2/bench/CompanyOs.Benchmarks/bin/Release/net10.0/SQLitePCLRaw.provider.e_sqlite3.dll"
#r "/tmp/s2/bench/CompanyOs.Benchmarks/bin/Release/net10.0/Microsoft.Extensions.Logging.Abstractions.dll"
open System
open System.Text.Json
open CompanyOs.Events
open CompanyOs.Events.Sqlite
SQLitePCL.Batteries_V2.Init()
let path = fsi.CommandLineArgs.[1]
let store = SqliteEventStore.OpenAsync(SqliteEventStoreOptions(DatabasePath = path)).Result
let gid (n:int) = Guid(sprintf "%08x-0000-4000-8000-%012x" (0x5c4e0000 + n) n)
let ev n (meta: EventMetadata) = EventData(gid n, (if n % 3 = 0 then "agent.step" else "agent.tool_finished"), JsonElement.Parse(sprintf """{"n":%d,"text":"é😀 \"q\"","list":[1, 2.50]}""" n), meta)
let m org = EventMetadata(OrgId = org, CorrelationId = "run-1", Actor = "agent:fixture")
let mutable n = 0
let next meta = n <- n + 1; ev n meta
let app s (exp: ExpectedVersion) evs = store.AppendAsync(s, exp, evs).Result |> ignore
app "run:1" ExpectedVersion.NoStream [| next (m "org-1"); next (m "org-1"); next (m "org-1") |]
app "run:2" ExpectedVersion.NoStream [| next (EventMetadata()) |]
app "run:1" (ExpectedVersion.Exactly 2L) [| next (m "org-1") |]
app "run:2" ExpectedVersion.Any [| next (EventMetadata(CausationId = "c-1")); next (m "org-2") |]
for i in 1 .. 40 do
    app (sprintf "batch:%d" (i % 4)) ExpectedVersion.Any [| for _ in 1 .. 25 -> next (if i % 2 = 0 then m "org-2" else m "org-1") |]
let extra = Collections.Generic.Dictionary<string, string>()
extra.["k"] <- "v é"
app "ünïcode:strom/α" ExpectedVersion.NoStream [| next (EventMetadata(OrgId = "org-3", Extra = extra)) |]
for i in 1 .. 30 do app (sprintf "single:%d" (i % 7)) ExpectedVersion.Any [| next (m "org-1") |]
store.Dispose()
printfn "events: %d" n
