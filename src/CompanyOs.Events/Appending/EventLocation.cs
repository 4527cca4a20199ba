using System.Globalization;

namespace CompanyOs.Events.Appending;

/// <summary>Which event of which append an error is about; rendered only when an error message needs it.</summary>
internal readonly record struct EventLocation(int Index, Guid EventId, string StreamId)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"event {Index} (id {EventId}) of the append to stream '{StreamId}'");
}
