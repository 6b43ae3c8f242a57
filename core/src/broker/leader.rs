//! What a partition leader does: append produced records, serve fetches from
//! consumers (below the high watermark) and followers (up to the log end),
//! track each follower's progress, move the high watermark, answer acks=all
//! once it passes the batch, and ask the controller to shrink or expand the ISR.

use super::log::SequenceCheck;
use super::verification::Verifying;
use super::{reply, Broker, Pending, Replica, Role};
use crate::batch::{self, BatchBytes, BatchError, Compression, TimestampType};
use crate::effects::{Effects, Timer};
use crate::error::KafkaError;
use crate::event::EventKind;
use crate::fetch_session::FetchContext;
use crate::group::offsets::Committed;
use crate::limits::RECORDS_PER_PARTITION_MAX;
use crate::metadata::{InTopicOrder, PartitionState};
use crate::net::Node;
use crate::protocol::{
    Acks, FetchPartition, FetchedData, FetchedPartition, IsolationLevel, OffsetSpec, ProducePartition,
    ProducedPartition, Request, Response, SharedName, TopicPartition, TxnIdentity,
};
use crate::sorted::SortedMap;
use crate::time::{Duration, Instant};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// A follower as its leader sees it (Kafka's `Replica` state in `Partition`).
#[derive(Clone, Debug)]
pub struct FollowerProgress {
    /// The follower's log end offset, from its last fetch; unknown until it fetches.
    pub log_end_offset: Option<u64>,
    /// The last time the follower had everything the leader had (`lastCaughtUpTimeMs`); none
    /// for a follower outside the ISR when this leadership began, so that it does not hold the
    /// high watermark back (Kafka sets it to 0 in `Replica.resetReplicaState`).
    pub last_caught_up: Option<Instant>,
    last_fetch_leader_leo: u64,
    last_fetch_at: Instant,
}

/// A leadership: one leader epoch of one partition on this broker.
#[derive(Clone, Debug)]
pub struct Leadership {
    pub epoch: u32,
    pub partition_epoch: u32,
    pub isr: Vec<u32>,
    pub followers: SortedMap<u32, FollowerProgress>,
    /// The log end offset when this leadership began: a follower must reach it to rejoin the ISR.
    pub epoch_start_offset: u64,
    /// The AlterPartition in flight, if any.
    pub pending_isr: PendingIsr,
}

impl FollowerProgress {
    /// Kafka's `ReplicaState.isCaughtUp`: the follower has everything the leader has, or had it
    /// within `replica.lag.time.max.ms`.
    pub fn is_caught_up(&self, leader_leo: u64, now: Instant, lag_max: Duration) -> bool {
        self.log_end_offset == Some(leader_leo)
            || self.last_caught_up.is_some_and(|t| now < t + lag_max + Duration::from_ms(1))
    }
}

/// An AlterPartition this leader has sent and not had answered, one at a time (Kafka's
/// `PendingExpandIsr` and `PendingShrinkIsr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PendingIsr {
    None,
    /// A follower proposed for the ISR counts for the high watermark from the moment it is
    /// proposed (KIP-497's "maximal ISR"): adding a replica only makes the HW stricter.
    Expand {
        follower: u32,
    },
    /// A shrink counts only once the controller has committed it: until then the HW still
    /// waits for the replicas leaving, or a rejected shrink could have let it pass them.
    Shrink,
}

impl Leadership {
    /// Whether `broker` is in the ISR or proposed for it (`PartitionState.maximalIsr`).
    pub fn in_maximal_isr(&self, broker: u32) -> bool {
        self.isr.contains(&broker) || self.pending_isr == PendingIsr::Expand { follower: broker }
    }

    pub fn new(me: u32, state: &PartitionState, leo: u64, now: Instant) -> Self {
        let followers = state
            .replicas
            .iter()
            .filter(|&&r| r != me)
            .map(|&r| {
                let progress = FollowerProgress {
                    log_end_offset: None,
                    last_caught_up: state.isr.contains(&r).then_some(now),
                    last_fetch_leader_leo: 0,
                    last_fetch_at: now,
                };
                (r, progress)
            })
            .collect();
        Leadership {
            epoch: state.leader_epoch,
            partition_epoch: state.partition_epoch,
            isr: state.isr.clone(),
            followers,
            epoch_start_offset: leo,
            pending_isr: PendingIsr::None,
        }
    }
}

/// A Fetch waiting for data or for its max wait (Kafka's fetch purgatory).
#[derive(Clone, Debug)]
pub struct ParkedFetch {
    /// Its fetch session's context: which of `partitions`' answers go back.
    pub context: FetchContext,
    pub client: Node,
    pub correlation_id: u32,
    pub replica_id: Option<u32>,
    pub min_bytes: usize,
    pub max_bytes: usize,
    pub isolation_level: IsolationLevel,
    /// What it reads: a full fetch's partitions, or all of its session's.
    pub partitions: Vec<FetchPartition>,
}

