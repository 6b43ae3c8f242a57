//! The transaction coordinator's broker side. A broker coordinates the
//! transactional ids whose `__transaction_state` partition it leads: it
//! answers InitProducerId (bumping the epoch, fencing an older instance and
//! aborting what it left open), AddPartitionsToTxn, AddOffsetsToTxn and
//! EndTxn. Every state change is written to the state partition (acks=all)
//! before it counts. A decided transaction (PrepareCommit or PrepareAbort) is
//! finished by writing a marker into each of its partitions through their
//! leaders (WriteTxnMarkers), then CompleteCommit or CompleteAbort is written.
//!
//! A new leader of a state partition reads it back; a transaction it finds
//! prepared gets its markers written again, so a coordinator that dies
//! mid-commit is replaced and the commit completes. Open transactions older
//! than transaction.timeout.ms are aborted with a bumped epoch.
//!
//! With transaction version 2 (KIP-890, the cluster's `transaction.version`
//! feature) every commit and abort also bumps the epoch: the prepared state,
//! the markers and the EndTxn answer carry the next epoch, so a write left
//! over from the finished transaction is older than the marker that closed it
//! and its partition refuses it.

use super::leader::WriteFor;
use super::verification::Verifier;
use super::{reply, Broker, Pending};
use crate::batch::{Compression, RecordBatch};
use crate::effects::{Effects, Timer};
use crate::error::KafkaError;
use crate::event::EventKind;
use crate::net::Node;
use crate::protocol::{Acks, RecordData, Request, Response, TopicPartition, TxnIdentity};
use crate::sorted::{SortedMap, SortedSet};
use crate::time::Duration;
use crate::txn::marker::{self, ControlType};
use crate::txn::{self, TxnMetadata, TxnState, TRANSACTION_STATE_TOPIC};
use alloc::string::String;
use alloc::vec::Vec;

/// How long a state write waits for its replicas (`transaction.state.log` writes use request.timeout.ms).
const TXN_STATE_WRITE_TIMEOUT_MS: u64 = 30_000;
/// How soon markers that could not be written are tried again.
const MARKER_RETRY_MS: u64 = 100;
/// Transactional ids one broker coordinates, a stated limit.
pub const TRANSACTIONAL_IDS_PER_BROKER_MAX: usize = 256;

/// Who waits for a state write, to be answered once it is replicated.
#[derive(Clone, Debug)]
enum Waiter {
    Init(Node, u32),
    Add(Node, u32, bool),
    EndTxn(Node, u32),
    /// This broker's own verification of a write (`verification.rs`).
    Verified(u32),
}

/// What a broker holds as transaction coordinator (in memory; the state log survives).
#[derive(Clone, Debug, Default)]
pub struct TxnCoordinator {
    /// State partitions this broker leads and has loaded, with the leader epoch it loaded them in
    /// (the coordinator epoch markers carry).
    pub loaded: SortedMap<u32, u32>,
    pub txns: SortedMap<String, TxnMetadata>,
    /// A state being written: the target and who waits for it.
    writing: SortedMap<String, (TxnMetadata, Option<Waiter>)>,
    /// Partitions still waiting for this transaction's marker.
    markers: SortedMap<String, SortedSet<TopicPartition>>,
}

impl TxnCoordinator {
    /// A transaction's state for the view: the written one, or the one being written.
    pub fn state_of(&self, transactional_id: &str) -> Option<&TxnMetadata> {
        self.txns.get(transactional_id)
    }
}

impl Broker {
    /// A transactional id's `__transaction_state` partition.
    pub(super) fn txn_partition(&self, transactional_id: &str) -> u32 {
        txn::partition_for(transactional_id, self.internal_partitions(TRANSACTION_STATE_TOPIC))
    }

    fn coordinates_txn(&self, transactional_id: &str) -> Result<(), KafkaError> {
        if self.transactions.loaded.contains_key(&self.txn_partition(transactional_id)) {
            Ok(())
        } else {
            Err(KafkaError::NotCoordinator)
        }
    }

