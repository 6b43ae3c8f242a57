//! What comes out of the simulation: typed events, each stamped with the
//! simulated time it happened at, each able to explain itself in one line.

use crate::error::KafkaError;
use crate::net::{Loss, Node};
use crate::protocol::{Ids, Message, TopicPartition};
use crate::record::{Record, Show};
use crate::time::Instant;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

#[derive(Debug, PartialEq)]
pub struct Event {
    pub at: Instant,
    pub kind: EventKind,
}

#[derive(Debug, PartialEq)]
pub enum EventKind {
    ClusterStarted {
        brokers: u32,
        latency_ms: u64,
    },
    BrokerStopped {
        id: u32,
        clean: bool,
    },
    LinkDelayed {
        a: Node,
        b: Node,
        latency_ms: u64,
    },
    BrokerStarted {
        id: u32,
    },
    LinkCut {
        a: Node,
        b: Node,
    },
    LinkHealed {
        a: Node,
        b: Node,
    },
    TopicCreated {
        topic: String,
        assignment: Vec<Vec<u32>>,
        auto: bool,
    },
    /// CreatePartitions: the topic's new partitions and where their replicas are.
    PartitionsAdded {
        topic: String,
        total: u32,
        assignment: Vec<Vec<u32>>,
    },
    /// An automatic topic creation the controller refused.
    TopicCreateFailed {
        topic: String,
        error: String,
    },
    /// `crash CLIENT`: the process died without a word.
    ClientCrashed {
        name: String,
    },
    ClientCreated {
        name: String,
        kind: &'static str,
    },
    /// A message left its sender.
    Sent {
        /// Routine traffic of a consumer's poll loop (fetches that bring nothing new).
        background: bool,
        from: Node,
        to: Node,
        /// Boxed: the largest payload of any event, and events are moved several times on their
        /// way out (a `Partitioned` event for every record among them).
        message: alloc::boxed::Box<Message>,
    },
    /// A message will never arrive.
    Lost {
        from: Node,
        to: Node,
        api: &'static str,
        why: Loss,
        /// When it was sent, for a message lost on its way; none when it could not leave.
        sent_ms: Option<u64>,
    },
    /// The producer's partitioner chose a partition for a record.
    Partitioned {
        /// Shared, not copied: this event is made for every record.
        producer: crate::protocol::ClientName,
        tp: TopicPartition,
        why: &'static str,
    },
    /// A leader wrote records to its log.
    Appended {
        broker: u32,
        tp: TopicPartition,
        base_offset: u64,
        count: usize,
        /// The stored batch: its bytes, its codec, and its records' bytes before compression.
        bytes: usize,
        compression: crate::batch::Compression,
        uncompressed_bytes: usize,
    },
    /// A leader recognised a retried batch by its producer id and sequence and wrote nothing.
    DuplicateIgnored {
        broker: u32,
        tp: TopicPartition,
        base_offset: u64,
        count: usize,
    },
    /// An idempotent producer got its id.
    /// An idempotent producer bumped its epoch after a batch with sequence numbers failed
    /// (KIP-360); `None` when the epoch was exhausted and a new producer id is asked for.
    ProducerEpochBumped {
        producer: String,
        producer_id: i64,
        epoch: Option<i16>,
        partitions: Vec<TopicPartition>,
    },
    ProducerIdAssigned {
        producer: String,
        producer_id: i64,
        epoch: i16,
    },
    /// A producer learned that a batch was written (or learned nothing, with acks=0).
    Acked {
        producer: String,
        tp: TopicPartition,
        base_offset: Option<u64>,
        count: usize,
        /// Each record's RecordMetadata timestamp, in send order (offsets follow from `base_offset`).
        timestamps: Vec<u64>,
    },
    /// A send blocks: buffer.memory is taken by batches not yet completed.
    SendBlocked {
        producer: String,
        reserved_bytes: u64,
        buffer_memory: u64,
    },
    /// A producer gave up on records.
    ProduceFailed {
        producer: String,
        tp: Option<TopicPartition>,
        count: usize,
        error: KafkaError,
        /// For a batch that went out at least once (so a broker may still write it): the
        /// producer id it went with and each record's CreateTime, as Compare recognises the
        /// records in the log. Empty otherwise. Not printed.
        sent: Option<(i64, alloc::rc::Rc<[u64]>)>,
    },
    /// A consumer had no position and took one from auto.offset.reset.
    OffsetReset {
        consumer: String,
        tp: TopicPartition,
        offset: u64,
        strategy: &'static str,
        /// The position was out of the log's range (else there was no position to start from).
        out_of_range: bool,
    },
    /// `close()` on a producer (its buffered records still go) or a consumer (its buffered records are dropped).
    Closed {
        client: String,
        kind: &'static str,
        pending_records: usize,
    },
    /// A consumer's position moved by a seek (at once, or when ListOffsets answered).
    Seeked {
        consumer: String,
        tp: TopicPartition,
        to: crate::command::SeekTo,
        offset: u64,
    },
    /// `offsetsForTimes` found no record at or after the timestamp.
    NoOffsetForTimestamp {
        consumer: String,
        tp: TopicPartition,
        timestamp_ms: u64,
    },
    /// A consumer could not read a partition.
    ConsumeFailed {
        consumer: String,
        tp: TopicPartition,
        error: KafkaError,
    },
    /// `poll` returned to the application.
    Polled {
        consumer: String,
        /// Shared with the consumer's record of what it received.
        records: alloc::rc::Rc<Vec<(TopicPartition, Record)>>,
    },
    /// A client's request got no answer within request.timeout.ms (`timed_out`), and the client
    /// closed the connection; the other requests in flight on it fail with it.
    RequestTimedOut {
        client: String,
        to: Node,
        api: &'static str,
        timed_out: bool,
    },
    /// A client's connection broke (the broker process is gone).
    Disconnected {
        client: String,
        to: Node,
        api: &'static str,
    },
    /// The KRaft quorum has a new active controller, or none.
    ControllerChanged {
        active: Option<u32>,
        epoch: u32,
        voters: Vec<u32>,
    },
    BrokerFenced {
        id: u32,
        why: String,
    },
    BrokerUnfenced {
        id: u32,
    },
    ControlledShutdown {
        id: u32,
    },
    /// The controller chose a partition's leader (or none: the partition is offline).
    LeaderElected {
        tp: TopicPartition,
        leader: Option<u32>,
        leader_epoch: u32,
        isr: Vec<u32>,
        /// The eligible leader replicas after the change (KIP-966).
        elr: Vec<u32>,
        why: &'static str,
    },
    /// The controller changed a partition's ISR (or its ELR).
    IsrChanged {
        tp: TopicPartition,
        isr: Vec<u32>,
        elr: Vec<u32>,
        why: String,
    },
    /// A leader asked the controller to change the ISR, and why.
    IsrChangeRequested {
        broker: u32,
        tp: TopicPartition,
        isr: Vec<u32>,
        why: String,
    },
    /// A replica cut its log back to where it agrees with the leader.
    Truncated {
        broker: u32,
        tp: TopicPartition,
        from: u64,
        to: u64,
    },
    /// A group coordinator's group changed state or generation.
    GroupState {
        broker: u32,
        group: String,
        state: crate::group::coordinator::GroupState,
        generation: u32,
        members: usize,
    },
    /// A consumer group's (KIP-848) state or epochs moved.
    ConsumerGroupState {
        broker: u32,
        group: String,
        state: crate::group::consumer_group::ConsumerGroupState,
        epoch: i32,
        assignment_epoch: i32,
        members: usize,
    },
    /// The coordinator removed a member of a consumer group (KIP-848: its session ended, or it kept
    /// partitions past its rebalance timeout) or of a share group (its session ended).
    MemberFenced {
        broker: u32,
        group: String,
        member: String,
        why: &'static str,
    },
    /// A broker became leader of an offsets partition and read its commits.
    CoordinatorLoaded {
        broker: u32,
        partitions: Vec<u32>,
        groups: usize,
    },
    /// A transaction coordinator wrote a transaction's new state to `__transaction_state`.
    TxnState {
        broker: u32,
        transactional_id: String,
        state: crate::txn::TxnState,
        producer_id: i64,
        epoch: i16,
        partitions: Vec<TopicPartition>,
    },
    /// A transaction coordinator bumped an id's epoch, fencing the instance that had it, and aborts its transaction.
    TxnFenced {
        broker: u32,
        transactional_id: String,
        producer_id: i64,
        epoch: i16,
        why: String,
    },
    /// A broker became transaction coordinator for a `__transaction_state` partition and read it back.
    TxnCoordinatorLoaded {
        broker: u32,
        partition: u32,
        transactional_ids: usize,
    },
    /// A transactional producer's step, as its application sees it.
    ProducerTxn {
        producer: String,
        step: TxnStep,
    },
    /// A consumer's JoinGroup answered: its generation and role.
    JoinedGroup {
        consumer: String,
        group: String,
        member_id: String,
        generation: u32,
        leader: bool,
        protocol: String,
        /// A static leader back in a Stable group keeps the assignment (KIP-814).
        skip_assignment: bool,
    },
    /// `onPartitionsAssigned`, `onPartitionsRevoked` or `onPartitionsLost`.
    PartitionsChanged {
        consumer: String,
        change: &'static str,
        partitions: Vec<TopicPartition>,
    },
    /// A commit the coordinator accepted (`why`: sync, auto, close, rebalance).
    OffsetsCommitted {
        consumer: String,
        why: &'static str,
        offsets: Vec<(TopicPartition, u64)>,
    },
    CommitFailed {
        consumer: String,
        why: &'static str,
        error: KafkaError,
    },
    /// A partition's position comes from the group's committed offset.
    PositionFromCommitted {
        consumer: String,
        tp: TopicPartition,
        offset: u64,
    },
    /// The application finished with a record (or failed at it).
    Processed {
        consumer: String,
        tp: TopicPartition,
        offset: u64,
        outcome: String,
    },
    /// `close` waits for the batch being processed.
    ClosingAfterBatch {
        consumer: String,
        pending: usize,
    },
    /// The dead-letter producer refused a record (for example one too large).
    DeadLetterRefused {
        consumer: String,
        error: String,
    },
    /// A consume-transform-produce application's producer refused a call (for example not yet initialized).
    PipelineRefused {
        consumer: String,
        error: String,
    },
    /// A topic's config overrides changed (kafka-configs --alter).
    TopicConfigChanged {
        topic: String,
        configs: Vec<(String, String)>,
    },
    /// The log cleaner compacted a replica's log: older records of each key removed, offsets unchanged.
    LogCleaned {
        broker: u32,
        tp: TopicPartition,
        removed: usize,
        keys: usize,
        clean_point: u64,
    },
    /// Retention deleted segments from the front of a replica's log.
    SegmentsDeleted {
        broker: u32,
        tp: TopicPartition,
        segments: usize,
        log_start_offset: u64,
        why: &'static str,
    },
    /// DeleteRecords moved a partition's log start offset.
    RecordsDeleted {
        broker: u32,
        tp: TopicPartition,
        log_start_offset: u64,
    },
    /// A pattern subscription's topics, from a fresh topic list.
    PatternMatched {
        consumer: String,
        pattern: String,
        topics: Vec<String>,
    },
    /// The group coordinator resolved a member's SubscribedTopicRegex to other topics than before.
    RegexResolved {
        broker: u32,
        group: String,
        regex: String,
        topics: Vec<String>,
    },
    /// A group leader's fresh metadata differs from what it assigned with: it asks for a rebalance.
    MetadataChanged {
        consumer: String,
        topic: String,
        was: u32,
        now: u32,
    },
    /// poll() threw: the application's poll loop ends.
    PollLoopStopped {
        consumer: String,
        error: KafkaError,
    },
    /// A consumer left its group (LeaveGroup), and why.
    LeftGroup {
        consumer: String,
        group: String,
        why: &'static str,
    },
    /// A consumer protocol member's epoch moved (joined, or reconciled to a new target).
    MemberEpoch {
        consumer: String,
        group: String,
        member_id: String,
        epoch: i32,
        /// A share group's member (KIP-932), not a consumer group's.
        share: bool,
    },
    /// The coordinator refused a consumer protocol member's heartbeat with FENCED_MEMBER_EPOCH
    /// or UNKNOWN_MEMBER_ID: it loses its partitions and rejoins.
    MemberFencedByCoordinator {
        consumer: String,
        group: String,
        error: crate::error::KafkaError,
        /// A share group's member (it holds records, not partitions: it only rejoins).
        share: bool,
    },
    /// A group coordinator tombstoned committed offsets past offsets.retention.minutes, and
    /// removed the group if nothing of it was left.
    OffsetsExpired {
        broker: u32,
        group: String,
        partitions: Vec<TopicPartition>,
        group_removed: bool,
    },
    /// A static member's poll timeout expired: it sends no LeaveGroup (since Kafka 2.3), so its
    /// session decides, and it rejoins under its group.instance.id on its next poll.
    StaticPollTimeout {
        consumer: String,
        group: String,
    },
    /// A share group's (KIP-932) state or epoch moved at its coordinator.
    #[cfg(feature = "share-groups")]
    ShareGroupState {
        broker: u32,
        group: String,
        state: crate::group::share_group::ShareGroupState,
        epoch: i32,
        members: usize,
    },
    /// A partition leader read a share-partition's state (or started it by share.auto.offset.reset).
    #[cfg(feature = "share-groups")]
    SharePartitionLoaded {
        broker: u32,
        group: String,
        tp: TopicPartition,
        start_offset: u64,
        from: &'static str,
    },
    /// A share consumer acquired records: runs of `(first, last, delivery count)`.
    #[cfg(feature = "share-groups")]
    ShareAcquired {
        broker: u32,
        group: String,
        tp: TopicPartition,
        consumer: String,
        ranges: Vec<(u64, u64, u16)>,
    },
    /// A share consumer acknowledged records it held.
    #[cfg(feature = "share-groups")]
    ShareAcknowledged {
        broker: u32,
        group: String,
        tp: TopicPartition,
        consumer: String,
        first: u64,
        last: u64,
        ack: crate::group::share_partition::AckType,
    },
    /// Acquired records' delivery ended without an acknowledgement (a lock timed out, a share
    /// session closed) or with a RELEASE at the delivery limit: Available again, or archived.
    #[cfg(feature = "share-groups")]
    ShareReleased {
        broker: u32,
        group: String,
        tp: TopicPartition,
        why: ShareRelease,
        available: Vec<u64>,
        archived: Vec<u64>,
    },
    /// A partition leader closed a share consumer's connection, idle for connections.max.idle.ms:
    /// its share session there ended.
    #[cfg(feature = "share-groups")]
    ShareSessionEvicted {
        broker: u32,
        group: String,
        consumer: String,
        idle_ms: u64,
    },
    /// A share-partition's state write failed: the acknowledgements it carried are undone (their
    /// records Acquired again by their members, or released if their locks expired meanwhile).
    #[cfg(feature = "share-groups")]
    ShareWriteFailed {
        broker: u32,
        group: String,
        tp: TopicPartition,
        error: KafkaError,
        undone: Vec<u64>,
    },
    /// A share coordinator wrote a share-partition's state to `__share_group_state`: a ShareUpdate
    /// with the batches a write changed, or a ShareSnapshot with the whole state (the first
    /// write, and after `share.coordinator.snapshot.update.records.per.snapshot` updates).
    #[cfg(feature = "share-groups")]
    ShareStateRecord {
        broker: u32,
        group: String,
        tp: TopicPartition,
        snapshot: bool,
        /// A snapshot of a share-partition not snapshotted for a while (no write asked for it).
        cold: bool,
        snapshot_epoch: i32,
        /// State batches the record holds.
        batches: usize,
        /// Updates written since the snapshot (this one included).
        updates: u32,
    },
    /// A broker became leader of a `__share_group_state` partition and replayed its log.
    #[cfg(feature = "share-groups")]
    ShareCoordinatorLoaded {
        broker: u32,
        partition: u32,
        snapshots: usize,
        updates: usize,
        /// Share-partitions whose state it now holds.
        share_partitions: usize,
    },
    /// A producer will send a batch again.
    Retrying {
        producer: String,
        tp: TopicPartition,
        count: usize,
        attempt: u32,
        error: KafkaError,
    },
}

