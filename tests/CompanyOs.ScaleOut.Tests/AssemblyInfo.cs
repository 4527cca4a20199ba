// Each test starts two server processes (plus PostgreSQL work and an emulator): run one test at a time, so that on a
// 2-core machine their start-ups and bursts do not starve each other into timeouts.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