    /// FindCoordinator for a transactional id; the first request creates `__transaction_state`.
    fn find_txn_coordinator(&self, transactional_id: &str, fx: &mut Effects) -> Result<u32, KafkaError> {
        if !self.image.topics.contains_key(TRANSACTION_STATE_TOPIC) {
            fx.create_topics.push(TRANSACTION_STATE_TOPIC.into());
            return Err(KafkaError::CoordinatorNotAvailable);
        }
        let tp = TopicPartition::new(TRANSACTION_STATE_TOPIC, self.txn_partition(transactional_id));
        self.image.partition(&tp).and_then(|p| p.leader).ok_or(KafkaError::CoordinatorNotAvailable)
    }

    /// The transaction requests. Answers that need a state write go out once it is replicated.
    pub(super) fn handle_txn_request(&mut self, from: Node, id: u32, request: Request, fx: &mut Effects) {
        match request {
            Request::FindTransactionCoordinator { transactional_id } => {
                let result = self.find_txn_coordinator(&transactional_id, fx);
                reply(fx, from, id, Response::FindCoordinator { result });
            }
            Request::InitProducerId { transactional_id: Some(tid), transaction_timeout_ms, producer } => {
                let waiter = Waiter::Init(from.clone(), id);
                if let Err(e) = self.init_transactional(&tid, transaction_timeout_ms, producer, waiter, fx) {
                    let transaction_version = self.config.transaction_version;
                    reply(fx, from, id, Response::InitProducerId { result: Err(e), transaction_version });
                }
            }
            Request::AddPartitionsToTxn { txn, partitions, verify_only } => {
                self.add_or_verify(txn, partitions, verify_only, Verifier::Remote(from, id), fx)
            }
            Request::AddOffsetsToTxn { txn, group } => {
                let tp = TopicPartition::new(super::coordinator::OFFSETS_TOPIC, self.offsets_partition(&group));
                if let Err(e) = self.add_to_txn(&txn, alloc::vec![tp], Waiter::Add(from.clone(), id, true), fx) {
                    reply(fx, from, id, Response::AddOffsetsToTxn { result: Err(e) });
                }
            }
            Request::EndTxn { txn, commit } => {
                if let Err(e) = self.end_txn(&txn, commit, Waiter::EndTxn(from.clone(), id), fx) {
                    reply(fx, from, id, Response::EndTxn { result: Err(e) });
                }
            }
            _ => {}
        }
    }

    /// The id's current state, checked for a request from `txn`: coordinated here,
    /// known, the same producer, the same epoch, and not in the middle of a write
    /// (`handleAddPartitionsToTransaction`).
    fn txn_for(&self, txn: &TxnIdentity) -> Result<&TxnMetadata, KafkaError> {
        let m = self.txn_of(txn)?;
        if txn.producer_epoch != m.producer_epoch {
            return Err(KafkaError::ProducerFenced);
        }
        if self.transactions.writing.contains_key(&txn.transactional_id) {
            return Err(KafkaError::ConcurrentTransactions);
        }
        Ok(m)
    }

    /// The id's state if coordinated here and mapped to `txn`'s producer id.
    fn txn_of(&self, txn: &TxnIdentity) -> Result<&TxnMetadata, KafkaError> {
        self.coordinates_txn(&txn.transactional_id)?;
        let m = self.transactions.txns.get(&txn.transactional_id).ok_or(KafkaError::InvalidProducerIdMapping)?;
        if m.producer_id != txn.producer_id {
            return Err(KafkaError::InvalidProducerIdMapping);
        }
        Ok(m)
    }

    fn transaction_version_2(&self) -> bool {
        self.config.transaction_version >= 2
    }