/// Why acquired records were released.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareRelease {
    LockTimedOut,
    SessionClosed,
    Acknowledged,
    /// Records of an aborted transaction, set aside under share.isolation.level=read_committed.
    Aborted,
}

/// Offsets as `3,4,5` or `3..5` when they run.
fn offsets(f: &mut fmt::Formatter<'_>, list: &[u64]) -> fmt::Result {
    let runs = list.windows(2).all(|w| w[1] == w[0] + 1);
    match (list.first(), list.last()) {
        (Some(a), Some(b)) if runs && list.len() > 2 => write!(f, "{a}..{b}"),
        _ => {
            for (i, o) in list.iter().enumerate() {
                write!(f, "{}{o}", if i == 0 { "" } else { "," })?;
            }
            Ok(())
        }
    }
}

/// Each send's callback, as `RecordMetadata` prints (`topic-partition@offset`, -1 without an answer), with
/// its timestamp; a long batch shows its first few.
fn callbacks(f: &mut fmt::Formatter<'_>, tp: &TopicPartition, base: Option<u64>, timestamps: &[u64]) -> fmt::Result {
    const SHOWN: usize = 4;
    f.write_str("; callbacks:")?;
    for (i, ts) in timestamps.iter().enumerate().take(SHOWN) {
        match base {
            Some(b) => write!(f, " {tp}@{} (timestamp {ts})", b + i as u64)?,
            None => write!(f, " {tp}@-1 (timestamp {ts})")?,
        }
    }
    if timestamps.len() > SHOWN {
        write!(f, " and {} more", timestamps.len() - SHOWN)?;
    }
    Ok(())
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>9} ms  {}", self.at.ms, self.kind)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EventKind::*;
        match self {
            ClusterStarted { brokers, latency_ms } => {
                write!(f, "cluster started: {brokers} broker(s), link latency {latency_ms} ms")
            }
            BrokerStopped { id, clean: false } => {
                write!(f, "broker-{id} crashed: messages to and from it are lost")
            }
            BrokerStopped { id, clean: true } => {
                write!(f, "broker-{id} finished its controlled shutdown and stopped")
            }
            LinkDelayed { a, b, latency_ms } => write!(f, "link {a} <-> {b} now takes {latency_ms} ms"),
            BrokerStarted { id } => write!(f, "broker-{id} started"),
            GroupState { broker, group, state, generation, members } => {
                write!(f, "group {group} (coordinator broker-{broker}): {state}, generation {generation}, {members} member(s)")
            }
            ConsumerGroupState { broker, group, state, epoch, assignment_epoch, members } => {
                write!(f, "consumer group {group} (coordinator broker-{broker}): {state}, group epoch {epoch}, target assignment epoch {assignment_epoch}, {members} member(s)")
            }
            #[cfg(feature = "share-groups")]
            ShareGroupState { broker, group, state, epoch, members } => {
                write!(f, "share group {group} (coordinator broker-{broker}): {state}, group epoch {epoch}, {members} member(s)")
            }
            #[cfg(feature = "share-groups")]
            SharePartitionLoaded { broker, group, tp, start_offset, from } => {
                write!(f, "broker-{broker} loaded share-partition {group}:{tp}: start offset {start_offset} ({from})")
            }
            #[cfg(feature = "share-groups")]
            ShareAcquired { broker, group, tp, consumer, ranges } => {
                write!(f, "broker-{broker}: {consumer} of share group {group} acquired {tp}")?;
                for (i, (a, b, n)) in ranges.iter().enumerate() {
                    let sep = if i == 0 { " " } else { ", " };
                    if a == b {
                        write!(f, "{sep}@{a}")?;
                    } else {
                        write!(f, "{sep}@{a}..{b}")?;
                    }
                    if *n > 1 {
                        write!(f, " (delivery {n})")?;
                    }
                }
                Ok(())
            }
            #[cfg(feature = "share-groups")]
            ShareAcknowledged { broker, group, tp, consumer, first, last, ack } => {
                write!(f, "broker-{broker}: {consumer} of share group {group}: {ack} {tp}@{first}")?;
                if last != first {
                    write!(f, "..{last}")?;
                }
                Ok(())
            }
            #[cfg(feature = "share-groups")]
            ShareReleased { broker, group, tp, why, available, archived } => {
                let why = match why {
                    ShareRelease::LockTimedOut => "acquisition lock timed out",
                    ShareRelease::SessionClosed => "share session closed",
                    ShareRelease::Acknowledged => "released",
                    ShareRelease::Aborted => {
                        write!(f, "broker-{broker}: share group {group} {tp}: archived, never delivered (an aborted transaction's records, share.isolation.level=read_committed) ")?;
                        return offsets(f, archived);
                    }
                };
                write!(f, "broker-{broker}: share group {group} {tp}: {why}")?;
                if !available.is_empty() {
                    f.write_str("; available again ")?;
                    offsets(f, available)?;
                }
                if !archived.is_empty() {
                    f.write_str("; archived at the delivery limit ")?;
                    offsets(f, archived)?;
                }
                Ok(())
            }
            #[cfg(feature = "share-groups")]
            ShareSessionEvicted { broker, group, consumer, idle_ms } => write!(
                f,
                "broker-{broker} closed {consumer}'s connection, idle for connections.max.idle.ms ({idle_ms} ms): its share session of group {group} ends, and what it held there is released"
            ),
            #[cfg(feature = "share-groups")]
            ShareWriteFailed { broker, group, tp, error, undone } => {
                write!(f, "broker-{broker}: share group {group} {tp}: writing its state failed ({error})")?;
                if *error == KafkaError::FencedLeaderEpoch {
                    return f.write_str("; a newer leader has the share-partition, and this broker stops delivering from it");
                }
                if undone.is_empty() {
                    return f.write_str("; it is written again later");
                }
                f.write_str("; the acknowledgements it carried are undone: ")?;
                offsets(f, undone)
            }
            #[cfg(feature = "share-groups")]
            ShareStateRecord { broker, group, tp, snapshot: true, cold, snapshot_epoch, batches, .. } => {
                write!(
                    f,
                    "broker-{broker}: share coordinator writes ShareSnapshot epoch {snapshot_epoch} of share group {group} {tp}: the whole state, {batches} batch(es)"
                )?;
                if *cold {
                    f.write_str(" (cold: no snapshot for 5 minutes, so the records before it can be pruned)")?;
                }
                Ok(())
            }
            #[cfg(feature = "share-groups")]
            ShareStateRecord { broker, group, tp, snapshot: false, snapshot_epoch, batches, updates, .. } => write!(
                f,
                "broker-{broker}: share coordinator writes ShareUpdate of share group {group} {tp}: {batches} changed batch(es), update {updates} since snapshot epoch {snapshot_epoch}"
            ),
            #[cfg(feature = "share-groups")]
            ShareCoordinatorLoaded { broker, partition, snapshots, updates, share_partitions } => write!(
                f,
                "broker-{broker} now share coordinator of __share_group_state partition {partition}: replayed {snapshots} ShareSnapshot and {updates} ShareUpdate record(s), the state of {share_partitions} share-partition(s)"
            ),
            MemberFenced { broker, group, member, why } => {
                // Consumer and share groups alike: the reason names the protocol's session timeout.
                write!(f, "broker-{broker} fenced member {member} of group {group}: {why}")
            }
            TxnState { broker, transactional_id, state, producer_id, epoch, partitions } => {
                write!(f, "broker-{broker} (transaction coordinator): {transactional_id} is {state} (producer id {producer_id}, epoch {epoch})")?;
                if !partitions.is_empty() {
                    let list: Vec<String> = partitions.iter().map(|tp| alloc::format!("{tp}")).collect();
                    write!(f, " with {}", list.join(", "))?;
                }
                match state {
                    crate::txn::TxnState::PrepareCommit => f.write_str(": decided; commit markers go to every partition"),
                    crate::txn::TxnState::PrepareAbort if partitions.is_empty() => {
                        f.write_str(": aborted with no partition joined, so no marker to write; the epoch is bumped")
                    }
                    crate::txn::TxnState::PrepareAbort => f.write_str(": decided; abort markers go to every partition"),
                    _ => Ok(()),
                }
            }
            TxnFenced { broker, transactional_id, producer_id, epoch, why } => write!(
                f,
                "broker-{broker} fenced {transactional_id} (producer id {producer_id}) at epoch {epoch}: {why}; an instance with an older epoch is a zombie and gets PRODUCER_FENCED, and its open transaction is aborted"
            ),
            TxnCoordinatorLoaded { broker, partition, transactional_ids } => write!(
                f,
                "broker-{broker} now coordinates the transactions of __transaction_state partition {partition} ({transactional_ids} transactional id(s) read back from the log)"
            ),
            ProducerTxn { producer, step } => write!(f, "{producer}: {step}"),
            CoordinatorLoaded { broker, partitions, groups } => {
                write!(f, "broker-{broker} now coordinates the groups of __consumer_offsets partitions ")?;
                let list: Vec<String> = partitions.iter().map(|p| alloc::format!("{p}")).collect();
                write!(f, "{} (committed offsets of {groups} group(s) loaded from the log)", list.join(","))
            }
            JoinedGroup { consumer, group, member_id, generation, leader, protocol, skip_assignment } => {
                write!(f, "{consumer} joined group {group} as {member_id}, generation {generation}")?;
                if *skip_assignment {
                    f.write_str(", leader again: the assignment stands (no rebalance)")?;
                } else if *leader {
                    write!(f, ", leader: it assigns with {protocol}")?;
                }
                Ok(())
            }
            PartitionsChanged { consumer, change, partitions } => {
                write!(f, "{consumer}: partitions {change}: [")?;
                for (i, tp) in partitions.iter().enumerate() {
                    write!(f, "{}{tp}", if i > 0 { ", " } else { "" })?;
                }
                f.write_str("]")
            }
            OffsetsCommitted { consumer, why, offsets } => {
                write!(f, "{consumer} committed ({why}):")?;
                for (tp, o) in offsets {
                    write!(f, " {tp}={o}")?;
                }
                Ok(())
            }
            CommitFailed { consumer, why, error } => write!(f, "{consumer}: commit ({why}) failed: {error}"),
            PositionFromCommitted { consumer, tp, offset } => {
                write!(f, "{consumer}: {tp} resumes at the committed offset {offset}")
            }
            Processed { consumer, tp, offset, outcome } => write!(f, "{consumer} processed {tp}@{offset}: {outcome}"),
            ClosingAfterBatch { consumer, pending } => write!(
                f,
                "{consumer}: shutting down: wakeup() ends the poll loop; {pending} record(s) of the batch are processed first"
            ),
            DeadLetterRefused { consumer, error } => write!(f, "{consumer}: the dead-letter send was refused: {error}"),
            PipelineRefused { consumer, error } => write!(f, "{consumer}: its producer refused: {error}"),
            TopicConfigChanged { topic, configs } => {
                let list: Vec<String> = configs.iter().map(|(k, v)| alloc::format!("{k}={v}")).collect();
                write!(f, "topic {topic} configs altered: {}", list.join(" "))
            }
            LogCleaned { broker, tp, removed, keys, clean_point } => write!(
                f,
                "broker-{broker} compacted {tp}: {removed} older record(s) removed, the latest of {keys} key(s) kept, clean below offset {clean_point}"
            ),
            SegmentsDeleted { broker, tp, segments, log_start_offset, why } => write!(
                f,
                "broker-{broker} deleted {segments} segment(s) of {tp} ({why}): the log now starts at offset {log_start_offset}"
            ),
            RecordsDeleted { broker, tp, log_start_offset } => {
                write!(f, "broker-{broker}: DeleteRecords moved the start of {tp} to offset {log_start_offset}")
            }
            PatternMatched { consumer, pattern, topics } => {
                write!(f, "{consumer}: pattern '{pattern}' matches [{}]", topics.join(", "))
            }
            RegexResolved { broker, group, regex, topics } => write!(
                f,
                "broker-{broker} (coordinator of {group}) resolves regex '{regex}' to [{}]: the group epoch moves",
                topics.join(", ")
            ),
            MetadataChanged { consumer, topic, was, now } => write!(
                f,
                "{consumer} (group leader) sees {topic} with {now} partitions, not the {was} it assigned: it rejoins to rebalance"
            ),
            PollLoopStopped { consumer, error } => {
                write!(f, "{consumer}: poll() threw {error}; the poll loop stops")
            }
            LeftGroup { consumer, group, why } => write!(f, "{consumer} left group {group}: {why}"),
            MemberEpoch { consumer, group, member_id, epoch, share } => {
                let kind = if *share { "share" } else { "consumer" };
                write!(f, "{consumer} is member {member_id} of {kind} group {group} at epoch {epoch}")
            }
            MemberFencedByCoordinator { consumer, group, error, share: true } => {
                write!(f, "{consumer} is no longer a member of share group {group} ({}): it rejoins with epoch 0", error.name())
            }
            MemberFencedByCoordinator { consumer, group, error, share: false } => {
                write!(f, "{consumer} was fenced from consumer group {group} ({}): it loses its partitions and rejoins with epoch 0", error.name())
            }
            OffsetsExpired { broker, group, partitions, group_removed } => {
                let list: Vec<String> = partitions.iter().map(|tp| alloc::format!("{tp}")).collect();
                write!(
                    f,
                    "broker-{broker} expired the committed offsets of group {group} (offsets.retention.minutes): {}{}",
                    list.join(", "),
                    if *group_removed { "; nothing is left of the group, so it is removed" } else { "" }
                )
            }
            StaticPollTimeout { consumer, group } => write!(
                f,
                "{consumer}: poll timeout expired (max.poll.interval.ms); a static member sends no LeaveGroup: it stays in group {group} until session.timeout.ms and rejoins on its next poll"
            ),
            LinkCut { a, b } => write!(f, "link {a} <-> {b} cut"),
            LinkHealed { a, b } => write!(f, "link {a} <-> {b} healed"),
            PartitionsAdded { topic, total, assignment } => {
                write!(f, "topic {topic} now has {total} partitions:")?;
                let first = *total as usize - assignment.len();
                for (i, replicas) in assignment.iter().enumerate() {
                    let r: Vec<String> = replicas.iter().map(|b| alloc::format!("{b}")).collect();
                    write!(f, " {}=[{}]", first + i, r.join(","))?;
                }
                Ok(())
            }
            TopicCreated { topic, assignment, auto } => {
                write!(f, "topic {topic} created")?;
                if topic.starts_with("__") {
                    f.write_str(" by the cluster (internal)")?;
                } else if *auto {
                    f.write_str(" automatically (auto.create.topics.enable)")?;
                }
                f.write_str(":")?;
                for (p, replicas) in assignment.iter().enumerate() {
                    write!(f, " {p}=[")?;
                    for (i, r) in replicas.iter().enumerate() {
                        write!(f, "{}{r}", if i > 0 { "," } else { "" })?;
                    }
                    f.write_str("]")?;
                }
                Ok(())
            }
            TopicCreateFailed { topic, error } => write!(f, "topic {topic} not created: {error}"),
            ClientCreated { name, kind } => write!(f, "{kind} {name} created"),
            ClientCrashed { name } => write!(f, "{name} crashed: it sends nothing more (no commit, no LeaveGroup)"),
            Sent { from, to, message, .. } => write!(f, "{from} -> {to}: {message}"),
            Lost { from, to, api, why, .. } => write!(f, "{api} {from} -> {to} lost: {why}"),
            Partitioned { producer, tp, why } => write!(f, "{producer} put a record in {tp} ({why})"),
            Appended { broker, tp, base_offset, count, bytes, compression, uncompressed_bytes } => {
                let last = base_offset + *count as u64 - 1;
                write!(f, "broker-{broker} appended {count} record(s) to {tp} at offsets {base_offset}..={last} ({bytes} bytes")?;
                if *compression != crate::batch::Compression::None {
                    write!(f, " {compression}, {uncompressed_bytes} before compression")?;
                }
                f.write_str(")")
            }
            DuplicateIgnored { broker, tp, base_offset, count } => write!(
                f,
                "broker-{broker} recognised a retried batch of {count} record(s) to {tp} (same producer id and sequence): already at offset {base_offset}, not written again"
            ),
            ProducerEpochBumped { producer, producer_id, epoch, partitions } => {
                let names: Vec<String> = partitions.iter().map(|tp| alloc::format!("{tp}")).collect();
                match epoch {
                    Some(e) => write!(
                        f,
                        "{producer}: a failed batch left a gap in the sequence of {}; producer id {producer_id} bumps its epoch to {e} and sequences start again at 0 (KIP-360)",
                        names.join(", ")
                    ),
                    None => write!(
                        f,
                        "{producer}: a failed batch left a gap in the sequence of {}; the epoch of producer id {producer_id} is exhausted, so it asks for a new producer id",
                        names.join(", ")
                    ),
                }
            }
            ProducerIdAssigned { producer, producer_id, epoch } => {
                write!(f, "{producer} is idempotent: producer id {producer_id}, epoch {epoch}")
            }
            Acked { producer, tp, base_offset: Some(base), count, timestamps } => {
                write!(f, "{producer}: {count} record(s) to {tp} acknowledged at offset {base}")?;
                callbacks(f, tp, Some(*base), timestamps)
            }
            Acked { producer, tp, base_offset: None, count, timestamps } => {
                write!(f, "{producer}: {count} record(s) to {tp} sent with acks=0 (no answer expected)")?;
                callbacks(f, tp, None, timestamps)
            }
            SendBlocked { producer, reserved_bytes, buffer_memory } => write!(
                f,
                "{producer}: send() blocks: {reserved_bytes} of buffer.memory's {buffer_memory} bytes are held by batches not yet completed (it waits up to max.block.ms)"
            ),
            ProduceFailed { producer, tp, count, error, .. } => {
                write!(f, "{producer}: {count} record(s)")?;
                if let Some(tp) = tp {
                    write!(f, " to {tp}")?;
                }
                write!(f, " failed: {error}")
            }
            OffsetReset { consumer, tp, offset, strategy, out_of_range: false } => write!(
                f,
                "{consumer}: no committed offset for {tp}, auto.offset.reset={strategy} -> position {offset}"
            ),
            OffsetReset { consumer, tp, offset, strategy, out_of_range: true } => write!(
                f,
                "{consumer}: the position on {tp} was out of range, auto.offset.reset={strategy} -> position {offset}"
            ),
            Closed { client, kind: "producer", pending_records } => {
                write!(f, "{client}: close(): its {pending_records} buffered record(s) still go; no more sends")
            }
            Closed { client, pending_records, .. } => {
                write!(f, "{client}: close(): {pending_records} fetched record(s) dropped; no more polls")
            }
            Seeked { consumer, tp, to, offset } => match to {
                crate::command::SeekTo::Offset(_) => write!(f, "{consumer}: seek({tp}, {offset})"),
                crate::command::SeekTo::Beginning => write!(f, "{consumer}: seekToBeginning({tp}) -> position {offset}"),
                crate::command::SeekTo::End => write!(f, "{consumer}: seekToEnd({tp}) -> position {offset}"),
                crate::command::SeekTo::Timestamp(ms) => {
                    write!(f, "{consumer}: offsetsForTimes({tp}, {ms}) = {offset} -> position {offset}")
                }
            },
            NoOffsetForTimestamp { consumer, tp, timestamp_ms } => write!(
                f,
                "{consumer}: offsetsForTimes({tp}, {timestamp_ms}) = null: no record at or after it; seeking to the end"
            ),
            ConsumeFailed { consumer, tp, error } => write!(f, "{consumer}: {tp} {error}"),
            Polled { consumer, records } => {
                write!(f, "{consumer}: poll returned {} record(s)", records.len())?;
                for (tp, r) in records.iter() {
                    write!(f, "; {tp}@{} key={} value={}", r.offset, Show(r.key.as_deref()), Show(r.value.as_deref()))?;
                    for h in &r.headers {
                        write!(f, " {}={}", h.key, Show(h.value.as_deref()))?;
                    }
                }
                Ok(())
            }
            Disconnected { client, to, api } => write!(
                f,
                "{client}: connection to {to} refused (it is down); the {api} request fails with NETWORK_EXCEPTION"
            ),
            RequestTimedOut { client, to, api, timed_out: true } => write!(
                f,
                "{client}: {api} to {to} got no answer within request.timeout.ms; the connection closes"
            ),
            RequestTimedOut { client, to, api, timed_out: false } => {
                write!(f, "{client}: the {api} request in flight to {to} fails as the connection closes")
            }
            ControllerChanged { active: Some(id), epoch, .. } => {
                write!(f, "broker-{id} is the active controller (epoch {epoch})")
            }
            ControllerChanged { active: None, voters, .. } => write!(
                f,
                "no active controller: no majority of the voters {} is up and connected; metadata cannot change",
                Ids(voters)
            ),
            BrokerFenced { id, why } => write!(f, "controller fenced broker-{id}: {why}"),
            BrokerUnfenced { id } => write!(f, "controller unfenced broker-{id}: it is caught up with the metadata"),
            ControlledShutdown { id } => {
                write!(f, "broker-{id} is shutting down cleanly: the controller moves its leaderships away")
            }
            LeaderElected { tp, leader: Some(l), leader_epoch, isr, elr, why } => {
                write!(f, "{tp}: broker-{l} is the leader (leader epoch {leader_epoch}, ISR {}{}): {why}", Ids(isr), Elr(elr))
            }
            LeaderElected { tp, leader: None, leader_epoch, isr, elr, .. } => write!(
                f,
                "{tp} is offline (leader epoch {leader_epoch}): no in-sync or eligible replica is available (ISR {}{}) and unclean.leader.election.enable=false",
                Ids(isr),
                Elr(elr)
            ),
            IsrChanged { tp, isr, elr, why } => write!(f, "{tp}: the ISR is now {}{} ({why})", Ids(isr), Elr(elr)),
            IsrChangeRequested { broker, tp, isr, why } => {
                write!(f, "broker-{broker} asks the controller to set the ISR of {tp} to {}: {why}", Ids(isr))
            }
            Truncated { broker, tp, from, to } => write!(
                f,
                "broker-{broker} truncated {tp} from offset {from} to {to}: its log diverged from the leader's"
            ),
            Retrying { producer, tp, count, attempt, error } => write!(
                f,
                "{producer}: {count} record(s) to {tp} failed with {}; retry {attempt} after retry.backoff.ms",
                error.name()
            ),
        }
    }
}

