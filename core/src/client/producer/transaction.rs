//! A transactional producer's side of transactions (Java's
//! `TransactionManager`): initTransactions finds the transaction coordinator
//! and gets the id's producer id with a bumped epoch, and learns the cluster's
//! transaction version. With version 1 a partition joins the transaction
//! (AddPartitionsToTxn) before its first batch goes, and sendOffsetsToTransaction
//! adds the group (AddOffsetsToTxn) before it sends the offsets to the group
//! coordinator (TxnOffsetCommit); with version 2 (KIP-890) neither is sent, as
//! the partition's leader and the group coordinator add them. commitTransaction
//! flushes, waits for every batch, then ends the transaction (EndTxn; with
//! version 2 its answer brings the epoch bumped for the next one);
//! abortTransaction drops what was not sent yet, and with version 1, after a
//! failed send, bumps the epoch with InitProducerId (KIP-360).
//! One request to a coordinator is in flight at a time, as in Java.

use super::Producer;
use crate::effects::{Effects, Timer};
use crate::error::{CommandError, KafkaError};
use crate::event::{EventKind, TxnStep};
use crate::protocol::{Request, Response, SharedName, TopicPartition, TxnIdentity};
use crate::sorted::SortedSet;
use crate::time::{Duration, Instant};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The producer's transaction state, as Java's `TransactionManager.State`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TxnClientState {
    Uninitialized,
    Initializing,
    Ready,
    InTransaction,
    CommittingTransaction,
    AbortingTransaction,
    /// A send of the transaction failed: only abortTransaction is allowed.
    AbortableError,
    FatalError,
}

impl TxnClientState {
    /// Java's state names, as its exception messages print them.
    pub fn name(self) -> &'static str {
        match self {
            TxnClientState::Uninitialized => "UNINITIALIZED",
            TxnClientState::Initializing => "INITIALIZING",
            TxnClientState::Ready => "READY",
            TxnClientState::InTransaction => "IN_TRANSACTION",
            TxnClientState::CommittingTransaction => "COMMITTING_TRANSACTION",
            TxnClientState::AbortingTransaction => "ABORTING_TRANSACTION",
            TxnClientState::AbortableError => "ABORTABLE_ERROR",
            TxnClientState::FatalError => "FATAL_ERROR",
        }
    }
}

/// Which step of sendOffsetsToTransaction is next.
#[derive(Clone, Debug, PartialEq, Eq)]
enum OffsetsStep {
    AddOffsets,
    FindGroupCoordinator,
    Commit(u32),
}

/// Offsets being sent to the transaction: group, offsets, and the next step.
/// The group, the consumer's member id and generation (KIP-447), the offsets, and how far along.
type PendingOffsets = (String, Option<(String, u32)>, Vec<(TopicPartition, u64)>, OffsetsStep);

/// What a transactional producer keeps.
#[derive(Clone, Debug)]
pub struct TxnManager {
    pub transactional_id: String,
    /// The same, as Produce requests carry it.
    pub shared_id: SharedName,
    /// The cluster runs transaction version 2 (KIP-890): partitions and the offsets join the
    /// transaction by the broker's verification, not by AddPartitionsToTxn or AddOffsetsToTxn,
    /// and every EndTxn answer brings a bumped epoch. Learnt at initTransactions.
    pub transaction_version_2: bool,
    /// Transaction version 1: a send of this transaction failed, so once the abort is done the
    /// producer bumps its epoch with InitProducerId (KIP-360, `clientSideEpochBumpRequired`),
    /// and a write of the aborted transaction that comes late is refused.
    epoch_bump_required: bool,
    /// That InitProducerId is in progress: abortTransaction returns when it answers.
    bumping: bool,
    pub state: TxnClientState,
    coordinator: Option<u32>,
    /// A request to a coordinator is in flight.
    busy: bool,
    /// Partitions that joined the current transaction.
    pub partitions: SortedSet<TopicPartition>,
    /// The coordinator knows of this transaction (a partition or the offsets joined it);
    /// one it never heard of ends without EndTxn, as in Java.
    started: bool,
    /// Partitions with batches waiting to join it.
    pending_partitions: SortedSet<TopicPartition>,
    /// Offsets being sent: group, offsets, and the next step.
    offsets: Option<PendingOffsets>,
    /// Why the producer can only be closed.
    pub fatal: Option<KafkaError>,
    /// After a retriable error, nothing goes to a coordinator before this (retry.backoff.ms).
    backoff_until: Instant,
}