    /// InitProducerId with a transactional id (`TransactionCoordinator.handleInitProducerId`).
    fn init_transactional(
        &mut self,
        tid: &str,
        timeout_ms: u64,
        expected: Option<(i64, i16)>,
        waiter: Waiter,
        fx: &mut Effects,
    ) -> Result<(), KafkaError> {
        self.coordinates_txn(tid)?;
        if timeout_ms > txn::TRANSACTION_MAX_TIMEOUT_MS || timeout_ms == 0 {
            return Err(KafkaError::InvalidTransactionTimeout);
        }
        if self.transactions.writing.contains_key(tid) {
            return Err(KafkaError::ConcurrentTransactions);
        }
        let now_ms = fx.now.ms;
        let next = match self.transactions.txns.get(tid) {
            None => {
                if self.transactions.txns.len() >= TRANSACTIONAL_IDS_PER_BROKER_MAX {
                    return Err(KafkaError::CoordinatorNotAvailable);
                }
                TxnMetadata {
                    transactional_id: tid.into(),
                    producer_id: self.allocate_producer_id(),
                    producer_epoch: 0,
                    timeout_ms,
                    state: TxnState::Empty,
                    partitions: SortedSet::new(),
                    last_update_ms: now_ms,
                    start_ms: None,
                    last_producer_epoch: None,
                }
            }
            Some(m) if m.state.is_prepared() => return Err(KafkaError::ConcurrentTransactions),
            Some(m) if m.state == TxnState::Ongoing => {
                // A new instance while the old one's transaction is open: fence the old one by
                // bumping the epoch and abort its transaction; the new one retries meanwhile.
                let m = m.clone();
                self.fence_and_abort(m, "a new instance called initTransactions", fx);
                return Err(KafkaError::ConcurrentTransactions);
            }
            // KIP-360: a producer bumping its own epoch names the id and epoch it has; another id,
            // or an epoch neither current nor the one before the last bump, is fenced
            // (`prepareInitProducerIdTransit`). A retry of a bump whose answer was lost gets the
            // current epoch again.
            Some(m) if expected.is_some_and(|(id, _)| id != m.producer_id) => return Err(KafkaError::ProducerFenced),
            Some(m) if expected.is_some_and(|(_, epoch)| epoch != m.producer_epoch) => {
                if expected.is_some_and(|(_, epoch)| Some(epoch) == m.last_producer_epoch) {
                    let result = Ok((m.producer_id, m.producer_epoch));
                    let transaction_version = self.config.transaction_version;
                    if let Waiter::Init(to, id) = waiter {
                        reply(fx, to, id, Response::InitProducerId { result, transaction_version });
                    }
                    return Ok(());
                }
                return Err(KafkaError::ProducerFenced);
            }
            Some(m) => {
                let mut next = m.to(TxnState::Empty, now_ms).map_err(|_| KafkaError::ConcurrentTransactions)?;
                next.last_producer_epoch = Some(m.producer_epoch);
                if next.producer_epoch == i16::MAX - 1 {
                    next.producer_id = self.allocate_producer_id();
                    next.producer_epoch = 0;
                } else {
                    next.producer_epoch += 1;
                }
                next.timeout_ms = timeout_ms;
                next
            }
        };
        self.write_txn_state(next, Some(waiter), fx);
        Ok(())
    }

    /// Bumps the epoch (PrepareEpochFence) and aborts the open transaction.
    fn fence_and_abort(&mut self, m: TxnMetadata, why: &str, fx: &mut Effects) {
        let now_ms = fx.now.ms;
        let Ok(mut fencing) = m.to(TxnState::PrepareEpochFence, now_ms) else { return };
        fencing.producer_epoch = fencing.producer_epoch.saturating_add(1);
        let Ok(mut next) = fencing.to(TxnState::PrepareAbort, now_ms) else { return };
        if self.transaction_version_2() {
            // The abort is a transaction end like any other: one more bump (`prepareAbortOrCommit`).
            next.producer_epoch = next.producer_epoch.saturating_add(1);
        }
        fx.event(EventKind::TxnFenced {
            broker: self.id,
            transactional_id: m.transactional_id.clone(),
            producer_id: m.producer_id,
            epoch: next.producer_epoch,
            why: why.into(),
        });
        self.write_txn_state(next, None, fx);
    }

