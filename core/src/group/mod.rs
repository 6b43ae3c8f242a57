//! Consumer groups: the classic protocol's partition assignors and the
//! broker-side group coordinator, and the consumer group protocol's (KIP-848)
//! groups and server-side assignors, and share groups (KIP-932): their groups, their
//! `simple` assignor and the share-partitions their records are delivered from.

pub mod assignor;
pub mod consumer_group;
pub mod consumer_snapshot;
pub mod coordinator;
pub mod metadata;
pub mod offsets;
pub mod server_assignor;
pub mod share_combine;
pub mod share_group;
pub mod share_partition;
pub mod share_snapshot;
pub mod share_state;
pub mod simple_assignor;
pub mod sticky;
pub mod wire;