/// Whose write an append is, and so how it is answered: a producer's
/// Produce, or a group coordinator's commit records (answered with OffsetCommit).
#[derive(Clone, Debug)]
pub enum WriteFor {
    /// With the append time when the topic stamps LogAppendTime.
    Produce {
        log_append_time_ms: Option<u64>,
    },
    OffsetCommit {
        group: String,
        offsets: Vec<(TopicPartition, Committed)>,
    },
    /// The coordinator's own record of a group's membership: nobody waits for it.
    GroupMetadata,
    /// A generation's assignment, written before the members learn it (SyncGroup waits).
    GroupSync {
        group: String,
        generation: u32,
    },
    /// A consumer group's snapshot written for a heartbeat, answered once it is replicated.
    ConsumerHeartbeat {
        group: String,
        answer: alloc::boxed::Box<crate::group::consumer_group::HeartbeatAnswer>,
        /// The snapshot written: the group's committed state once it is replicated.
        value: alloc::vec::Vec<u8>,
    },
    /// A transaction coordinator's state record.
    TxnState {
        transactional_id: String,
    },
    /// A transaction marker; `local` names the transaction when this broker is also its coordinator.
    TxnMarker {
        local: Option<String>,
        producer_id: i64,
        commit: bool,
    },
    /// A share group's snapshot written for a heartbeat, answered once it is replicated.
    #[cfg(feature = "share-groups")]
    ShareHeartbeat {
        group: String,
        answer: alloc::boxed::Box<crate::group::share_group::ShareHeartbeatAnswer>,
        /// The snapshot written: the group's committed state once it is replicated.
        value: alloc::vec::Vec<u8>,
    },
    /// A share-partition's state, answered to its leader once replicated.
    #[cfg(feature = "share-groups")]
    ShareState {
        group: String,
        tp: TopicPartition,
        /// A leader's write, answered; a cold snapshot is the coordinator's own.
        answer: bool,
    },
    /// A share-partition's state read by a new leader, answered with `state` once the record of
    /// its leader epoch is replicated.
    #[cfg(feature = "share-groups")]
    ShareRead {
        group: String,
        tp: TopicPartition,
        state: alloc::boxed::Box<crate::protocol::ShareState>,
    },
    /// Offsets a transactional producer sent, counted once its transaction commits.
    TxnOffsetCommit {
        group: String,
        producer_id: i64,
        offsets: Vec<(TopicPartition, Committed)>,
    },
}

/// An acks=all write waiting for the high watermark (Kafka's produce purgatory).
#[derive(Clone, Debug)]
pub struct ParkedProduce {
    client: Node,
    correlation_id: u32,
    tp: TopicPartition,
    base_offset: u64,
    end_offset: u64,
    write_for: WriteFor,
}

/// A Produce request's answer while its partitions are written: Kafka answers the request once,
/// with every partition's result (`ReplicaManager.appendRecords`; an acks=all request's
/// `DelayedProduce` completes when each of its partitions has its answer).
#[derive(Clone, Debug)]
pub struct ProduceAnswer {
    client: Node,
    correlation_id: u32,
    /// In the request's order, each answered in its turn.
    partitions: Vec<ProducedPartition>,
    /// Partitions not answered yet.
    waiting: usize,
}

/// Requests parked at once on one broker; past this, one is answered at once.
const PARKED_MAX: usize = 1_000;

impl Broker {
    /// A Produce request: each partition's batch is appended (or verified first) on its own, and
    /// the request answered once all are (an acks=0 request is never answered).
    pub(super) fn produce_request(
        &mut self,
        from: Node,
        id: u32,
        acks: (Acks, u64),
        transactional_id: Option<SharedName>,
        partitions: Vec<ProducePartition>,
        fx: &mut Effects,
    ) {
        // Past the stated limit a request is written and never answered, as by a broker too
        // busy to answer: its client times it out.
        if acks.0 != Acks::None && self.produce_answers.len() < PARKED_MAX {
            let mut slots = Vec::with_capacity(partitions.len());
            for p in &partitions {
                let tp = p.tp.clone();
                slots.push(ProducedPartition {
                    tp,
                    result: Err(KafkaError::RequestTimedOut),
                    log_append_time_ms: None,
                });
            }
            let answer =
                ProduceAnswer { client: from.clone(), correlation_id: id, waiting: slots.len(), partitions: slots };
            self.produce_answers.push(answer);
        }
        for p in partitions {
            let bytes = alloc::rc::Rc::unwrap_or_clone(p.batch);
            self.produce(from.clone(), id, acks, transactional_id.clone(), p.tp, bytes, fx);
        }
    }

    /// One partition of a Produce request answered; the request is answered with the last.
    pub(super) fn answer_produce(&mut self, to: Node, id: u32, answer: ProducedPartition, fx: &mut Effects) {
        let Some(i) = self.produce_answers.iter().position(|a| a.client == to && a.correlation_id == id) else {
            // An acks=0 request: nobody waits for an answer.
            return;
        };
        let pending = &mut self.produce_answers[i];
        if let Some(slot) = pending.partitions.iter_mut().find(|p| p.tp == answer.tp) {
            // A request names each partition once, and each is answered once.
            *slot = answer;
            pending.waiting -= 1;
        }
        if pending.waiting == 0 {
            let partitions = self.produce_answers.swap_remove(i).partitions;
            reply(fx, to, id, Response::Produce { partitions });
        }
    }

