//! Consumer groups: the classic protocol's partition assignors and the
//! broker-side group coordinator.

pub mod assignor;
pub mod coordinator;
pub mod metadata;
pub mod offsets;
pub mod sticky;
pub mod wire;
