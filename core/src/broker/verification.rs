//! Transaction verification (KIP-890). Before a partition takes a producer's
//! first transactional batch of a transaction, its leader (or, for the
//! offsets of `sendOffsetsToTransaction`, the group coordinator) asks the
//! transaction coordinator with AddPartitionsToTxn: with transaction version
//! 2 to add the partition to the producer's transaction (the producer no
//! longer asks), with version 1 only to verify that the producer added it
//! (`transaction.partition.verification.enable`, on by default since 3.6).
//! A write the coordinator does not vouch for is refused, so a batch left over
//! from a transaction that already ended cannot start a transaction of its
//! own that nothing would ever end (a hanging transaction).
//!
//! Kafka also keeps a verification guard, so that a transaction that ends
//! between the answer and the append is caught; here the append follows the
//! answer in the same step, and under version 2 the epoch check catches the
//! rest.

use super::leader::WriteFor;
use super::{Broker, Pending};
use crate::batch::BatchBytes;
use crate::effects::Effects;
use crate::error::KafkaError;
use crate::net::Node;
use crate::protocol::{Acks, ProducedPartition, Request, TopicPartition, TxnIdentity};
use crate::txn::TRANSACTION_STATE_TOPIC;
use alloc::string::String;
use alloc::vec::Vec;

/// Writes waiting for the transaction coordinator at once on one broker, a stated limit.
pub const VERIFYING_MAX: usize = 1_000;

/// A write waiting for the transaction coordinator's answer.
#[derive(Clone, Debug)]
pub(super) enum Verifying {
    Produce { from: Node, id: u32, acks: (Acks, u64), tp: TopicPartition, bytes: BatchBytes },
    TxnOffsetCommit { from: Node, id: u32, txn: TxnIdentity, group: String, offsets: Vec<(TopicPartition, u64)> },
}

impl Broker {
    /// Whether `tp` must have the producer's transaction verified before taking its batch: this
    /// broker leads it and no transaction of this producer and epoch is open in it
    /// (`UnifiedLog.hasOngoingTransaction`).
    pub(super) fn needs_verification(&self, tp: &TopicPartition, producer_id: i64, epoch: i16) -> bool {
        // Version 2 producers leave adding partitions to the leader; version 1 ones are verified
        // only with transaction.partition.verification.enable.
        (self.config.transaction_version >= 2 || self.config.partition_verification)
            && self.replicas.get(tp).is_some_and(|r| {
                matches!(r.role, super::Role::Leader(_)) && !r.log.has_ongoing_transaction(producer_id, epoch)
            })
    }

    /// Asks `txn`'s coordinator to add `tp` to its transaction (or to verify it is there); `then`
    /// goes on when it answers.
    pub(super) fn verify_transaction(
        &mut self,
        txn: TxnIdentity,
        tp: TopicPartition,
        then: Verifying,
        fx: &mut Effects,
    ) {
        if self.verifying.len() >= VERIFYING_MAX {
            return self.fail_verifying(then, KafkaError::NotEnoughReplicas, fx);
        }
        let key = self.next_verification;
        self.next_verification = self.next_verification.wrapping_add(1);
        self.verifying.insert(key, then);
        let verify_only = self.config.transaction_version < 2;
        let state_tp = TopicPartition::new(TRANSACTION_STATE_TOPIC, self.txn_partition(&txn.transactional_id));
        match self.image.partition(&state_tp).and_then(|p| p.leader) {
            None => self.on_verified(key, Err(KafkaError::CoordinatorNotAvailable), fx),
            Some(c) if c == self.id => self.add_or_verify(txn, alloc::vec![tp], verify_only, Verifier::Local(key), fx),
            Some(c) => {
                let request = Request::AddPartitionsToTxn { txn, partitions: alloc::vec![tp], verify_only };
                self.request(Node::Broker(c), request, Pending::TxnVerify(key), fx);
            }
        }
    }

    /// The coordinator answered (or did not): the write goes on, or is refused with the error a
    /// producer understands (`ReplicaManager.appendRecords`' translation: retriable coordinator
    /// errors become NOT_ENOUGH_REPLICAS; PRODUCER_FENCED becomes INVALID_PRODUCER_EPOCH).
    pub(super) fn on_verified(&mut self, key: u32, result: Result<(), KafkaError>, fx: &mut Effects) {
        let Some(then) = self.verifying.remove(&key) else { return };
        match result {
            Ok(()) => match then {
                Verifying::Produce { from, id, acks, tp, bytes } => {
                    self.write(from, id, acks, tp, bytes, WriteFor::Produce { log_append_time_ms: None }, fx)
                }
                Verifying::TxnOffsetCommit { from, id, txn, group, offsets } => {
                    self.write_txn_offsets(from, id, txn, group, offsets, fx)
                }
            },
            Err(e) => {
                let e = match e {
                    KafkaError::ProducerFenced => KafkaError::InvalidProducerEpoch,
                    KafkaError::InvalidTxnState | KafkaError::InvalidProducerIdMapping => e,
                    _ => KafkaError::NotEnoughReplicas,
                };
                self.fail_verifying(then, e, fx);
            }
        }
    }

    fn fail_verifying(&mut self, then: Verifying, error: KafkaError, fx: &mut Effects) {
        match then {
            Verifying::Produce { from, id, tp, .. } => {
                let answer = ProducedPartition { tp, result: Err(error), log_append_time_ms: None };
                self.answer_produce(from, id, answer, fx)
            }
            Verifying::TxnOffsetCommit { from, id, group, txn, .. } => {
                let result = Err(error);
                self.on_txn_offsets_written(from, id, group, txn.producer_id, Vec::new(), result, fx)
            }
        }
    }
}

/// Who asked the transaction coordinator: another broker (answered over the network) or this one.
#[derive(Clone, Debug)]
pub(super) enum Verifier {
    Remote(Node, u32),
    Local(u32),
}
