namespace CompanyOs.Events;

/// <summary>Base of the event store's failures; database exceptions are translated into this family at the store boundary.</summary>
public class EventStoreException : Exception
{
    public EventStoreException(string message)
        : base(message)
    {
    }

    public EventStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
