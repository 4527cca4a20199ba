namespace CompanyOs.Events.Subscriptions;

/// <summary>
/// One page of a global read: the matching events and the position up to which the store was examined. When fewer
/// events than asked for come back, <see cref="ScannedTo"/> is the head of the store at the time of the read.
/// </summary>
internal sealed record EventPage(IReadOnlyList<RecordedEvent> Events, long ScannedTo);
