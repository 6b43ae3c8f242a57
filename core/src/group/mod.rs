//! Consumer groups. So far: the classic protocol's partition assignors.
//! The group coordinator, JoinGroup/SyncGroup/Heartbeat and committed offsets
//! come with the consumer-group work.

pub mod assignor;