impl TxnManager {
    pub fn new(transactional_id: String) -> Self {
        TxnManager {
            shared_id: SharedName::from(transactional_id.as_str()),
            transaction_version_2: false,
            epoch_bump_required: false,
            bumping: false,
            transactional_id,
            state: TxnClientState::Uninitialized,
            coordinator: None,
            busy: false,
            partitions: SortedSet::new(),
            started: false,
            pending_partitions: SortedSet::new(),
            offsets: None,
            fatal: None,
            backoff_until: Instant::ZERO,
        }
    }

    /// A partition's batches may go: it joined the transaction. With transaction version 2 it
    /// joins as its first batch goes (`maybeAddPartition`): the leader adds it.
    pub fn may_send_to(&mut self, tp: &TopicPartition) -> bool {
        if self.partitions.contains(tp) {
            return true;
        }
        if matches!(self.state, TxnClientState::InTransaction | TxnClientState::CommittingTransaction) {
            if self.transaction_version_2 {
                self.partitions.insert(tp.clone());
                self.started = true;
                return true;
            }
            self.pending_partitions.insert(tp.clone());
        }
        false
    }
}

/// Java's IllegalStateException for a call in the wrong state.
fn illegal(tid: &str, from: TxnClientState, to: &str) -> CommandError {
    CommandError::Invalid(format!(
        "IllegalStateException: TransactionalId {tid}: Invalid transition attempted from state {} to state {to}",
        from.name()
    ))
}

impl Producer {
    fn txn_mut(&mut self) -> Result<&mut TxnManager, CommandError> {
        let name = self.conn.name.clone();
        self.txn.as_mut().ok_or_else(|| {
            CommandError::Invalid(format!(
                "IllegalStateException: {name} has no transactional.id: transactions need a transactional producer"
            ))
        })
    }

    /// Whether `send` may be called now (Java's `maybeFailWithError` and `failIfNotReadyForSend`).
    pub(super) fn check_txn_send(&self) -> Result<(), CommandError> {
        let Some(t) = &self.txn else { return Ok(()) };
        match t.state {
            TxnClientState::InTransaction => Ok(()),
            TxnClientState::Uninitialized | TxnClientState::Initializing => Err(CommandError::Invalid(
                "IllegalStateException: Cannot perform a 'send' before completing a call to initTransactions when transactions are enabled.".into(),
            )),
            TxnClientState::FatalError => Err(CommandError::Invalid(match &t.fatal {
                Some(KafkaError::ProducerFenced) | None => "ProducerFencedException: There is a newer producer with the same transactionalId which fences the current one. The producer can only be closed.".into(),
                Some(e) => format!("KafkaException: the transaction failed with {e}; the producer can only be closed"),
            })),
            s => Err(CommandError::Invalid(format!(
                "IllegalStateException: Cannot call send in state {}",
                s.name()
            ))),
        }
    }

    /// `initTransactions()`.
    pub fn init_transactions(&mut self, fx: &mut Effects) -> Result<(), CommandError> {
        let t = self.txn_mut()?;
        if t.state != TxnClientState::Uninitialized {
            return Err(illegal(&t.transactional_id.clone(), t.state, "INITIALIZING"));
        }
        t.state = TxnClientState::Initializing;
        self.drive_txn(fx);
        Ok(())
    }

    /// `beginTransaction()`.
    pub fn begin_transaction(&mut self, fx: &mut Effects) -> Result<(), CommandError> {
        let t = self.txn_mut()?;
        if t.state != TxnClientState::Ready {
            return Err(illegal(&t.transactional_id.clone(), t.state, "IN_TRANSACTION"));
        }
        t.state = TxnClientState::InTransaction;
        fx.event(EventKind::ProducerTxn { producer: self.conn.name.clone(), step: TxnStep::Began });
        Ok(())
    }