    /// AddPartitionsToTxn from a producer or a broker: add the partitions to the transaction
    /// (`handleAddPartitionsToTransaction`) or, with `verify_only`, check that they are in it
    /// (`handleVerifyPartitionsInTransaction`; Kafka answers TRANSACTION_ABORTABLE, which reaches
    /// the producer as INVALID_TXN_STATE).
    pub(super) fn add_or_verify(
        &mut self,
        txn: TxnIdentity,
        partitions: Vec<TopicPartition>,
        verify_only: bool,
        who: Verifier,
        fx: &mut Effects,
    ) {
        let waiter = match who {
            Verifier::Remote(from, id) => Waiter::Add(from, id, false),
            Verifier::Local(key) => Waiter::Verified(key),
        };
        let outcome = if verify_only {
            let verified = self.txn_of(&txn).and_then(|m| {
                if txn.producer_epoch != m.producer_epoch {
                    Err(KafkaError::ProducerFenced)
                } else if m.state.is_prepared() {
                    Err(KafkaError::ConcurrentTransactions)
                } else if partitions.iter().all(|tp| m.partitions.contains(tp)) {
                    Ok(())
                } else {
                    Err(KafkaError::InvalidTxnState)
                }
            });
            verified.map(|()| self.answer_txn_waiter(waiter.clone(), Ok(()), fx))
        } else {
            self.add_to_txn(&txn, partitions, waiter.clone(), fx)
        };
        if let Err(e) = outcome {
            self.answer_txn_waiter(waiter, Err(e), fx);
        }
    }

    fn add_to_txn(
        &mut self,
        txn: &TxnIdentity,
        partitions: Vec<TopicPartition>,
        waiter: Waiter,
        fx: &mut Effects,
    ) -> Result<(), KafkaError> {
        let m = self.txn_for(txn)?;
        if m.state.is_prepared() {
            return Err(KafkaError::ConcurrentTransactions);
        }
        if m.state == TxnState::Ongoing && partitions.iter().all(|tp| m.partitions.contains(tp)) {
            self.answer_txn_waiter(waiter, Ok(()), fx);
            return Ok(());
        }
        let mut next = m.to(TxnState::Ongoing, fx.now.ms).map_err(|_| KafkaError::InvalidTxnState)?;
        next.partitions.extend(partitions);
        self.write_txn_state(next, Some(waiter), fx);
        Ok(())
    }

    /// EndTxn (`TransactionCoordinator.endTransaction`). With transaction version 2
    /// the prepared state takes the next epoch, and a retry comes with the epoch
    /// before it (`endTxnEpochBumped`).
    fn end_txn(&mut self, txn: &TxnIdentity, commit: bool, waiter: Waiter, fx: &mut Effects) -> Result<(), KafkaError> {
        let tv2 = self.transaction_version_2();
        let m = self.txn_of(txn)?;
        let retry = tv2 && m.producer_epoch == txn.producer_epoch.saturating_add(1);
        let same_epoch = txn.producer_epoch == m.producer_epoch;
        let valid_epoch = match m.state {
            TxnState::PrepareCommit | TxnState::PrepareAbort if tv2 => retry,
            TxnState::CompleteCommit | TxnState::CompleteAbort if tv2 => retry || same_epoch,
            _ => same_epoch,
        };
        if !valid_epoch {
            return Err(KafkaError::ProducerFenced);
        }
        if self.transactions.writing.contains_key(&txn.transactional_id) {
            return Err(KafkaError::ConcurrentTransactions);
        }
        let target = if commit { TxnState::PrepareCommit } else { TxnState::PrepareAbort };
        match (m.state, commit) {
            (TxnState::Ongoing, _) => {
                let mut next = m.to(target, fx.now.ms).map_err(|_| KafkaError::InvalidTxnState)?;
                if tv2 {
                    // The epoch runs out after 32,766 transactions of one id; Kafka then moves to a
                    // new producer id, which the simulation does not model.
                    next.producer_epoch = next.producer_epoch.saturating_add(1);
                }
                self.write_txn_state(next, Some(waiter), fx);
                Ok(())
            }
            // A retry of an EndTxn already decided the same way.
            (TxnState::CompleteCommit, true) | (TxnState::CompleteAbort, false) if !tv2 || retry => {
                let answer = if tv2 { (m.producer_id, m.producer_epoch) } else { (-1, -1) };
                if let Waiter::EndTxn(to, id) = waiter {
                    reply(fx, to, id, Response::EndTxn { result: Ok(answer) });
                }
                Ok(())
            }
            // Version 2: an abort of a transaction the coordinator never heard of (no partition
            // reached a leader) still ends it, with a bump and no markers.
            (TxnState::Empty | TxnState::CompleteCommit | TxnState::CompleteAbort, false) if tv2 && !retry => {
                let mut next = m.to(TxnState::PrepareAbort, fx.now.ms).map_err(|_| KafkaError::InvalidTxnState)?;
                next.producer_epoch = next.producer_epoch.saturating_add(1);
                self.write_txn_state(next, Some(waiter), fx);
                Ok(())
            }
            (TxnState::PrepareCommit, true) | (TxnState::PrepareAbort, false) => {
                Err(KafkaError::ConcurrentTransactions)
            }
            _ => Err(KafkaError::InvalidTxnState),
        }
    }

