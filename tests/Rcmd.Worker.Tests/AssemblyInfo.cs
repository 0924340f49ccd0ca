// The integration tests start real processes and measure leases in seconds; running the classes one after another keeps
// them clear of each other on a small machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