    /// `commitTransaction()`: flush, wait for every batch, then EndTxn(commit).
    pub fn commit_transaction(&mut self, fx: &mut Effects) -> Result<(), CommandError> {
        let t = self.txn_mut()?;
        if t.state == TxnClientState::AbortableError {
            return Err(CommandError::Invalid(format!(
                "KafkaException: Cannot execute transactional method because we are in an error state: {}; abort the transaction",
                t.fatal.as_ref().map_or_else(String::new, |e| format!("{e}"))
            )));
        }
        if t.state != TxnClientState::InTransaction {
            return Err(illegal(&t.transactional_id.clone(), t.state, "COMMITTING_TRANSACTION"));
        }
        t.state = TxnClientState::CommittingTransaction;
        self.batches.values_mut().flatten().for_each(|b| b.ready = true);
        self.drain(fx);
        Ok(())
    }

    /// `abortTransaction()`: batches not sent yet are dropped; EndTxn(abort) once the rest are answered.
    pub fn abort_transaction(&mut self, fx: &mut Effects) -> Result<(), CommandError> {
        let t = self.txn_mut()?;
        if !matches!(
            t.state,
            TxnClientState::InTransaction | TxnClientState::CommittingTransaction | TxnClientState::AbortableError
        ) {
            return Err(illegal(&t.transactional_id.clone(), t.state, "ABORTING_TRANSACTION"));
        }
        t.state = TxnClientState::AbortingTransaction;
        t.fatal = None;
        t.offsets = None;
        t.pending_partitions.clear();
        // Batches never sent go; one that has a sequence (it was sent and is being retried) must
        // still complete, or the partition's sequence numbers would have a gap
        // (Java's `RecordAccumulator.abortUndrainedBatches`).
        // Records still waiting for metadata or for buffer memory were never batched: they go too.
        let dropped: usize = self
            .batches
            .values()
            .flatten()
            .filter(|b| b.base_sequence.is_none())
            .map(|b| b.record_count())
            .sum::<usize>()
            + self.waiting.len()
            + self.memory_waiting.len();
        self.waiting.clear();
        self.memory_waiting.clear();
        for queue in self.batches.values_mut() {
            queue.retain(|b| b.base_sequence.is_some());
        }
        self.batched_records = self.count_batched_records();
        self.batches.retain(|_, q| !q.is_empty());
        if dropped > 0 {
            // Java fails them with TransactionAbortedException.
            self.failed_records += dropped as u64;
            let error =
                KafkaError::Timeout("TransactionAbortedException: Failing batch since transaction was aborted".into());
            fx.event(EventKind::ProduceFailed {
                producer: self.conn.name.clone(),
                tp: None,
                count: dropped,
                error,
                sent: None,
            });
        }
        self.pending_abort_dropped = dropped;
        self.drive_txn(fx);
        Ok(())
    }

    /// `sendOffsetsToTransaction(offsets, groupMetadata)`.
    pub fn send_offsets_to_transaction(
        &mut self,
        group: String,
        member: Option<(String, u32)>,
        offsets: Vec<(TopicPartition, u64)>,
        fx: &mut Effects,
    ) -> Result<(), CommandError> {
        let t = self.txn_mut()?;
        if t.state != TxnClientState::InTransaction {
            return Err(CommandError::Invalid(format!(
                "IllegalStateException: Cannot send offsets if a transaction is not in progress (currentState= {})",
                t.state.name()
            )));
        }
        if t.offsets.is_some() {
            return Err(CommandError::Invalid("sendOffsetsToTransaction is already in progress".into()));
        }
        // Version 2 sends the offsets straight to the group coordinator, which adds its
        // partition to the transaction itself (no AddOffsetsToTxn).
        let first = if t.transaction_version_2 {
            t.started = true;
            OffsetsStep::FindGroupCoordinator
        } else {
            OffsetsStep::AddOffsets
        };
        t.offsets = Some((group, member, offsets, first));
        self.drive_txn(fx);
        Ok(())
    }