    /// Appends `next` to the id's state partition; it counts once replicated.
    fn write_txn_state(&mut self, next: TxnMetadata, waiter: Option<Waiter>, fx: &mut Effects) {
        let tid = next.transactional_id.clone();
        let record = RecordData {
            timestamp_ms: fx.now.ms,
            key: Some(txn::log::encode_key(&tid)),
            value: Some(txn::log::encode_value(&next)),
            headers: Vec::new(),
        };
        let Ok(bytes) = RecordBatch::from_records(&[record], Compression::None).encode() else {
            if let Some(w) = waiter {
                self.answer_txn_waiter(w, Err(KafkaError::CoordinatorNotAvailable), fx);
            }
            return;
        };
        self.transactions.writing.insert(tid.clone(), (next, waiter));
        let tp = TopicPartition::new(TRANSACTION_STATE_TOPIC, self.txn_partition(&tid));
        let me = Node::Broker(self.id);
        let write_for = WriteFor::TxnState { transactional_id: tid };
        self.write(me, 0, (Acks::All, TXN_STATE_WRITE_TIMEOUT_MS), tp, bytes, write_for, fx);
    }

    /// A state write is replicated (or failed): the state counts, the waiter hears, markers go.
    pub(super) fn on_txn_state_written(&mut self, tid: String, result: Result<u64, KafkaError>, fx: &mut Effects) {
        let Some((next, waiter)) = self.transactions.writing.remove(&tid) else { return };
        if let Err(e) = result {
            let e = match e {
                KafkaError::NotLeaderOrFollower => KafkaError::NotCoordinator,
                _ => KafkaError::CoordinatorNotAvailable,
            };
            if let Some(w) = waiter {
                self.answer_txn_waiter(w, Err(e), fx);
            }
            return;
        }
        let previous = self.transactions.txns.insert(tid.clone(), next.clone());
        if previous.as_ref().map(|p| (p.state, p.producer_epoch)) != Some((next.state, next.producer_epoch)) {
            fx.event(EventKind::TxnState {
                broker: self.id,
                transactional_id: tid.clone(),
                state: next.state,
                producer_id: next.producer_id,
                epoch: next.producer_epoch,
                partitions: next.partitions.iter().cloned().collect(),
            });
        }
        match waiter {
            Some(Waiter::Init(to, id)) => {
                let result = Ok((next.producer_id, next.producer_epoch));
                let transaction_version = self.config.transaction_version;
                reply(fx, to, id, Response::InitProducerId { result, transaction_version });
            }
            Some(Waiter::EndTxn(to, id)) => {
                // Version 2 answers with the epoch the next transaction uses (EndTxn v5).
                let result =
                    Ok(if self.transaction_version_2() { (next.producer_id, next.producer_epoch) } else { (-1, -1) });
                reply(fx, to, id, Response::EndTxn { result });
            }
            Some(w) => self.answer_txn_waiter(w, Ok(()), fx),
            None => {}
        }
        if next.state.is_prepared() {
            self.transactions.markers.insert(tid.clone(), next.partitions.clone());
            self.send_markers(&tid, fx);
        }
    }

    fn answer_txn_waiter(&mut self, waiter: Waiter, result: Result<(), KafkaError>, fx: &mut Effects) {
        match waiter {
            Waiter::Init(to, id) => {
                let transaction_version = self.config.transaction_version;
                reply(fx, to, id, Response::InitProducerId { result: result.map(|()| (-1, -1)), transaction_version })
            }
            Waiter::Add(to, id, false) => reply(fx, to, id, Response::AddPartitionsToTxn { result }),
            Waiter::Add(to, id, true) => reply(fx, to, id, Response::AddOffsetsToTxn { result }),
            Waiter::EndTxn(to, id) => reply(fx, to, id, Response::EndTxn { result: result.map(|()| (-1, -1)) }),
            Waiter::Verified(key) => self.on_verified(key, result, fx),
        }
    }

