// These tests start real processes (Azurite, the mock Kafka cluster, the eventrouter worker) and
// wait on them with time limits; run one class at a time so that on a 2-core machine they do not
// starve each other into timeouts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