impl EventKind {
    /// Background traffic a person rarely wants to read: heartbeats, metadata
    /// pushes, and follower fetches that carried nothing. Traces and the page
    /// hide it unless asked.
    pub fn is_chatter(&self) -> bool {
        use crate::protocol::{Body, Request, Response};
        match self {
            EventKind::Sent { background: true, .. } => true,
            EventKind::Sent { to, message, .. } => match &message.body {
                Body::Request(Request::BrokerHeartbeat { .. } | Request::MetadataUpdate { .. }) => true,
                Body::Request(Request::Heartbeat { .. }) => true,
                Body::Response(Response::Heartbeat { result: Ok(()) }) => true,
                // A consumer-protocol heartbeat that brings nothing and is answered with nothing new.
                Body::Request(Request::ConsumerGroupHeartbeat { heartbeat: h, .. }) => {
                    h.member_epoch > 0 && h.topics.is_none() && h.owned.is_none()
                }
                Body::Response(Response::ConsumerGroupHeartbeat { result: Ok(a) }) => a.assignment.is_none(),
                Body::Request(Request::Fetch { replica_id: Some(_), .. }) => true,
                Body::Response(Response::BrokerHeartbeat { .. }) => true,
                Body::Response(Response::Fetch { partitions, .. }) => {
                    matches!(to, Node::Broker(_))
                        && partitions.iter().all(|p| {
                            p.result.as_ref().is_ok_and(|d| d.batches.is_empty() && d.diverging_epoch.is_none())
                        })
                }
                _ => false,
            },
            // The fifty partitions of `__consumer_offsets` move with every broker failure;
            // the coordinator's own event says which broker took over which groups.
            EventKind::LeaderElected { tp, .. } | EventKind::IsrChanged { tp, .. } => tp.topic.starts_with("__"),
            EventKind::Lost { api, from, to, .. } => {
                matches!(*api, "BrokerHeartbeat" | "MetadataUpdate")
                    || (*api == "Fetch" && matches!((from, to), (Node::Broker(_), Node::Broker(_))))
            }
            _ => false,
        }
    }
}