    /// Sends the next request the transaction needs, if none is in flight.
    pub(super) fn drive_txn(&mut self, fx: &mut Effects) {
        // A commit waits for every record sent in the transaction, those still waiting for metadata included.
        let outstanding = !self.batches.is_empty()
            || !self.in_flight_batches.is_empty()
            || !self.waiting.is_empty()
            || !self.memory_waiting.is_empty();
        let Some(t) = self.txn.as_mut() else { return };
        if t.busy || t.state == TxnClientState::FatalError || fx.now < t.backoff_until {
            return;
        }
        let identity = |t: &TxnManager, pid: Option<(i64, i16)>| {
            pid.map(|(producer_id, producer_epoch)| TxnIdentity {
                transactional_id: t.transactional_id.clone(),
                producer_id,
                producer_epoch,
            })
        };
        let request = match t.state {
            TxnClientState::Initializing => Some(Request::InitProducerId {
                transactional_id: Some(t.transactional_id.clone()),
                transaction_timeout_ms: self.config.transaction_timeout_ms,
                producer: None,
            }),
            TxnClientState::AbortingTransaction if t.bumping => Some(Request::InitProducerId {
                transactional_id: Some(t.transactional_id.clone()),
                transaction_timeout_ms: self.config.transaction_timeout_ms,
                producer: self.producer_id,
            }),
            TxnClientState::InTransaction | TxnClientState::CommittingTransaction
                if !t.pending_partitions.is_empty() =>
            {
                identity(t, self.producer_id).map(|txn| Request::AddPartitionsToTxn {
                    txn,
                    partitions: t.pending_partitions.iter().cloned().collect(),
                    verify_only: false,
                })
            }
            TxnClientState::InTransaction | TxnClientState::CommittingTransaction if t.offsets.is_some() => {
                match &t.offsets {
                    Some((group, _, _, OffsetsStep::AddOffsets)) => {
                        identity(t, self.producer_id).map(|txn| Request::AddOffsetsToTxn { txn, group: group.clone() })
                    }
                    Some((group, _, _, OffsetsStep::FindGroupCoordinator)) => {
                        // The group's coordinator: asked of any broker.
                        if let Some(broker) = self.conn.least_loaded(fx.now) {
                            t.busy = true;
                            self.conn.request(broker, Request::FindCoordinator { group: group.clone() }, fx);
                        }
                        return;
                    }
                    Some((group, member, offsets, OffsetsStep::Commit(coordinator))) => {
                        let coordinator = *coordinator;
                        let request = identity(t, self.producer_id).map(|txn| Request::TxnOffsetCommit {
                            txn,
                            group: group.clone(),
                            member: member.clone(),
                            offsets: offsets.clone(),
                        });
                        if let Some(request) = request {
                            t.busy = true;
                            self.conn.request(coordinator, request, fx);
                        }
                        return;
                    }
                    None => None,
                }
            }
            TxnClientState::CommittingTransaction | TxnClientState::AbortingTransaction
                if !outstanding && t.pending_partitions.is_empty() && t.offsets.is_none() =>
            {
                let commit = t.state == TxnClientState::CommittingTransaction;
                if !t.started {
                    // Nothing reached the coordinator: the transaction ends here.
                    t.state = TxnClientState::Ready;
                    let step = if commit {
                        TxnStep::Committed
                    } else {
                        TxnStep::Aborted { unsent_records: core::mem::take(&mut self.pending_abort_dropped) }
                    };
                    fx.event(EventKind::ProducerTxn { producer: self.conn.name.clone(), step });
                    return;
                }
                identity(t, self.producer_id).map(|txn| Request::EndTxn { txn, commit })
            }
            _ => None,
        };
        let Some(request) = request else { return };
        let Some(t) = self.txn.as_mut() else { return };
        match t.coordinator {
            Some(c) => {
                t.busy = true;
                self.conn.request(c, request, fx);
            }
            None => {
                if let Some(broker) = self.conn.least_loaded(fx.now) {
                    t.busy = true;
                    let transactional_id = t.transactional_id.clone();
                    self.conn.request(broker, Request::FindTransactionCoordinator { transactional_id }, fx);
                }
            }
        }
    }

