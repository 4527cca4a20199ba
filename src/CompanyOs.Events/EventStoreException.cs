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

    public EventStoreException(string message, Exception? innerException, bool isTransient)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>
    /// True when retrying the same call may succeed (database busy or locked, connection lost). An append that failed
    /// transiently may or may not have been stored; re-sending it with the same event ids is safe (idempotent append).
    /// </summary>
    public bool IsTransient { get; }
}