/// A transactional producer's step.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum TxnStep {
    /// initTransactions returned: the id's producer id and (bumped) epoch.
    Initialized {
        producer_id: i64,
        epoch: i16,
    },
    Began,
    /// commitTransaction returned: the coordinator decided to commit.
    Committed,
    /// abortTransaction returned.
    Aborted {
        unsent_records: usize,
    },
    /// sendOffsetsToTransaction returned: these offsets commit with the transaction.
    OffsetsSent {
        group: String,
        offsets: Vec<(TopicPartition, u64)>,
    },
    /// A fatal error: the producer can only be closed (ProducerFencedException and the like).
    Fatal {
        error: KafkaError,
    },
    /// A send of the transaction failed: commit is refused, abortTransaction is the way on.
    MustAbort {
        error: KafkaError,
    },
    /// Transaction version 1, after aborting a transaction one of whose sends failed: the
    /// producer bumped its epoch (KIP-360).
    EpochBumped {
        producer_id: i64,
        epoch: i16,
    },
}

impl fmt::Display for TxnStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TxnStep::Initialized { producer_id, epoch } => {
                write!(f, "initTransactions done: producer id {producer_id}, epoch {epoch}")
            }
            TxnStep::Began => f.write_str("beginTransaction"),
            TxnStep::Committed => f.write_str("commitTransaction done: the transaction is committed"),
            TxnStep::Aborted { unsent_records: 0 } => f.write_str("abortTransaction done"),
            TxnStep::Aborted { unsent_records } => {
                write!(f, "abortTransaction done; {unsent_records} record(s) not yet sent were dropped")
            }
            TxnStep::OffsetsSent { group, offsets } => {
                let list: Vec<String> = offsets.iter().map(|(tp, o)| alloc::format!("{tp}@{o}")).collect();
                write!(f, "sendOffsetsToTransaction for group {group}: {} (they count only if the transaction commits)", list.join(", "))
            }
            TxnStep::Fatal { error: KafkaError::ProducerFenced } => f.write_str(
                "ProducerFencedException: the coordinator bumped this transactional.id's epoch (a newer instance started, or the transaction timed out); this producer can only be closed",
            ),
            TxnStep::Fatal { error } => write!(f, "transaction failed: {error}; the producer can only be closed"),
            TxnStep::MustAbort { error } => {
                write!(f, "a send of the transaction failed ({error}): it can only be aborted now")
            }
            TxnStep::EpochBumped { producer_id, epoch } => write!(
                f,
                "a send of the aborted transaction failed: producer id {producer_id} takes epoch {epoch} (InitProducerId, KIP-360), so a write of it that comes late is refused"
            ),
        }
    }
}

/// A partition's eligible leader replicas in an event's words, only when there are any.
struct Elr<'a>(&'a [u32]);

impl fmt::Display for Elr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            Ok(())
        } else {
            write!(f, ", ELR {}", Ids(self.0))
        }
    }
}