    /// Produce, checked as `Partition.appendRecordsToLeader` does.
    /// A transactional producer's first batch of a transaction to this partition waits until
    /// the transaction's coordinator has added the partition to it or vouched that the producer
    /// did (KIP-890, `verification.rs`); a producer without a transactional id is not verified,
    /// as in Kafka.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn produce(
        &mut self,
        from: Node,
        id: u32,
        acks: (Acks, u64),
        transactional_id: Option<SharedName>,
        tp: TopicPartition,
        bytes: BatchBytes,
        fx: &mut Effects,
    ) {
        if let (Some(tid), Some((producer_id, producer_epoch, _))) = (transactional_id, batch::producer_fields(&bytes))
        {
            let (transactional, control) = batch::transaction_flags(&bytes).unwrap_or_default();
            if transactional
                && !control
                && producer_id >= 0
                && self.needs_verification(&tp, producer_id, producer_epoch)
            {
                let txn = TxnIdentity { transactional_id: String::from(&*tid), producer_id, producer_epoch };
                let then = Verifying::Produce { from, id, acks, tp: tp.clone(), bytes };
                return self.verify_transaction(txn, tp, then, fx);
            }
        }
        self.write(from, id, acks, tp, bytes, WriteFor::Produce { log_append_time_ms: None }, fx);
    }

    /// Answers a write: a Produce response, or the commit's OffsetCommit response.
    pub(super) fn answer_write(
        &mut self,
        to: Node,
        id: u32,
        tp: TopicPartition,
        write_for: WriteFor,
        result: Result<u64, KafkaError>,
        fx: &mut Effects,
    ) {
        match write_for {
            WriteFor::Produce { log_append_time_ms } => {
                self.answer_produce(to, id, ProducedPartition { tp, result, log_append_time_ms }, fx)
            }
            WriteFor::OffsetCommit { group, offsets } => self.on_commit_written(to, id, group, offsets, result, fx),
            WriteFor::GroupMetadata => {}
            WriteFor::GroupSync { group, generation } => self.on_group_stored(&group, generation, result, fx),
            WriteFor::ConsumerHeartbeat { group, answer, value } => {
                self.on_consumer_heartbeat_written((to, id), &group, *answer, value, result, fx)
            }
            WriteFor::TxnState { transactional_id } => self.on_txn_state_written(transactional_id, result, fx),
            WriteFor::TxnMarker { local, producer_id, commit } => {
                if result.is_ok() && tp.topic == super::coordinator::OFFSETS_TOPIC {
                    // The group coordinator's side of the marker: the pending offsets count, or go.
                    self.complete_txn_offsets(producer_id, commit);
                }
                let result = result.map(|_| ());
                match local {
                    Some(tid) => self.on_marker_written(&tid, &tp, result, fx),
                    None => reply(fx, to, id, Response::WriteTxnMarkers { tp, result }),
                }
            }
            WriteFor::TxnOffsetCommit { group, producer_id, offsets } => {
                self.on_txn_offsets_written(to, id, group, producer_id, offsets, result, fx)
            }
            #[cfg(feature = "share-groups")]
            WriteFor::ShareHeartbeat { group, answer, value } => {
                self.on_share_heartbeat_written((to, id), &group, *answer, value, result, fx)
            }
            #[cfg(feature = "share-groups")]
            WriteFor::ShareState { ref group, tp: ref of, .. } | WriteFor::ShareRead { ref group, tp: ref of, .. } => {
                let result = result.map(|_| ());
                if result.as_ref().is_err_and(super::coordinator::refused) {
                    // Not in the log: the coordinator's state goes back to what the log holds.
                    self.reload_share_state(&(group.clone(), of.clone()));
                }
                self.answer_share_state_write(to, id, write_for, result, fx);
            }
        }
    }

    /// Appends a batch as leader and answers when `acks` is met.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn write(
        &mut self,
        from: Node,
        id: u32,
        (acks, timeout_ms): (Acks, u64),
        tp: TopicPartition,
        bytes: BatchBytes,
        mut write_for: WriteFor,
        fx: &mut Effects,
    ) {
        let min_isr = self.min_isr(&tp);
        let me = self.id;
        let config = self.image.topics.get(tp.topic.as_str()).map(|t| t.config.clone()).unwrap_or_default();
        let now = fx.now;
        if let WriteFor::Produce { log_append_time_ms } = &mut write_for {
            // The producer's RecordMetadata carries the broker's time for a LogAppendTime topic.
            if config.text("message.timestamp.type") == "LogAppendTime" {
                *log_append_time_ms = Some(now.ms);
            }
        }
        let mut stored = (0, 0, Compression::None, 0);
        let transaction_version_2 = self.config.transaction_version >= 2;
        let result = self.leader_replica_mut(&tp).and_then(|replica| {
            let Role::Leader(lead) = &replica.role else {
                return Err(KafkaError::NotLeaderOrFollower);
            };
            if acks == Acks::All && (lead.isr.len() as u32) < min_isr {
                return Err(KafkaError::NotEnoughReplicas);
            }
            let max_bytes = config.long("max.message.bytes").max(0) as usize;
            if bytes.len() > max_bytes {
                return Err(KafkaError::RecordTooLarge(format!(
                    "the batch is {} bytes, larger than max.message.bytes ({max_bytes})",
                    bytes.len()
                )));
            }
            // The leader checks the CRC and walks every record, as LogValidator does.
            let invalid = |e: BatchError| KafkaError::CorruptMessage(format!("{e}"));
            let mut checked = bytes.validate().map_err(invalid)?;
            if config.text("cleanup.policy").contains("compact") && checked.has_null_key {
                return Err(KafkaError::InvalidRecord(format!(
                    "Compacted topic cannot accept message without key in topic partition {tp}."
                )));
            }
            let count = checked.header.count;
            if !replica.log.has_room_for(count) {
                return Err(KafkaError::PolicyViolation(format!(
                    "the playground keeps at most {RECORDS_PER_PARTITION_MAX} records per partition"
                )));
            }
            let mut bytes = bytes;
            if config.text("message.timestamp.type") == "LogAppendTime" {
                // The broker overwrites the timestamps and so re-encodes (a new CRC).
                let (mut batch, _) = bytes.decode().map_err(invalid)?;
                batch.timestamp_type = TimestampType::LogAppendTime;
                batch.max_timestamp = now.ms as i64;
                bytes = batch.encode().map_err(invalid)?;
                checked = bytes.validate().map_err(invalid)?;
            }
            let batch = &checked.header.batch;
            stored = (count, bytes.len(), batch.compression, checked.uncompressed_bytes);
            if batch.is_control {
                // A marker from an older epoch than the producer's current one is stale. With
                // transaction version 2 every marker comes with a bumped epoch, so one that is
                // not newer than the producer's epoch here is stale too (Kafka 4.2's strict check
                // in `ProducerAppendInfo.checkProducerEpoch`).
                let stale = |current: i16| match transaction_version_2 {
                    true => batch.producer_epoch <= current,
                    false => batch.producer_epoch < current,
                };
                if replica.log.producers().get(&batch.producer_id).is_some_and(|e| stale(e.epoch)) {
                    return Err(KafkaError::InvalidProducerEpoch);
                }
            } else if batch.producer_id >= 0 && batch.base_sequence < 0 {
                // A coordinator's write on a producer's behalf (transactional offsets): no sequence,
                // but an epoch older than the producer's here is a zombie's
                // (`ProducerAppendInfo.checkProducerEpoch` for the coordinator's appends).
                if replica.log.producers().get(&batch.producer_id).is_some_and(|e| batch.producer_epoch < e.epoch) {
                    return Err(KafkaError::InvalidProducerEpoch);
                }
            } else if batch.producer_id >= 0 {
                let check = replica.log.check_sequence(
                    batch.producer_id,
                    batch.producer_epoch,
                    batch.base_sequence,
                    count as i32,
                )?;
                if let SequenceCheck::Duplicate { base_offset, .. } = check {
                    // A retry of a batch already written: the original offsets, nothing appended.
                    return Ok((base_offset, true));
                }
            }
            let epoch = lead.epoch;
            replica.log.roll = super::roll_config(&config);
            Ok((replica.log.append(&checked, bytes, epoch), false))
        });
        let (base_offset, duplicate) = match result {
            Ok(appended) => appended,
            Err(e) => {
                if acks != Acks::None {
                    self.answer_write(from, id, tp, write_for, Err(e), fx);
                }
                return;
            }
        };
        let (count, bytes, compression, uncompressed_bytes) = stored;
        if duplicate {
            fx.event(EventKind::DuplicateIgnored { broker: me, tp: tp.clone(), base_offset, count });
        } else {
            fx.event(EventKind::Appended {
                broker: me,
                tp: tp.clone(),
                base_offset,
                count,
                bytes,
                compression,
                uncompressed_bytes,
            });
        }
        // A leader alone in its ISR commits at once.
        self.maybe_advance_high_watermark(&tp, fx);
        match acks {
            Acks::None => {}
            Acks::Leader => self.answer_write(from, id, tp.clone(), write_for, Ok(base_offset), fx),
            Acks::All => {
                let parked = ParkedProduce {
                    client: from,
                    correlation_id: id,
                    tp: tp.clone(),
                    base_offset,
                    end_offset: base_offset + count as u64,
                    write_for,
                };
                if !self.try_complete_produce(&parked, fx) {
                    if self.parked_produces.len() >= PARKED_MAX {
                        let (to, write_for) = (parked.client, parked.write_for);
                        self.answer_write(to, id, tp.clone(), write_for, Err(KafkaError::RequestTimedOut), fx);
                    } else {
                        let timer = Timer::ProduceExpiry { client: parked.client.clone(), correlation_id: id };
                        fx.timer_in(Duration::from_ms(timeout_ms), timer);
                        self.parked_produces.push(parked);
                    }
                }
            }
        }
        self.wake_parked_fetches(&tp, fx);
    }

    /// Answers an acks=all produce if the high watermark passed it (`checkEnoughReplicasReachOffset`).
    fn try_complete_produce(&mut self, p: &ParkedProduce, fx: &mut Effects) -> bool {
        match self.produce_outcome(p) {
            Some(result) => {
                let p = p.clone();
                self.answer_write(p.client, p.correlation_id, p.tp, p.write_for, result, fx);
                true
            }
            None => false,
        }
    }

    /// An acks=all produce's answer once the high watermark has passed it: NOT_ENOUGH_REPLICAS_AFTER_APPEND
    /// if the ISR has since shrunk below min.insync.replicas; `None` while it waits.
    fn produce_outcome(&self, p: &ParkedProduce) -> Option<Result<u64, KafkaError>> {
        let replica = self.replicas.get(&p.tp)?;
        let Role::Leader(lead) = &replica.role else {
            return None;
        };
        if replica.high_watermark < p.end_offset {
            return None;
        }
        Some(if (lead.isr.len() as u32) < self.min_isr(&p.tp) {
            Err(KafkaError::NotEnoughReplicasAfterAppend)
        } else {
            Ok(p.base_offset)
        })
    }

    /// The request's timeout passed: every partition of it still waiting is answered REQUEST_TIMED_OUT.
    pub(super) fn expire_produce(&mut self, client: &Node, correlation_id: u32, fx: &mut Effects) {
        while let Some(i) =
            self.parked_produces.iter().position(|p| &p.client == client && p.correlation_id == correlation_id)
        {
            let p = self.parked_produces.remove(i);
            self.answer_write(p.client, correlation_id, p.tp, p.write_for, Err(KafkaError::RequestTimedOut), fx);
        }
    }

    /// A parked write left its request's partitions: the request's timeout goes only when none
    /// of them waits any more.
    fn unpark(&self, p: &ParkedProduce, fx: &mut Effects) {
        let same = |q: &ParkedProduce| q.client == p.client && q.correlation_id == p.correlation_id;
        if !self.parked_produces.iter().any(same) {
            fx.cancel(Timer::ProduceExpiry { client: p.client.clone(), correlation_id: p.correlation_id });
        }
    }

    /// Produces waiting on partitions this broker no longer leads get NOT_LEADER_OR_FOLLOWER.
    pub(super) fn fail_parked_produces_not_led(&mut self, fx: &mut Effects) {
        let mut i = 0;
        while i < self.parked_produces.len() {
            if self.now_leads(&self.parked_produces[i].tp) {
                i += 1;
                continue;
            }
            let p = self.parked_produces.remove(i);
            self.unpark(&p, fx);
            let error = Err(KafkaError::NotLeaderOrFollower);
            self.answer_write(p.client, p.correlation_id, p.tp, p.write_for, error, fx);
        }
    }

    fn wake_parked_produces(&mut self, tp: &TopicPartition, fx: &mut Effects) {
        // Take out every produce that can be answered first, then answer them: answering a
        // coordinator's own write (a transaction or group record) may write again, and park or
        // wake produces, while this loop walks the list (seed 2003828).
        let mut ready = Vec::new();
        let mut i = 0;
        while i < self.parked_produces.len() {
            let p = &self.parked_produces[i];
            if &p.tp == tp {
                if let Some(result) = self.produce_outcome(p) {
                    ready.push((self.parked_produces.remove(i), result));
                    continue;
                }
            }
            i += 1;
        }
        for (p, _) in &ready {
            self.unpark(p, fx);
        }
        for (p, result) in ready {
            self.answer_write(p.client, p.correlation_id, p.tp, p.write_for, result, fx);
        }
    }

    pub(super) fn fetch(&mut self, parked: ParkedFetch, max_wait_ms: u64, fx: &mut Effects) {
        let (bytes, answer) = self.read(&parked, fx);
        let eventful = answer.iter().any(|p| p.result.as_ref().map_or(true, |d| d.diverging_epoch.is_some()));
        // A fetch that reads nothing (a session error) is answered at once, as `fetchMessages` does.
        let nothing = parked.partitions.is_empty();
        if bytes >= parked.min_bytes
            || max_wait_ms == 0
            || eventful
            || nothing
            || self.parked_fetches.len() >= PARKED_MAX
        {
            self.answer_fetch(parked, answer, fx);
        } else {
            let timer = Timer::FetchExpiry { client: parked.client.clone(), correlation_id: parked.correlation_id };
            fx.timer_in(Duration::from_ms(max_wait_ms), timer);
            self.parked_fetches.push(parked);
        }
    }

    pub(super) fn expire_fetch(&mut self, client: &Node, correlation_id: u32, fx: &mut Effects) {
        if let Some(i) =
            self.parked_fetches.iter().position(|p| &p.client == client && p.correlation_id == correlation_id)
        {
            let parked = self.parked_fetches.remove(i);
            let (_, answer) = self.read(&parked, fx);
            self.answer_fetch(parked, answer, fx);
        }
    }

    /// Sends a fetch's answer: what its session context keeps of what it read.
    fn answer_fetch(&mut self, parked: ParkedFetch, answer: Vec<FetchedPartition>, fx: &mut Effects) {
        let (error, session_id, partitions) =
            self.fetch_sessions.respond(fx.now.ms, &parked.context, &parked.partitions, answer);
        reply(fx, parked.client, parked.correlation_id, Response::Fetch { error, session_id, partitions });
    }

    /// Answers parked fetches on `tp` that can complete now.
    fn wake_parked_fetches(&mut self, tp: &TopicPartition, fx: &mut Effects) {
        self.complete_parked_fetches(Some(tp), fx);
    }

    /// Answers the parked fetches (those on `tp`, or all) that can complete now: after a
    /// metadata change, those that name a partition this broker no longer leads, no longer
    /// knows, or leads in a newer epoch (`DelayedFetch.tryComplete`'s cases A to E, checked when
    /// `ReplicaManager` makes a partition's replica a follower).
    pub(super) fn complete_parked_fetches(&mut self, tp: Option<&TopicPartition>, fx: &mut Effects) {
        let mut i = 0;
        while i < self.parked_fetches.len() {
            let fetch = &self.parked_fetches[i];
            if tp.is_none_or(|tp| fetch.partitions.iter().any(|p| &p.tp == tp)) && self.can_complete(fetch) {
                let parked = self.parked_fetches.remove(i);
                // Reading for real records the follower's progress.
                let (_, answer_now) = self.read(&parked, fx);
                fx.cancel(Timer::FetchExpiry { client: parked.client.clone(), correlation_id: parked.correlation_id });
                self.answer_fetch(parked, answer_now, fx);
                continue;
            }
            i += 1;
        }
    }

    /// Whether a parked fetch can be answered now (`DelayedFetch.tryComplete`): one of its
    /// partitions answers with an error (not led here, unknown, a fenced leader epoch: cases A to
    /// E) or a diverging epoch (case H), or they bring at least its `fetch.min.bytes` (case G).
    /// Partitions are read in the fetch's order and within its `max_bytes` as [`Self::peek`]
    /// reads them, only until they bring enough.
    fn can_complete(&self, fetch: &ParkedFetch) -> bool {
        let mut bytes = 0;
        let mut image = self.image.in_topic_order();
        for p in &fetch.partitions {
            if bytes >= fetch.min_bytes {
                break;
            }
            let budget = p.partition_max_bytes.min(fetch.max_bytes.saturating_sub(bytes));
            let read = (fetch.replica_id, fetch.isolation_level, bytes == 0);
            match self.read_partition(p, read, budget, &mut image) {
                Ok(d) if d.diverging_epoch.is_none() => bytes += d.batches.iter().map(|b| b.bytes.len()).sum::<usize>(),
                Ok(_) | Err(_) => return true,
            }
        }
        bytes >= fetch.min_bytes
    }

    /// What a fetch would return, without recording follower progress.
    fn peek(&self, fetch: &ParkedFetch) -> (usize, Vec<FetchedPartition>) {
        let mut bytes = 0;
        let mut answer = Vec::with_capacity(fetch.partitions.len());
        // A fetch's partitions come in topic order: each topic is found in the image once.
        let mut image = self.image.in_topic_order();
        for p in &fetch.partitions {
            // Each partition within its own limit and what the answer has left; only the first
            // partition with data may bring a batch larger than both (KIP-74, `minOneMessage` in
            // `ReplicaManager.readFromLog`), so that a large batch never blocks a consumer.
            let budget = p.partition_max_bytes.min(fetch.max_bytes.saturating_sub(bytes));
            let result =
                self.read_partition(p, (fetch.replica_id, fetch.isolation_level, bytes == 0), budget, &mut image);
            if let Ok(d) = &result {
                bytes += d.batches.iter().map(|b| b.bytes.len()).sum::<usize>();
            }
            answer.push(FetchedPartition { tp: p.tp.clone(), result });
        }
        (bytes, answer)
    }

    /// Reads every partition of a fetch; a follower's fetch also records its progress.
    fn read(&mut self, fetch: &ParkedFetch, fx: &mut Effects) -> (usize, Vec<FetchedPartition>) {
        if let Some(follower) = fetch.replica_id {
            for p in &fetch.partitions {
                self.note_follower_fetch(follower, p, fx);
            }
        }
        self.peek(fetch)
    }

    fn read_partition(
        &self,
        p: &FetchPartition,
        (replica_id, isolation_level, min_one): (Option<u32>, IsolationLevel, bool),
        budget: usize,
        image: &mut InTopicOrder<'_>,
    ) -> Result<FetchedData, KafkaError> {
        let replica = self.leader_replica_in(&p.tp, image)?;
        let Role::Leader(lead) = &replica.role else {
            return Err(KafkaError::NotLeaderOrFollower);
        };
        match p.current_leader_epoch {
            Some(e) if e < lead.epoch => return Err(KafkaError::FencedLeaderEpoch),
            Some(e) if e > lead.epoch => return Err(KafkaError::UnknownLeaderEpoch),
            _ => {}
        }
        let log = &replica.log;
        let (start, hw, leo) = (log.log_start_offset(), replica.high_watermark, log.log_end_offset());
        let lso = log.last_stable_offset(hw);
        let mut data = FetchedData {
            high_watermark: hw,
            log_start_offset: start,
            batches: Vec::new(),
            diverging_epoch: None,
            last_stable_offset: lso,
            aborted_transactions: Vec::new(),
        };
        if let Some(last) = p.last_fetched_epoch {
            // The follower's last epoch ended earlier here, or the leader never had it: truncate first.
            match log.end_offset_for_epoch(last) {
                Some((epoch, end)) if epoch < last || end < p.fetch_offset => {
                    data.diverging_epoch = Some((epoch, end));
                    return Ok(data);
                }
                None if p.fetch_offset > start => {
                    data.diverging_epoch = Some((0, start));
                    return Ok(data);
                }
                _ => {}
            }
        }
        if p.fetch_offset < start || p.fetch_offset > leo {
            return Err(KafkaError::OffsetOutOfRange);
        }
        // Consumers read only below the high watermark (read_committed: below the last stable
        // offset); followers read everything.
        let end = match (replica_id, isolation_level) {
            (Some(_), _) => leo,
            (None, IsolationLevel::ReadUncommitted) => hw,
            (None, IsolationLevel::ReadCommitted) => lso,
        };
        data.batches = log.read(p.fetch_offset, end, budget, min_one);
        if isolation_level == IsolationLevel::ReadCommitted && replica_id.is_none() {
            // The aborted transactions the batches returned overlap, so the reader can drop their records.
            let upto = data.batches.last().map_or(p.fetch_offset, |b| b.last_offset + 1);
            data.aborted_transactions = log
                .aborted_since(p.fetch_offset)
                .filter(|a| a.first_offset < upto)
                .map(|a| (a.producer_id, a.first_offset))
                .collect();
        }
        Ok(data)
    }

    /// Records a follower's fetch position (`Partition.updateFollowerFetchState`),
    /// then moves the high watermark and considers the follower for the ISR.
    fn note_follower_fetch(&mut self, follower: u32, p: &FetchPartition, fx: &mut Effects) {
        let now = fx.now;
        let me = self.id;
        // Whether the ISR could take the follower in, and whether the HW could move: when
        // neither, the two checks below (each a search of the replicas, and the HW's a read of
        // min.insync.replicas) are skipped, as most follower fetches in a steady cluster change
        // neither. Each check still decides for itself.
        let (may_expand, may_advance) = {
            let Some(replica) = self.replicas.get_mut(&p.tp) else {
                return;
            };
            let leo = replica.log.log_end_offset();
            let hw = replica.high_watermark;
            let Role::Leader(lead) = &mut replica.role else {
                return;
            };
            if p.current_leader_epoch.is_some_and(|e| e != lead.epoch) {
                return;
            }
            let Some(progress) = lead.followers.get_mut(&follower) else {
                return;
            };
            if p.fetch_offset >= leo {
                progress.last_caught_up = Some(now);
            } else if p.fetch_offset >= progress.last_fetch_leader_leo {
                progress.last_caught_up = Some(progress.last_fetch_at);
            }
            progress.log_end_offset = Some(p.fetch_offset);
            progress.last_fetch_leader_leo = leo;
            progress.last_fetch_at = now;
            let may_expand = !lead.isr.contains(&follower) && lead.pending_isr == PendingIsr::None;
            // This fetch may have moved the slowest replica the HW waits for; any replica the
            // HW waits for is at least in the ISR or caught up, so the ISR's smallest log end
            // is a bound the HW cannot pass.
            let isr_hw = lead
                .isr
                .iter()
                .filter(|&&r| r != me)
                .map(|r| lead.followers.get(r).and_then(|f| f.log_end_offset).unwrap_or(0))
                .fold(leo, u64::min);
            (may_expand, isr_hw > hw)
        };
        if may_expand {
            self.maybe_expand_isr(&p.tp, follower, fx);
        }
        if may_expand || may_advance {
            self.maybe_advance_high_watermark(&p.tp, fx);
        }
    }

    /// Kafka's `Partition.maybeIncrementLeaderHW`: the HW is the smallest log end offset of
    /// the replicas it waits for, and moves only while the ISR has at least min.insync.replicas
    /// members (KIP-966). It waits for every replica in the maximal ISR (the ISR and a replica
    /// proposed for it) and for any replica caught up and eligible to join (not fenced, not
    /// shutting down), so a replica entering the ISR never lacks a record below the HW.
    pub(super) fn maybe_advance_high_watermark(&mut self, tp: &TopicPartition, fx: &mut Effects) {
        let lag_max = Duration::from_ms(self.config.replica_lag_time_max_ms);
        let Some(replica) = self.replicas.get(tp) else {
            return;
        };
        let leo = replica.log.log_end_offset();
        let Role::Leader(lead) = &replica.role else {
            return;
        };
        let mut hw = leo;
        for (&r, progress) in &lead.followers {
            let follower_leo = progress.log_end_offset.unwrap_or(0);
            if follower_leo >= hw {
                continue;
            }
            let waits = lead.in_maximal_isr(r) || (progress.is_caught_up(leo, fx.now, lag_max) && self.isr_eligible(r));
            if waits {
                hw = follower_leo;
            }
        }
        // min.insync.replicas is read only when the HW would move (most follower fetches of an
        // idle partition move nothing, and a large cluster's brokers answer thousands a second).
        if hw <= replica.high_watermark || (lead.isr.len() as u32) < self.min_isr(tp) {
            return;
        }
        let Some(replica) = self.replicas.get_mut(tp) else {
            return;
        };
        replica.high_watermark = hw;
        replica.log.note_high_watermark(hw);
        assert!(replica.high_watermark <= leo, "HW past LEO on {tp}");
        self.wake_parked_produces(tp, fx);
        self.wake_parked_fetches(tp, fx);
        #[cfg(feature = "share-groups")]
        if self.share.has_parked() {
            self.wake_share_fetches(fx);
        }
    }

    /// Kafka's `isReplicaIsrEligible`: a registered broker neither fenced nor shutting down.
    fn isr_eligible(&self, broker: u32) -> bool {
        self.image.brokers.get(&broker).is_some_and(|b| !b.fenced && !b.shutting_down)
    }

    fn maybe_expand_isr(&mut self, tp: &TopicPartition, follower: u32, fx: &mut Effects) {
        let eligible = self.isr_eligible(follower);
        let Some(replica) = self.replicas.get_mut(tp) else {
            return;
        };
        let hw = replica.high_watermark;
        let Role::Leader(lead) = &mut replica.role else {
            return;
        };
        if lead.isr.contains(&follower) || lead.pending_isr != PendingIsr::None || !eligible {
            return;
        }
        let Some(leo) = lead.followers.get(&follower).and_then(|f| f.log_end_offset) else {
            return;
        };
        if leo < hw || leo < lead.epoch_start_offset {
            return;
        }
        let mut isr = lead.isr.clone();
        isr.push(follower);
        crate::sort::sort(&mut isr);
        let why = format!("broker-{follower} caught up to the high watermark {hw}");
        self.request_isr_change(tp, isr, PendingIsr::Expand { follower }, why, fx);
    }

    /// Every replica.lag.time.max.ms / 2: followers that have not caught up for
    /// replica.lag.time.max.ms leave the ISR (`Partition.maybeShrinkIsr`). A follower that has
    /// everything the leader has stays, however long ago it last fetched
    /// (`Partition.isFollowerOutOfSync`): an idle partition's ISR does not shrink.
    pub(super) fn check_isr(&mut self, fx: &mut Effects) {
        let lag_max = Duration::from_ms(self.config.replica_lag_time_max_ms);
        let mut shrinks = Vec::new();
        for (tp, replica) in &self.replicas {
            let Role::Leader(lead) = &replica.role else {
                continue;
            };
            if lead.pending_isr != PendingIsr::None {
                continue;
            }
            let leo = replica.log.log_end_offset();
            let out: Vec<u32> = lead
                .isr
                .iter()
                .copied()
                .filter(|r| lead.followers.get(r).is_some_and(|f| !f.is_caught_up(leo, fx.now, lag_max)))
                .collect();
            if !out.is_empty() {
                let isr: Vec<u32> = lead.isr.iter().copied().filter(|r| !out.contains(r)).collect();
                let names: Vec<_> = out.iter().map(|r| format!("broker-{r}")).collect();
                let why = format!(
                    "{} not caught up for {} ms (replica.lag.time.max.ms)",
                    names.join(", "),
                    self.config.replica_lag_time_max_ms
                );
                shrinks.push((tp.clone(), isr, why));
            }
        }
        for (tp, isr, why) in shrinks {
            self.request_isr_change(&tp, isr, PendingIsr::Shrink, why, fx);
        }
        self.schedule_isr_check(fx);
    }

    pub(super) fn schedule_isr_check(&mut self, fx: &mut Effects) {
        // Re-armed by the timer itself; `Sim` replaces an identical pending timer.
        fx.timer_in(Duration::from_ms(self.config.replica_lag_time_max_ms / 2), Timer::IsrCheck);
    }

    fn request_isr_change(
        &mut self,
        tp: &TopicPartition,
        isr: Vec<u32>,
        pending: PendingIsr,
        why: alloc::string::String,
        fx: &mut Effects,
    ) {
        let me = self.id;
        let Some(Replica { role: Role::Leader(lead), .. }) = self.replicas.get_mut(tp) else {
            return;
        };
        // Both callers (`maybe_expand_isr`, `check_isr`) skip a partition with a change in flight:
        // reaching this with one would lose the first change's pending state.
        assert!(lead.pending_isr == PendingIsr::None, "a second AlterPartition in flight for {tp}");
        lead.pending_isr = pending;
        let request = Request::AlterPartition {
            broker: me,
            tp: tp.clone(),
            leader_epoch: lead.epoch,
            partition_epoch: lead.partition_epoch,
            new_isr: isr.clone(),
        };
        fx.event(EventKind::IsrChangeRequested { broker: me, tp: tp.clone(), isr, why });
        self.request(Node::Controller, request, Pending::AlterPartition { tp: tp.clone() }, fx);
    }

    pub(super) fn on_alter_partition(
        &mut self,
        tp: &TopicPartition,
        result: Result<PartitionState, KafkaError>,
        fx: &mut Effects,
    ) {
        let Some(Replica { role: Role::Leader(lead), .. }) = self.replicas.get_mut(tp) else {
            return;
        };
        lead.pending_isr = PendingIsr::None;
        if let Ok(state) = result {
            if state.leader_epoch == lead.epoch && state.partition_epoch > lead.partition_epoch {
                lead.isr = state.isr;
                lead.partition_epoch = state.partition_epoch;
            }
        }
        // A rejected change waits for the metadata that explains it.
        self.maybe_advance_high_watermark(tp, fx);
        self.wake_parked_produces(tp, fx);
    }

    /// ListOffsets as `Partition.fetchOffsetForTimestamp` answers a consumer: up to the high
    /// watermark, or for read_committed up to the last stable offset.
    pub(super) fn list_offset(
        &self,
        tp: &TopicPartition,
        spec: OffsetSpec,
        isolation_level: IsolationLevel,
    ) -> Result<Option<u64>, KafkaError> {
        let r = self.leader_replica(tp)?;
        let fetchable = match isolation_level {
            IsolationLevel::ReadCommitted => r.log.last_stable_offset(r.high_watermark),
            IsolationLevel::ReadUncommitted => r.high_watermark,
        };
        Ok(match spec {
            OffsetSpec::Earliest => Some(r.log.log_start_offset()),
            OffsetSpec::Latest => Some(fetchable),
            OffsetSpec::Timestamp(ms) => r.log.offset_for_timestamp(ms, fetchable),
        })
    }

    fn leader_replica(&self, tp: &TopicPartition) -> Result<&Replica, KafkaError> {
        self.leader_replica_in(tp, &mut self.image.in_topic_order())
    }

    /// [`Self::leader_replica`] for one of many partitions looked up in topic order.
    ///
    /// Kafka's `ReplicaManager.getPartitionOrException`: the broker's own replica first; only a
    /// partition it does not lead is looked for in the metadata image, to tell a partition led
    /// elsewhere from one that does not exist. (`sync_roles` idles a replica the image no longer
    /// has, so a leader's partition is always in the image.)
    fn leader_replica_in(&self, tp: &TopicPartition, image: &mut InTopicOrder<'_>) -> Result<&Replica, KafkaError> {
        match self.replicas.get(tp) {
            Some(replica) if replica.is_leader() => {
                debug_assert!(image.partition(tp).is_some(), "{tp}: a leader's partition is in the image");
                Ok(replica)
            }
            _ if image.partition(tp).is_none() => Err(KafkaError::UnknownTopicOrPartition),
            _ => Err(KafkaError::NotLeaderOrFollower),
        }
    }

    fn leader_replica_mut(&mut self, tp: &TopicPartition) -> Result<&mut Replica, KafkaError> {
        match self.replicas.get_mut(tp) {
            Some(replica) if replica.is_leader() => Ok(replica),
            _ if self.image.partition(tp).is_none() => Err(KafkaError::UnknownTopicOrPartition),
            _ => Err(KafkaError::NotLeaderOrFollower),
        }
    }

    /// Kafka's `effectiveMinIsr` (KAFKA-15583, 3.7): min.insync.replicas, capped at the partition's
    /// replica count, so that a topic of replication factor 1 with `min.insync.replicas=2` still
    /// takes acks=all writes instead of refusing every one.
    fn min_isr(&self, tp: &TopicPartition) -> u32 {
        let Some(topic) = self.image.topics.get(tp.topic.as_str()) else {
            return 1;
        };
        let replicas = topic.partitions.get(tp.partition as usize).map_or(1, |p| p.replicas.len() as u32);
        topic.config.min_insync_replicas().min(replicas.max(1))
    }
}
