//! Transactions as Kafka's transaction coordinator keeps them: each
//! transactional id's producer id and epoch, its state with Kafka's legal
//! transitions (`TransactionState.VALID_PREVIOUS_STATES`), and the partitions
//! the open transaction wrote to. `log` is the `__transaction_state` record
//! layout; `marker` the control records that end a transaction in a partition.
//!
//! With transaction version 1 the epoch is bumped by InitProducerId and by a
//! fence; with version 2 (KIP-890, Kafka 4's default) also by every EndTxn.

pub mod log;
pub mod marker;

use crate::protocol::TopicPartition;
use crate::sorted::SortedSet;
use alloc::string::String;
use core::fmt;

/// The internal topic of transaction states.
pub const TRANSACTION_STATE_TOPIC: &str = "__transaction_state";
/// `transaction.max.timeout.ms`: the longest transaction.timeout.ms a producer may ask for.
pub const TRANSACTION_MAX_TIMEOUT_MS: u64 = 900_000;
/// `transaction.abort.timed.out.transaction.cleanup.interval.ms`.
pub const TIMED_OUT_CHECK_INTERVAL_MS: u64 = 10_000;

/// A transactional id's partition of `__transaction_state`: `Utils.abs(hashCode) % partitions`,
/// as for groups.
pub fn partition_for(transactional_id: &str, partitions: u32) -> u32 {
    crate::group::coordinator::partition_for(transactional_id, partitions)
}

/// Kafka's `TransactionState`, with its status byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TxnState {
    Empty,
    Ongoing,
    PrepareCommit,
    PrepareAbort,
    CompleteCommit,
    CompleteAbort,
    Dead,
    PrepareEpochFence,
}

impl TxnState {
    pub fn id(self) -> i8 {
        self as i8
    }

    pub fn from_id(id: i8) -> Option<TxnState> {
        use TxnState::*;
        [Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort, Dead, PrepareEpochFence]
            .get(usize::try_from(id).ok()?)
            .copied()
    }

    /// `VALID_PREVIOUS_STATES`.
    pub fn may_follow(self, previous: TxnState) -> bool {
        use TxnState::*;
        match self {
            Empty => matches!(previous, Empty | CompleteCommit | CompleteAbort),
            Ongoing => matches!(previous, Ongoing | Empty | CompleteCommit | CompleteAbort),
            PrepareCommit => previous == Ongoing,
            // From a finished or empty state: transaction version 2's abort of a transaction no
            // partition joined.
            PrepareAbort => matches!(previous, Ongoing | PrepareEpochFence | Empty | CompleteCommit | CompleteAbort),
            CompleteCommit => previous == PrepareCommit,
            CompleteAbort => previous == PrepareAbort,
            Dead => matches!(previous, Empty | CompleteCommit | CompleteAbort),
            PrepareEpochFence => previous == Ongoing,
        }
    }

    /// Markers are being written: the outcome is decided, the partitions not yet told.
    pub fn is_prepared(self) -> bool {
        matches!(self, TxnState::PrepareCommit | TxnState::PrepareAbort)
    }
}

impl fmt::Display for TxnState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// One transactional id as its coordinator knows it (Kafka's `TransactionMetadata`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnMetadata {
    pub transactional_id: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub timeout_ms: u64,
    pub state: TxnState,
    /// Partitions the open (or deciding) transaction wrote to, `__consumer_offsets` ones included.
    pub partitions: SortedSet<TopicPartition>,
    pub last_update_ms: u64,
    /// When the open transaction began; -1 in Kafka when there is none.
    pub start_ms: Option<u64>,
    /// The epoch before the last InitProducerId bump (`lastProducerEpoch`), so a retried bump is
    /// answered, not fenced. Kept in memory only (Kafka also writes it to the log).
    pub last_producer_epoch: Option<i16>,
}

impl TxnMetadata {
    /// The same id moved to `state`, checked against Kafka's transitions.
    pub fn to(&self, state: TxnState, now_ms: u64) -> Result<TxnMetadata, TxnState> {
        if !state.may_follow(self.state) {
            return Err(self.state);
        }
        let mut next = self.clone();
        next.state = state;
        next.last_update_ms = now_ms;
        match state {
            TxnState::Ongoing if self.state != TxnState::Ongoing => next.start_ms = Some(now_ms),
            TxnState::Empty | TxnState::CompleteCommit | TxnState::CompleteAbort => {
                next.partitions.clear();
                next.start_ms = None;
            }
            _ => {}
        }
        Ok(next)
    }

    /// An open transaction older than its timeout (the coordinator aborts it).
    pub fn timed_out(&self, now_ms: u64) -> bool {
        self.state == TxnState::Ongoing && self.start_ms.is_some_and(|s| s + self.timeout_ms < now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_bytes_are_kafkas() {
        for (state, id) in [(TxnState::Empty, 0), (TxnState::PrepareAbort, 3), (TxnState::PrepareEpochFence, 7)] {
            assert_eq!(state.id(), id);
            assert_eq!(TxnState::from_id(id), Some(state));
        }
        assert_eq!(TxnState::from_id(8), None);
        assert_eq!(TxnState::from_id(-1), None);
    }

    #[test]
    fn a_commit_must_pass_through_prepare_and_an_empty_transaction_cannot_commit() {
        use TxnState::*;
        assert!(PrepareCommit.may_follow(Ongoing));
        assert!(!CompleteCommit.may_follow(Ongoing), "markers come between");
        assert!(!PrepareCommit.may_follow(Empty), "nothing to commit");
        assert!(PrepareAbort.may_follow(PrepareEpochFence), "a fence aborts");
        assert!(Ongoing.may_follow(CompleteAbort), "the next transaction");
    }

    #[test]
    fn finishing_clears_the_partitions_and_the_start() {
        let mut m = TxnMetadata {
            transactional_id: "t".into(),
            producer_id: 7,
            producer_epoch: 0,
            timeout_ms: 60_000,
            state: TxnState::Empty,
            partitions: SortedSet::new(),
            last_update_ms: 0,
            start_ms: None,
            last_producer_epoch: None,
        };
        m = m.to(TxnState::Ongoing, 10).unwrap();
        m.partitions.insert(TopicPartition::new("a", 0));
        assert_eq!(m.start_ms, Some(10));
        assert!(!m.timed_out(60_010) && m.timed_out(60_011));
        let prepared = m.to(TxnState::PrepareCommit, 20).unwrap();
        assert_eq!(prepared.partitions.len(), 1, "the markers need them");
        let done = prepared.to(TxnState::CompleteCommit, 30).unwrap();
        assert!(done.partitions.is_empty() && done.start_ms.is_none());
        assert_eq!(done.to(TxnState::PrepareCommit, 40), Err(TxnState::CompleteCommit));
    }
}
