//! Incremental fetch sessions (KIP-227).
//!
//! A fetcher (a consumer, or a follower fetching from a leader) opens a session on each broker
//! it fetches from with a full fetch naming every partition. From then on each fetch names only
//! the partitions whose request changed (a new fetch offset, a new leader epoch) and those to
//! forget; the broker remembers the rest, and answers only the partitions with something new
//! (records, a moved high watermark or log start offset, an error). An idle cluster's fetches
//! become empty requests and empty answers.
//!
//! - [`handler`]: the fetcher's side (Java's `FetchSessionHandler`).
//! - [`cache`]: the broker's side (`FetchSession.scala`: `FetchSessionCache`, `FetchManager`,
//!   the fetch contexts), bounded by `max.incremental.fetch.session.cache.slots`.

pub mod cache;
pub mod handler;

pub use cache::{FetchContext, FetchSessionCache};
pub use handler::FetchSessionHandler;

/// A consumer's request for a partition, as the tests of both sides write it.
#[cfg(test)]
fn test_partition(topic: &str, partition: u32, fetch_offset: u64) -> crate::protocol::FetchPartition {
    crate::protocol::FetchPartition {
        tp: crate::protocol::TopicPartition::new(topic, partition),
        fetch_offset,
        current_leader_epoch: None,
        last_fetched_epoch: None,
        partition_max_bytes: 100,
    }
}
