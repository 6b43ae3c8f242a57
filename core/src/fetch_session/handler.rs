//! The fetcher's side of a fetch session, one per broker fetched from (Java's
//! `FetchSessionHandler`): which partitions the session holds and what was last sent for each,
//! so that a fetch names only what changed.

use crate::error::KafkaError;
use crate::protocol::{FetchMetadata, FetchPartition, TopicPartition};
use alloc::vec::Vec;

/// One fetcher's session with one broker.
#[derive(Clone, Debug, Default)]
pub struct FetchSessionHandler {
    /// The session and epoch the next request carries (`FetchMetadata.INITIAL` until the broker
    /// opens a session).
    next: FetchMetadata,
    /// The session's partitions in the order the broker keeps them, each with what was last sent
    /// for it (`sessionPartitions`).
    partitions: Vec<FetchPartition>,
}

/// What one fetch sends (`FetchRequestData`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchRequestData {
    pub metadata: FetchMetadata,
    /// Every partition in a full fetch; in an incremental one only those new to the session,
    /// then those whose request changed.
    pub to_send: Vec<FetchPartition>,
    /// Partitions leaving the session (an incremental fetch's `forgotten_topics_data`).
    pub to_forget: Vec<TopicPartition>,
}

impl FetchSessionHandler {
    /// The session's partitions as the last built request left them: what an answer may name.
    pub fn partitions(&self) -> &[FetchPartition] {
        &self.partitions
    }

    /// The session id and epoch the next request carries.
    pub fn metadata(&self) -> FetchMetadata {
        self.next
    }

    /// The request for the partitions the fetcher wants now (`Builder.build`): all of them in a
    /// full fetch; otherwise the new ones, the changed ones (moved to the end of what is sent,
    /// as Java re-inserts them), and the ones no longer wanted to forget.
    pub fn build(&mut self, mut wanted: Vec<FetchPartition>) -> FetchRequestData {
        let metadata = self.next;
        if metadata.is_full() {
            self.partitions = wanted.clone();
            return FetchRequestData { metadata, to_send: wanted, to_forget: Vec::new() };
        }
        let mut kept = Vec::with_capacity(wanted.len());
        let mut altered = Vec::new();
        let mut to_forget = Vec::new();
        // Each partition of the session, in the session's order: kept with what is wanted for
        // it now (and sent if that changed), or forgotten. What is left of `wanted` is new.
        for prev in core::mem::take(&mut self.partitions) {
            match wanted.iter().position(|p| p.tp == prev.tp) {
                Some(i) => {
                    let now = wanted.remove(i);
                    if now != prev {
                        altered.push(now.clone());
                    }
                    kept.push(now);
                }
                None => to_forget.push(prev.tp),
            }
        }
        kept.extend(wanted.iter().cloned());
        self.partitions = kept;
        wanted.extend(altered);
        FetchRequestData { metadata, to_send: wanted, to_forget }
    }

    /// Takes the broker's answer (`handleResponse`): its top-level error, the session id it
    /// gave, and the partitions it named. `false` when the answer cannot be used: the next
    /// fetch is a full one, in a new session.
    pub fn handle_response<'a>(
        &mut self,
        error: Option<&KafkaError>,
        session_id: u32,
        named: impl Iterator<Item = &'a TopicPartition>,
    ) -> bool {
        if let Some(error) = error {
            self.next = match error {
                KafkaError::FetchSessionIdNotFound => FetchMetadata::INITIAL,
                _ => self.next.close_existing_attempt_new(),
            };
            return false;
        }
        let mut count = 0;
        let mut extra = false;
        for tp in named {
            count += 1;
            extra |= !self.partitions.iter().any(|p| &p.tp == tp);
        }
        if self.next.is_full() {
            // A full answer names every partition of the session and no other.
            if extra || count != self.partitions.len() {
                self.next = FetchMetadata::INITIAL;
                return false;
            }
            self.next = match session_id {
                0 => FetchMetadata::INITIAL,
                id => FetchMetadata { session_id: id, epoch: FetchMetadata::next_epoch(FetchMetadata::INITIAL_EPOCH) },
            };
            return true;
        }
        if extra {
            self.next = self.next.close_existing_attempt_new();
            return false;
        }
        self.next = match session_id {
            // The broker closed the session.
            0 => FetchMetadata::INITIAL,
            id => FetchMetadata { session_id: id, epoch: FetchMetadata::next_epoch(self.next.epoch) },
        };
        true
    }

    /// The fetcher is closing: the next request closes the session and opens none
    /// (`notifyClose`, epoch -1).
    pub fn notify_close(&mut self) {
        self.next = FetchMetadata { session_id: self.next.session_id, epoch: FetchMetadata::FINAL_EPOCH };
    }

    /// The request failed (a timeout, a broken connection): the next fetch is a full one that
    /// closes this session (`handleError`).
    pub fn handle_error(&mut self) {
        self.next = self.next.close_existing_attempt_new();
    }
}

#[cfg(test)]
mod tests {
    //! Cases of Kafka's `FetchSessionHandlerTest`, as far as the simulation's requests carry them.
    use super::*;

    use super::super::test_partition as part;

    fn tps(parts: &[FetchPartition]) -> Vec<alloc::string::String> {
        parts.iter().map(|p| alloc::format!("{}@{}", p.tp, p.fetch_offset)).collect()
    }