    /// Writes the decided transaction's marker into each partition still waiting for it.
    fn send_markers(&mut self, tid: &str, fx: &mut Effects) {
        let Some(m) = self.transactions.txns.get(tid).cloned() else { return };
        let Some(waiting) = self.transactions.markers.get(tid).cloned() else { return };
        let coordinator_epoch = self.transactions.loaded.get(&self.txn_partition(tid)).copied().unwrap_or(0);
        let commit = m.state == TxnState::PrepareCommit;
        if waiting.is_empty() {
            return self.complete_txn(tid, fx);
        }
        let mut unreachable = false;
        for tp in waiting {
            match self.image.partition(&tp).and_then(|p| p.leader) {
                Some(leader) if leader == self.id => {
                    let control = if commit { ControlType::Commit } else { ControlType::Abort };
                    let batch =
                        marker::batch(m.producer_id, m.producer_epoch, control, coordinator_epoch as i32, fx.now.ms);
                    let Ok(bytes) = batch.encode() else { continue };
                    let write_for = WriteFor::TxnMarker { local: Some(tid.into()), producer_id: m.producer_id, commit };
                    let me = Node::Broker(self.id);
                    self.write(me, 0, (Acks::All, TXN_STATE_WRITE_TIMEOUT_MS), tp, bytes, write_for, fx);
                }
                Some(leader) => {
                    let request = Request::WriteTxnMarkers {
                        producer_id: m.producer_id,
                        producer_epoch: m.producer_epoch,
                        commit,
                        coordinator_epoch,
                        tp: tp.clone(),
                    };
                    let pending = Pending::TxnMarker { transactional_id: tid.into(), tp };
                    self.request(Node::Broker(leader), request, pending, fx);
                }
                None => unreachable = true,
            }
        }
        if unreachable {
            fx.timer_in(Duration::from_ms(MARKER_RETRY_MS), Timer::TxnMarkerRetry(tid.into()));
        }
    }

    /// A partition answered its marker: done there, or try again shortly.
    pub(super) fn on_marker_written(
        &mut self,
        tid: &str,
        tp: &TopicPartition,
        result: Result<(), KafkaError>,
        fx: &mut Effects,
    ) {
        if !self.transactions.markers.contains_key(tid) {
            return;
        }
        match result {
            // The partition holds this marker already (a new coordinator sends the markers of a
            // prepared transaction again) or a newer epoch's: nothing more to write there. Kafka
            // stops sending the transaction's markers on this answer; counting the partition as
            // done lets the transaction complete.
            Ok(()) | Err(KafkaError::InvalidProducerEpoch) => {
                let left = self.transactions.markers.get_mut(tid).map(|w| {
                    w.remove(tp);
                    w.len()
                });
                if left == Some(0) {
                    self.complete_txn(tid, fx);
                }
            }
            // The partition moved or its leader is away: the marker is written again later.
            Err(_) => fx.timer_in(Duration::from_ms(MARKER_RETRY_MS), Timer::TxnMarkerRetry(tid.into())),
        }
    }

    /// Every marker is written: CompleteCommit or CompleteAbort.
    fn complete_txn(&mut self, tid: &str, fx: &mut Effects) {
        self.transactions.markers.remove(tid);
        let Some(m) = self.transactions.txns.get(tid) else { return };
        let done = if m.state == TxnState::PrepareCommit { TxnState::CompleteCommit } else { TxnState::CompleteAbort };
        if let Ok(next) = m.to(done, fx.now.ms) {
            self.write_txn_state(next, None, fx);
        }
    }

    /// Markers to retry, after a backoff.
    pub(super) fn retry_markers(&mut self, tid: &str, fx: &mut Effects) {
        if self.transactions.markers.contains_key(tid) && !self.transactions.writing.contains_key(tid) {
            self.send_markers(tid, fx);
        }
    }