    /// A coordinator's answer. Returns false for responses that are not the transaction's.
    pub(super) fn on_txn_response(&mut self, request: &Request, response: &Response, fx: &mut Effects) -> bool {
        let producer = self.conn.name.clone();
        let Some(t) = self.txn.as_mut() else { return false };
        let result: Result<(), KafkaError> = match (request, response) {
            (Request::FindTransactionCoordinator { .. }, Response::FindCoordinator { result }) => {
                result.as_ref().map(|&c| t.coordinator = Some(c)).map_err(Clone::clone)
            }
            (Request::FindCoordinator { .. }, Response::FindCoordinator { result }) => match result {
                Ok(c) => {
                    if let Some((_, _, _, step)) = t.offsets.as_mut() {
                        *step = OffsetsStep::Commit(*c);
                    }
                    Ok(())
                }
                Err(e) => Err(e.clone()),
            },
            (_, Response::InitProducerId { result, transaction_version }) => {
                result.as_ref().map_err(Clone::clone).map(|&(id, epoch)| {
                    t.state = TxnClientState::Ready;
                    t.transaction_version_2 = *transaction_version >= 2;
                    self.producer_id = Some((id, epoch));
                    // A new epoch starts its sequences again.
                    self.sequences.clear();
                    let step = if core::mem::take(&mut t.bumping) {
                        fx.event(EventKind::ProducerTxn {
                            producer: producer.clone(),
                            step: TxnStep::EpochBumped { producer_id: id, epoch },
                        });
                        TxnStep::Aborted { unsent_records: core::mem::take(&mut self.pending_abort_dropped) }
                    } else {
                        TxnStep::Initialized { producer_id: id, epoch }
                    };
                    fx.event(EventKind::ProducerTxn { producer: producer.clone(), step });
                })
            }
            (Request::AddPartitionsToTxn { partitions, .. }, Response::AddPartitionsToTxn { result }) => {
                result.as_ref().map_err(Clone::clone).map(|()| {
                    t.started = true;
                    for tp in partitions {
                        t.pending_partitions.remove(tp);
                        t.partitions.insert(tp.clone());
                    }
                })
            }
            (_, Response::AddOffsetsToTxn { result }) => result.as_ref().map_err(Clone::clone).map(|()| {
                t.started = true;
                if let Some((_, _, _, step)) = t.offsets.as_mut() {
                    *step = OffsetsStep::FindGroupCoordinator;
                }
            }),
            (_, Response::TxnOffsetCommit { result }) => match result {
                Ok(()) => {
                    if let Some((group, _, offsets, _)) = t.offsets.take() {
                        fx.event(EventKind::ProducerTxn {
                            producer: producer.clone(),
                            step: TxnStep::OffsetsSent { group, offsets },
                        });
                    }
                    Ok(())
                }
                Err(KafkaError::NotCoordinator | KafkaError::CoordinatorNotAvailable) => {
                    // The group's coordinator is looked up again, after retry.backoff.ms; the
                    // transaction's stays (`TxnOffsetCommitHandler`).
                    if let Some((_, _, _, step)) = t.offsets.as_mut() {
                        *step = OffsetsStep::FindGroupCoordinator;
                    }
                    t.busy = false;
                    t.backoff_until = fx.now + Duration::from_ms(self.config.retry_backoff_ms);
                    fx.timer_in(Duration::from_ms(self.config.retry_backoff_ms), Timer::TxnRetry);
                    return true;
                }
                Err(KafkaError::UnknownMemberId | KafkaError::IllegalGeneration | KafkaError::FencedInstanceId) => {
                    // TxnOffsetCommitHandler: the consumer's group moved on (a zombie of an older
                    // generation); CommitFailedException, and the transaction can only abort.
                    t.offsets = None;
                    t.busy = false;
                    self.txn_abortable(KafkaError::CommitFailed, fx);
                    return true;
                }
                Err(e) => Err(e.clone()),
            },
            (Request::EndTxn { commit, .. }, Response::EndTxn { result }) => {
                result.as_ref().map_err(Clone::clone).map(|&(id, epoch)| {
                    if id >= 0 {
                        // Transaction version 2: the coordinator bumped the epoch for the next
                        // transaction, whose sequences start again at 0 (`EndTxnHandler`).
                        self.producer_id = Some((id, epoch));
                        self.sequences.clear();
                    }
                    t.state = TxnClientState::Ready;
                    t.partitions.clear();
                    t.started = false;
                    if !*commit && core::mem::take(&mut t.epoch_bump_required) {
                        // Version 1 after a failed send: bump the epoch before abortTransaction returns.
                        t.state = TxnClientState::AbortingTransaction;
                        t.bumping = true;
                        return;
                    }
                    let step = if *commit {
                        TxnStep::Committed
                    } else {
                        TxnStep::Aborted { unsent_records: core::mem::take(&mut self.pending_abort_dropped) }
                    };
                    fx.event(EventKind::ProducerTxn { producer: producer.clone(), step });
                })
            }
            _ => return false,
        };
        let Some(t) = self.txn.as_mut() else { return true };
        t.busy = false;
        if let Err(e) = result {
            self.on_txn_error(e, fx);
        }
        true
    }

