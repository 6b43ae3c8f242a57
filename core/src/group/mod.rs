//! Consumer groups: the classic protocol's partition assignors and the
//! broker-side group coordinator, and the consumer group protocol's (KIP-848)
//! groups and server-side assignors.

pub mod assignor;
pub mod consumer_group;
pub mod consumer_snapshot;
pub mod coordinator;
pub mod metadata;
pub mod offsets;
pub mod server_assignor;
pub mod sticky;
pub mod wire;