    /// Aborts open transactions older than their timeout, fencing their producers.
    pub(super) fn check_txn_timeouts(&mut self, fx: &mut Effects) {
        let now_ms = fx.now.ms;
        let expired: Vec<TxnMetadata> = self
            .transactions
            .txns
            .values()
            .filter(|m| m.timed_out(now_ms) && !self.transactions.writing.contains_key(&m.transactional_id))
            .cloned()
            .collect();
        for m in expired {
            self.fence_and_abort(m, "transaction.timeout.ms passed with the transaction open", fx);
        }
        fx.timer_in(Duration::from_ms(txn::TIMED_OUT_CHECK_INTERVAL_MS), Timer::TxnTimeoutCheck);
    }

    /// WriteTxnMarkers from a coordinator: append the marker as leader, answer once replicated.
    pub(super) fn write_marker(&mut self, from: Node, id: u32, request: Request, fx: &mut Effects) {
        let Request::WriteTxnMarkers { producer_id, producer_epoch, commit, coordinator_epoch, tp } = request else {
            return;
        };
        let control = if commit { ControlType::Commit } else { ControlType::Abort };
        let batch = marker::batch(producer_id, producer_epoch, control, coordinator_epoch as i32, fx.now.ms);
        match batch.encode() {
            Ok(bytes) => {
                let write_for = WriteFor::TxnMarker { local: None, producer_id, commit };
                self.write(from, id, (Acks::All, TXN_STATE_WRITE_TIMEOUT_MS), tp, bytes, write_for, fx);
            }
            Err(e) => {
                let result = Err(KafkaError::CorruptMessage(alloc::format!("{e}")));
                reply(fx, from, id, Response::WriteTxnMarkers { tp, result });
            }
        }
    }

    /// Loads state partitions this broker now leads and drops those it no longer leads.
    pub(super) fn sync_txn_coordinator(&mut self, fx: &mut Effects) {
        for p in 0..self.internal_partitions(TRANSACTION_STATE_TOPIC) {
            let tp = TopicPartition::new(TRANSACTION_STATE_TOPIC, p);
            let epoch = match self.replicas.get(&tp).map(|r| &r.role) {
                Some(super::Role::Leader(l)) => Some(l.epoch),
                _ => None,
            };
            let loaded = self.transactions.loaded.get(&p).copied();
            match (epoch, loaded) {
                (Some(e), l) if l != Some(e) => self.load_txns(p, &tp, e, fx),
                (None, Some(_)) => {
                    self.transactions.loaded.remove(&p);
                    let partitions = self.internal_partitions(TRANSACTION_STATE_TOPIC);
                    let gone = |t: &String| txn::partition_for(t, partitions) == p;
                    self.transactions.txns.retain(|t, _| !gone(t));
                    self.transactions.markers.retain(|t, _| !gone(t));
                    let waiting: Vec<String> = self.transactions.writing.keys().filter(|t| gone(t)).cloned().collect();
                    for t in waiting {
                        self.on_txn_state_written(t, Err(KafkaError::NotLeaderOrFollower), fx);
                    }
                }
                _ => {}
            }
        }
    }

    /// Reads a state partition: the latest state per id wins. Decided transactions get their markers again.
    fn load_txns(&mut self, p: u32, tp: &TopicPartition, epoch: u32, fx: &mut Effects) {
        let mut loaded: SortedMap<String, TxnMetadata> = SortedMap::new();
        if let Some(replica) = self.replicas.get(tp) {
            for r in replica.log.records() {
                let Some(tid) = r.key.as_deref().and_then(txn::log::decode_key) else { continue };
                match r.value.as_deref().and_then(|v| txn::log::decode_value(&tid, v)) {
                    Some(m) => loaded.insert(tid, m),
                    None => loaded.remove(&tid),
                };
            }
        }
        self.transactions.loaded.insert(p, epoch);
        let count = loaded.len();
        let prepared: Vec<String> =
            loaded.values().filter(|m| m.state.is_prepared()).map(|m| m.transactional_id.clone()).collect();
        for (tid, m) in loaded {
            self.transactions.markers.remove(&tid);
            self.transactions.txns.insert(tid, m);
        }
        if count > 0 {
            fx.event(EventKind::TxnCoordinatorLoaded { broker: self.id, partition: p, transactional_ids: count });
        }
        for tid in prepared {
            let partitions = self.transactions.txns.get(&tid).map(|m| m.partitions.clone()).unwrap_or_default();
            self.transactions.markers.insert(tid.clone(), partitions);
            self.send_markers(&tid, fx);
        }
    }
}