    /// A batch of the open transaction failed: the transaction can only be aborted
    /// (Java's `transitionToAbortableError`).
    pub(super) fn txn_abortable(&mut self, error: KafkaError, fx: &mut Effects) {
        let producer = self.conn.name.clone();
        let Some(t) = self.txn.as_mut() else { return };
        if matches!(t.state, TxnClientState::InTransaction | TxnClientState::CommittingTransaction)
            && !matches!(error, KafkaError::ProducerFenced)
        {
            // `needToTriggerEpochBumpFromClient() && !isCompleting()`.
            t.epoch_bump_required |= !t.transaction_version_2 && t.state == TxnClientState::InTransaction;
            t.state = TxnClientState::AbortableError;
            t.fatal = Some(error.clone());
            fx.event(EventKind::ProducerTxn { producer, step: TxnStep::MustAbort { error } });
        }
    }

    /// A request to a coordinator failed or went unanswered.
    pub(super) fn on_txn_error(&mut self, error: KafkaError, fx: &mut Effects) {
        let producer = self.conn.name.clone();
        let Some(t) = self.txn.as_mut() else { return };
        t.busy = false;
        let backoff = Duration::from_ms(self.config.retry_backoff_ms);
        if error.is_retriable() || matches!(error, KafkaError::RequestTimedOut | KafkaError::NetworkException) {
            t.backoff_until = fx.now + backoff;
        }
        match error {
            KafkaError::NotCoordinator
            | KafkaError::CoordinatorNotAvailable
            | KafkaError::RequestTimedOut
            | KafkaError::NetworkException => {
                t.coordinator = None;
                fx.timer_in(Duration::from_ms(self.config.retry_backoff_ms), Timer::TxnRetry);
            }
            e if e.is_retriable() => fx.timer_in(Duration::from_ms(self.config.retry_backoff_ms), Timer::TxnRetry),
            KafkaError::InvalidProducerEpoch | KafkaError::ProducerFenced => {
                t.state = TxnClientState::FatalError;
                t.fatal = Some(KafkaError::ProducerFenced);
                fx.event(EventKind::ProducerTxn {
                    producer,
                    step: TxnStep::Fatal { error: KafkaError::ProducerFenced },
                });
            }
            e => {
                t.state = TxnClientState::FatalError;
                t.fatal = Some(e.clone());
                fx.event(EventKind::ProducerTxn { producer, step: TxnStep::Fatal { error: e } });
            }
        }
    }
}
