//! Every bound the simulation enforces, in one place so the UI can state them.
//! A scenario cannot exhaust the tab's memory: each queue, log and history
//! below has a limit, and exceeding it is an error value, never a crash.

/// Brokers in a cluster (keys 1 to 9 crash and start the first nine).
pub const BROKERS_MAX: u32 = 12;
/// Topics in a cluster.
pub const TOPICS_MAX: usize = 100;
/// Partitions of one topic.
pub const PARTITIONS_MAX: u32 = 64;
/// Producers and consumers together.
pub const CLIENTS_MAX: usize = 32;
/// Records one partition replica keeps; a Produce past it gets POLICY_VIOLATION.
pub const RECORDS_PER_PARTITION_MAX: usize = 100_000;
/// Records a client keeps waiting (for metadata or in batches) before `send` is refused,
/// the playground's stand-in for `buffer.memory`.
pub const RECORDS_BUFFERED_PER_PRODUCER_MAX: usize = 10_000;
/// Processed records a consumer remembers for the delivery counts (duplicates, losses).
pub const PROCESSED_RECORDS_MAX: usize = 10_000;
/// Ids an idempotent consumer remembers (the `dedupe` processing setting).
pub const PROCESSED_IDS_MAX: usize = 10_000;
/// Records a consumer keeps of what its polls returned, oldest dropped first.
pub const RECORDS_RECEIVED_PER_CONSUMER_MAX: usize = 1_000;
/// Messages and timers scheduled at once.
pub const SCHEDULED_MAX: usize = 200_000;
/// Events kept for the caller between two drains; older ones are counted and dropped.
pub const EVENTS_BUFFERED_MAX: usize = 100_000;
/// Bytes of a key, a value or a header value.
pub const RECORD_FIELD_BYTES_MAX: usize = 1_000_000;
/// `expect` lines whose result when reached is remembered (later ones are checked against the state now).
pub const CHECKPOINTS_REMEMBERED_MAX: usize = 1_000;
/// How far one `advance` may move time: 400 days.
pub const ADVANCE_MS_MAX: u64 = 400 * 86_400_000;
/// Link latency.
pub const LATENCY_MS_MAX: u64 = 60_000;
