namespace CompanyOs.Events.Tests.CrashSafety;

/// <summary>
/// The kill -9 contract with the WAL checkpointed every 100 pages (the minimum): the writer process is killed while its
/// background checkpointer copies the WAL into the database file (or the writer checkpoints itself at the hard cap), and
/// every acknowledged event must still be there, the file intact.
/// </summary>
public sealed class SqliteSmallCheckpointCrashSafetyTests : SqliteCrashSafetyTests
{
    protected override int? CheckpointPages => 100;
}
