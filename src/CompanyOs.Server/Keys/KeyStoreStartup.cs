using CompanyOs.Configuration;
using CompanyOs.Server.Hosting;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Server.Keys;

internal static class KeyStoreStartup
{
    /// <exception cref="ConfigurationException">The key database cannot be opened or created.</exception>
    public static async Task InitializeAsync(SqliteApiKeyStore store, CancellationToken cancellationToken)
    {
        try
        {
            await store.InitializeAsync(cancellationToken);
        }
        catch (SqliteException e)
        {
            throw new ConfigurationException("(server configuration)", $"{ServerOptions.SectionName}:KeysDatabase",
                $"cannot open the key database '{store.DatabasePath}': {e.Message}", e);
        }
    }
}
