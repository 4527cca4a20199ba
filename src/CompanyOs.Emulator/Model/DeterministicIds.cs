using System.Security.Cryptography;
using System.Text;

namespace CompanyOs.Emulator.Model;

/// <summary>Ids derived from a hash of the conversation, so the same request always gets the same ids.</summary>
internal static class DeterministicIds
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Seed(string material) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)));

    /// <summary>An alphanumeric id of <paramref name="length"/> characters derived from <paramref name="seed"/> and <paramref name="salt"/>.</summary>
    public static string Derive(string seed, string salt, int length)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(seed + "/" + salt));
        var builder = new StringBuilder(length);
        for (var i = 0; builder.Length < length; i++)
        {
            builder.Append(Alphabet[bytes[i % bytes.Length] % Alphabet.Length]);
            if (i == bytes.Length - 1)
            {
                bytes = SHA256.HashData(bytes);
            }
        }

        return builder.ToString();
    }
}