    /// `testSessionless`: a broker that opens no session keeps every fetch a full one.
    #[test]
    fn test_sessionless() {
        let mut handler = FetchSessionHandler::default();
        let data = handler.build(alloc::vec![part("foo", 0, 0), part("foo", 1, 10)]);
        assert_eq!(data.metadata, FetchMetadata::INITIAL);
        assert_eq!(tps(&data.to_send), ["foo-0@0", "foo-1@10"]);
        let named = [TopicPartition::new("foo", 0), TopicPartition::new("foo", 1)];
        assert!(handler.handle_response(None, 0, named.iter()));
        let data = handler.build(alloc::vec![part("foo", 0, 0), part("foo", 1, 10)]);
        assert_eq!(data.metadata, FetchMetadata::INITIAL, "no session was opened, so the next fetch is full again");
        assert_eq!(data.to_send.len(), 2);
    }

    /// `testIncrementals`: once the broker opens a session, a fetch names only what changed.
    #[test]
    fn test_incrementals() {
        let mut handler = FetchSessionHandler::default();
        handler.build(alloc::vec![part("foo", 0, 0), part("foo", 1, 10)]);
        let named = [TopicPartition::new("foo", 0), TopicPartition::new("foo", 1)];
        assert!(handler.handle_response(None, 123, named.iter()));
        let data = handler.build(alloc::vec![part("foo", 0, 0), part("foo", 1, 10), part("bar", 0, 20)]);
        assert_eq!(data.metadata, FetchMetadata { session_id: 123, epoch: 1 });
        assert_eq!(tps(&data.to_send), ["bar-0@20"], "only the new partition is sent");
        assert!(data.to_forget.is_empty());
        assert!(handler.handle_response(None, 123, [TopicPartition::new("bar", 0)].iter()));
        // foo-1 moved on and foo-0 is no longer wanted.
        let data = handler.build(alloc::vec![part("foo", 1, 11), part("bar", 0, 20)]);
        assert_eq!(data.metadata, FetchMetadata { session_id: 123, epoch: 2 });
        assert_eq!(tps(&data.to_send), ["foo-1@11"]);
        assert_eq!(data.to_forget, [TopicPartition::new("foo", 0)]);
        assert_eq!(tps(handler.partitions()), ["foo-1@11", "bar-0@20"]);
    }

    /// `testIncrementalPartitionRemoval` and an answer naming a partition outside the session:
    /// the handler closes the session and starts a new one with a full fetch.
    #[test]
    fn test_incremental_answer_naming_an_unknown_partition_starts_over() {
        let mut handler = FetchSessionHandler::default();
        handler.build(alloc::vec![part("foo", 0, 0)]);
        assert!(handler.handle_response(None, 7, [TopicPartition::new("foo", 0)].iter()));
        handler.build(alloc::vec![part("foo", 0, 0)]);
        assert!(!handler.handle_response(None, 7, [TopicPartition::new("baz", 0)].iter()));
        assert_eq!(handler.metadata(), FetchMetadata { session_id: 7, epoch: 0 }, "close 7, open a new one");
    }

    /// `testVerifyFullFetchResponsePartitions`: a full answer that leaves out a partition of the
    /// session (or names another) is not used, and the next fetch is full again.
    #[test]
    fn test_verify_full_fetch_response_partitions() {
        let mut handler = FetchSessionHandler::default();
        handler.build(alloc::vec![part("foo", 0, 0), part("foo", 1, 0)]);
        assert!(!handler.handle_response(None, 7, [TopicPartition::new("foo", 0)].iter()), "foo-1 omitted");
        assert_eq!(handler.metadata(), FetchMetadata::INITIAL);
        handler.build(alloc::vec![part("foo", 0, 0)]);
        let named = [TopicPartition::new("foo", 0), TopicPartition::new("bar", 0)];
        assert!(!handler.handle_response(None, 7, named.iter()), "bar-0 extra");
        assert_eq!(handler.metadata(), FetchMetadata::INITIAL);
    }

    /// A closing fetcher's last request closes the session and opens none (`notifyClose`).
    #[test]
    fn test_notify_close() {
        let mut handler = FetchSessionHandler::default();
        handler.build(alloc::vec![part("foo", 0, 0)]);
        assert!(handler.handle_response(None, 7, [TopicPartition::new("foo", 0)].iter()));
        handler.notify_close();
        let data = handler.build(Vec::new());
        assert_eq!(data.metadata, FetchMetadata { session_id: 7, epoch: FetchMetadata::FINAL_EPOCH });
        assert!(data.metadata.is_full() && data.to_send.is_empty());
    }

    /// `testDoubleBuild`-style errors: FETCH_SESSION_ID_NOT_FOUND starts afresh;
    /// INVALID_FETCH_SESSION_EPOCH and a failed request close the session with a full fetch.
    #[test]
    fn test_session_errors() {
        let mut handler = FetchSessionHandler::default();
        handler.build(alloc::vec![part("foo", 0, 0)]);
        assert!(handler.handle_response(None, 7, [TopicPartition::new("foo", 0)].iter()));
        assert!(!handler.handle_response(Some(&KafkaError::InvalidFetchSessionEpoch), 7, [].iter()));
        assert_eq!(handler.metadata(), FetchMetadata { session_id: 7, epoch: 0 });
        assert!(!handler.handle_response(Some(&KafkaError::FetchSessionIdNotFound), 0, [].iter()));
        assert_eq!(handler.metadata(), FetchMetadata::INITIAL);
        assert!(handler.handle_response(None, 9, [TopicPartition::new("foo", 0)].iter()));
        handler.handle_error();
        assert_eq!(handler.metadata(), FetchMetadata { session_id: 9, epoch: 0 });
    }
}
