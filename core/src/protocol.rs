//! The requests and responses nodes exchange, named and shaped after Kafka's
//! protocol (one variant per API key used so far). Fields carry what the
//! simulation needs, not the wire encoding.

use crate::error::KafkaError;
use crate::group::coordinator::{JoinResult, Protocols};
use crate::log_batch::LogBatch;
use crate::metadata::{Metadata, PartitionState};
use crate::record::Header;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Broker ids as a list, `[1, 2, 3]` (the form of Rust's `Debug` for a list, which the page's
/// build leaves out: `-Zfmt-debug=none`).
#[derive(Debug)]
pub struct Ids<'a>(pub &'a [u32]);

impl fmt::Display for Ids<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, id) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{id}")?;
        }
        f.write_str("]")
    }
}

/// A name shared rather than copied, where copies would be made per record: a clone is a
/// reference count. Compares, orders, hashes and prints as the text it holds; two clones of
/// one name compare equal without reading the text (a map keyed by a partition is searched
/// with the same shared topic name its keys hold).
#[derive(Clone)]
pub struct SharedName(Rc<str>);

impl core::hash::Hash for SharedName {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialEq for SharedName {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl Eq for SharedName {}

impl PartialOrd for SharedName {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedName {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        if Rc::ptr_eq(&self.0, &other.0) {
            return core::cmp::Ordering::Equal;
        }
        // Byte by byte in place: names are short, and every map keyed by a partition searches
        // by them (a large cluster's brokers search their replicas thousands of times a tick),
        // where a call to the C library's memcmp for each comparison cost more than comparing.
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        for (x, y) in a.iter().zip(b) {
            if x != y {
                return x.cmp(y);
            }
        }
        a.len().cmp(&b.len())
    }
}

/// A topic's name: a partition's name is cloned for every record a client buffers, returns or
/// processes and for every event that names it.
pub type TopicName = SharedName;

/// A client's name where an event names it per record (a producer's `Partitioned`).
pub type ClientName = SharedName;

impl SharedName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::ops::Deref for SharedName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl core::borrow::Borrow<str> for SharedName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedName {
    fn from(name: &str) -> Self {
        SharedName(Rc::from(name))
    }
}

impl From<String> for SharedName {
    fn from(name: String) -> Self {
        SharedName(Rc::from(name))
    }
}

impl From<SharedName> for String {
    fn from(name: SharedName) -> Self {
        String::from(&*name.0)
    }
}

impl PartialEq<&str> for SharedName {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for SharedName {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SharedName> for String {
    fn eq(&self, other: &SharedName) -> bool {
        **self == *other.0
    }
}

impl PartialEq<SharedName> for &str {
    fn eq(&self, other: &SharedName) -> bool {
        **self == *other.0
    }
}

impl fmt::Display for SharedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SharedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SharedName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// A topic and a partition index, printed as Kafka prints it: `orders-1`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TopicPartition {
    pub topic: TopicName,
    pub partition: u32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<TopicName>, partition: u32) -> Self {
        TopicPartition { topic: topic.into(), partition }
    }

    /// Parses `topic-N`, splitting at the last `-` (topic names may contain `-`).
    pub fn parse(text: &str) -> Option<Self> {
        let (topic, partition) = text.rsplit_once('-')?;
        if topic.is_empty() {
            return None;
        }
        Some(TopicPartition::new(topic, partition.parse().ok()?))
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// The producer's `acks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Acks {
    /// acks=0: the producer does not wait and the broker does not answer.
    None,
    /// acks=1: the leader answers after its own append.
    Leader,
    /// acks=all (-1): the leader answers once the in-sync replicas have the batch.
    All,
}

impl fmt::Display for Acks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Acks::None => "0",
            Acks::Leader => "1",
            Acks::All => "all",
        })
    }
}

/// A partition's part of a Produce request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducePartition {
    pub tp: TopicPartition,
    /// One Kafka v2 record batch, as encoded (and compressed) by the producer. Shared: the
    /// client's record of the request in flight and the `Sent` event hold the same bytes;
    /// the leader takes them (copying only if they are still shared) to stamp and store.
    pub batch: Rc<crate::batch::BatchBytes>,
}

/// A partition's part of a Produce response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducedPartition {
    pub tp: TopicPartition,
    /// The base offset the batch was written at, or why not.
    pub result: Result<u64, KafkaError>,
    /// The broker's append time for a LogAppendTime topic (Kafka's `logAppendTime`; -1 otherwise).
    pub log_append_time_ms: Option<u64>,
}

/// A record as sent in a Produce request: no offset yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordData {
    pub timestamp_ms: u64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<Header>,
}

/// Which offset ListOffsets asks for: Kafka's special timestamps -2 and -1,
/// or a real timestamp (`offsetsForTimes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetSpec {
    Earliest,
    Latest,
    /// The earliest offset whose record timestamp is at or after this many ms.
    Timestamp(u64),
}

/// A partition as a Metadata response describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionMetadata {
    pub partition: u32,
    pub leader: Option<u32>,
    pub leader_epoch: u32,
    pub replicas: Vec<u32>,
    pub isr: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchPartition {
    pub tp: TopicPartition,
    pub fetch_offset: u64,
    /// The leader epoch the fetcher believes current (followers send it; consumers may not).
    pub current_leader_epoch: Option<u32>,
    /// The epoch of the fetcher's last record, for divergence detection (KIP-595 style fetch).
    pub last_fetched_epoch: Option<u32>,
    /// The most bytes this partition may bring (`max.partition.fetch.bytes`,
    /// `replica.fetch.max.bytes`), unless it is the first of the answer with data (KIP-74).
    pub partition_max_bytes: usize,
}

/// A fetch's place in its fetch session (KIP-227, Java's `FetchMetadata`): the session's id
/// (0: none) and the request's epoch in it. Epoch 0 is a full fetch that asks for a new session
/// (closing `session_id`'s if set); -1 a full fetch that asks for none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FetchMetadata {
    pub session_id: u32,
    pub epoch: i32,
}

impl FetchMetadata {
    /// No session yet: a full fetch that asks for one.
    pub const INITIAL: FetchMetadata = FetchMetadata { session_id: 0, epoch: 0 };
    pub const INITIAL_EPOCH: i32 = 0;
    pub const FINAL_EPOCH: i32 = -1;

    /// A full fetch names every partition; an incremental one only what changed.
    pub fn is_full(self) -> bool {
        self.epoch == Self::INITIAL_EPOCH || self.epoch == Self::FINAL_EPOCH
    }

    /// The epoch after `epoch` (`FetchMetadata.nextEpoch`): it wraps past `i32::MAX` to 1.
    pub fn next_epoch(epoch: i32) -> i32 {
        match epoch {
            e if e < 0 => Self::FINAL_EPOCH,
            i32::MAX => 1,
            e => e + 1,
        }
    }

    /// A full fetch that closes this session and asks for a new one (`nextCloseExistingAttemptNew`).
    pub fn close_existing_attempt_new(self) -> FetchMetadata {
        FetchMetadata { session_id: self.session_id, epoch: Self::INITIAL_EPOCH }
    }
}

/// One partition's answer to a Fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedPartition {
    pub tp: TopicPartition,
    pub result: Result<FetchedData, KafkaError>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedData {
    pub high_watermark: u64,
    pub log_start_offset: u64,
    /// Whole stored batches; a reader skips records below its fetch offset.
    pub batches: Vec<LogBatch>,
    /// Set when the follower's log diverged from the leader's: `(epoch, end offset)`
    /// to truncate to before fetching again.
    pub diverging_epoch: Option<(u32, u64)>,
    pub last_stable_offset: u64,
    /// For read_committed: `(producer id, first offset)` of aborted transactions in the range read.
    pub aborted_transactions: Vec<(i64, u64)>,
}

/// One acknowledgement batch of a share consumer (ShareFetch's and ShareAcknowledge's
/// `AcknowledgementBatches`): offsets `first_offset..=last_offset`, one type for all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareAck {
    pub first_offset: u64,
    pub last_offset: u64,
    pub ack: crate::group::share_partition::AckType,
}

/// A share-partition's state (`__share_group_state`'s ShareSnapshotValue): its start offset,
/// state epoch and the state batches `(first, last, delivery state, delivery count)`. In a
/// WriteShareGroupState the batches are those the write changes; in a ReadShareGroupState's
/// answer, the whole state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareState {
    pub state_epoch: u32,
    /// The leader epoch of the partition leader that wrote it: the share coordinator refuses a
    /// write or a read from an older leader (FENCED_LEADER_EPOCH).
    pub leader_epoch: u32,
    pub start_offset: u64,
    pub batches: Vec<(u64, u64, u8, u16)>,
}

/// One partition of a ShareFetch answer: the batches holding what was acquired, and the
/// acquired runs with their delivery counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareFetchedPartition {
    pub tp: TopicPartition,
    pub result: Result<ShareFetchedData, KafkaError>,
    /// The outcome of this partition's piggybacked acknowledgements, if any came.
    pub ack_result: Option<Result<(), KafkaError>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareFetchedData {
    pub batches: Vec<LogBatch>,
    pub acquired: Vec<crate::group::share_partition::AcquiredRecords>,
}

/// Who a transactional request comes from: the id, and the producer id and epoch it was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnIdentity {
    pub transactional_id: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
}

/// A consumer's isolation.level: read_committed reads only below the last stable offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum IsolationLevel {
    #[default]
    ReadUncommitted,
    ReadCommitted,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    Metadata {
        /// `None` asks for every topic (Kafka's null list), as a pattern subscription does.
        topics: Option<Vec<String>>,
        /// Producers ask brokers to create unknown topics (allow.auto.create.topics).
        allow_auto_topic_creation: bool,
    },
    Produce {
        acks: Acks,
        timeout_ms: u64,
        /// A transactional producer's id (ProduceRequest's `transactional_id`): the leader
        /// finds the transaction's coordinator by it to verify the partition (KIP-890).
        transactional_id: Option<SharedName>,
        /// One batch for each partition the broker leads that had one to send: Java's sender
        /// drains every ready partition of a broker into one request (`RecordAccumulator.drain`).
        partitions: Vec<ProducePartition>,
    },
    Fetch {
        /// A follower's broker id; `None` for a consumer.
        replica_id: Option<u32>,
        max_wait_ms: u64,
        min_bytes: usize,
        max_bytes: usize,
        isolation_level: IsolationLevel,
        /// The fetch session and this request's epoch in it.
        session: FetchMetadata,
        /// A full fetch: every partition; an incremental one: those new to the session or changed.
        partitions: Vec<FetchPartition>,
        /// Partitions an incremental fetch removes from its session.
        forgotten: Vec<TopicPartition>,
    },
    ListOffsets {
        /// read_committed: "latest" is the last stable offset, and a timestamp finds only
        /// records below it (`Partition.fetchOffsetForTimestamp`).
        isolation_level: IsolationLevel,
        partitions: Vec<(TopicPartition, OffsetSpec)>,
    },
    /// An idempotent producer asks any broker for its producer id and epoch; a
    /// transactional one asks its transaction coordinator, which bumps the epoch.
    InitProducerId {
        transactional_id: Option<String>,
        transaction_timeout_ms: u64,
        /// The producer id and epoch it has, when it bumps its own epoch (KIP-360): the
        /// coordinator fences it unless they are current.
        producer: Option<(i64, i16)>,
    },
    /// Which broker coordinates a transactional id (FindCoordinator, key type TRANSACTION).
    FindTransactionCoordinator {
        transactional_id: String,
    },
    /// A transactional producer's first write to partitions in this transaction. Also sent by a
    /// partition leader or group coordinator before a producer's first transactional batch
    /// (KIP-890): with transaction version 2 to add the partition for the producer, which no
    /// longer asks, with version 1 only to verify that the producer added it (`verify_only`).
    AddPartitionsToTxn {
        txn: TxnIdentity,
        partitions: Vec<TopicPartition>,
        verify_only: bool,
    },
    /// The group's offsets partition joins the transaction (sendOffsetsToTransaction).
    AddOffsetsToTxn {
        txn: TxnIdentity,
        group: String,
    },
    /// Commit or abort: the coordinator decides, then writes markers.
    EndTxn {
        txn: TxnIdentity,
        commit: bool,
    },
    /// Coordinator to a partition leader: end this producer's transaction here.
    WriteTxnMarkers {
        producer_id: i64,
        producer_epoch: i16,
        commit: bool,
        coordinator_epoch: u32,
        tp: TopicPartition,
    },
    /// Offsets that count only if the transaction commits, to the group coordinator.
    TxnOffsetCommit {
        txn: TxnIdentity,
        group: String,
        /// KIP-447: the consumer's member id and generation (its `groupMetadata()`), so that the
        /// coordinator fences a zombie of an older generation; `None` for a producer that names
        /// only the group.
        member: Option<(String, u32)>,
        offsets: Vec<(TopicPartition, u64)>,
    },
    /// Broker to controller, every broker.heartbeat.interval.ms.
    BrokerHeartbeat {
        broker: u32,
        metadata_offset: u64,
        want_shutdown: bool,
        /// The first heartbeat of a new incarnation (after a restart).
        restarted: bool,
        /// The incarnation before this one stopped after a controlled shutdown (Kafka's
        /// registration proves it with `previousBrokerEpoch`); a crash is an unclean shutdown.
        clean_shutdown: bool,
    },
    /// A partition leader asks the controller to change the ISR.
    AlterPartition {
        broker: u32,
        tp: TopicPartition,
        leader_epoch: u32,
        partition_epoch: u32,
        new_isr: Vec<u32>,
    },
    /// Which broker coordinates a group (key type GROUP).
    FindCoordinator {
        group: String,
    },
    JoinGroup {
        group: String,
        /// Empty on a member's first join (KIP-394: the coordinator answers MEMBER_ID_REQUIRED with one).
        member_id: String,
        /// `group.instance.id` of a static member.
        group_instance_id: Option<String>,
        session_timeout_ms: u64,
        rebalance_timeout_ms: u64,
        protocols: Protocols,
    },
    /// The leader brings every member's assignment; the others bring none.
    SyncGroup {
        group: String,
        member_id: String,
        group_instance_id: Option<String>,
        generation: u32,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    },
    Heartbeat {
        group: String,
        member_id: String,
        group_instance_id: Option<String>,
        generation: u32,
    },
    LeaveGroup {
        group: String,
        member_id: String,
    },
    /// The consumer group protocol's one request (KIP-848): join (member epoch 0), heartbeat,
    /// acknowledge an assignment (the partitions owned now), leave (epoch -1 or -2).
    ConsumerGroupHeartbeat {
        group: String,
        heartbeat: Box<crate::group::consumer_group::HeartbeatRequest>,
    },
    /// A share consumer's one group request (KIP-932): join (member epoch 0), stay, leave (-1).
    #[cfg(feature = "share-groups")]
    ShareGroupHeartbeat {
        group: String,
        heartbeat: Box<crate::group::share_group::ShareHeartbeatRequest>,
    },
    /// A share consumer to a partition leader: acquire records of these partitions for the
    /// member, acknowledging what it finished with (piggybacked). The share session's epoch: 0
    /// opens one, -1 closes it (its acquisitions are released), else the one after the last.
    #[cfg(feature = "share-groups")]
    ShareFetch {
        group: String,
        member_id: String,
        session_epoch: i32,
        max_wait_ms: u64,
        min_bytes: usize,
        max_bytes: usize,
        /// `max.poll.records`: what one fetch acquires, a soft limit unless `record_limit`.
        max_records: u32,
        /// `share.acquire.mode=record_limit` (KIP-1206): exactly `max_records` at most.
        record_limit: bool,
        partitions: Vec<TopicPartition>,
        acknowledgements: Vec<(TopicPartition, Vec<ShareAck>)>,
    },
    /// Acknowledgements alone (commitSync, close): epoch -1 also closes the share session.
    #[cfg(feature = "share-groups")]
    ShareAcknowledge {
        group: String,
        member_id: String,
        session_epoch: i32,
        acknowledgements: Vec<(TopicPartition, Vec<ShareAck>)>,
    },
    /// A partition leader to the share coordinator: a share-partition's state, whole (Kafka's
    /// persister writes the start offset and the state batches).
    #[cfg(feature = "share-groups")]
    WriteShareGroupState {
        group: String,
        tp: TopicPartition,
        state: Box<ShareState>,
    },
    /// A new leader of a partition reads a share-partition's state before delivering from it.
    #[cfg(feature = "share-groups")]
    ReadShareGroupState {
        group: String,
        tp: TopicPartition,
        leader_epoch: u32,
    },
    /// `generation` is `None` (Kafka's -1) for a consumer outside group management.
    /// Each offset comes with its metadata (empty for none).
    OffsetCommit {
        group: String,
        member_id: String,
        group_instance_id: Option<String>,
        generation: Option<u32>,
        offsets: Vec<(TopicPartition, u64, String)>,
    },
    OffsetFetch {
        group: String,
        partitions: Vec<TopicPartition>,
    },
    /// Controller to broker: the new metadata image (no answer). KRaft brokers
    /// fetch the metadata log; a push of the whole image is the simulation's shortcut.
    MetadataUpdate {
        image: Box<Metadata>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    Metadata {
        brokers: Vec<u32>,
        topics: Vec<(String, Result<Vec<PartitionMetadata>, KafkaError>)>,
    },
    /// One answer for the whole request, every partition's result in it (Kafka's
    /// `DelayedProduce` waits for all of an acks=all request's partitions).
    Produce {
        partitions: Vec<ProducedPartition>,
    },
    Fetch {
        /// A session error (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH): no partitions.
        error: Option<KafkaError>,
        /// The session the fetcher is in from now on; 0 for none.
        session_id: u32,
        /// A full fetch's answer names every partition; an incremental one only those with news.
        partitions: Vec<FetchedPartition>,
    },
    ListOffsets {
        /// `None` for a timestamp no record reaches (Kafka answers offset -1).
        partitions: Vec<(TopicPartition, Result<Option<u64>, KafkaError>)>,
    },
    InitProducerId {
        result: Result<(i64, i16), KafkaError>,
        /// The cluster's finalized `transaction.version`. Kafka's client reads the finalized
        /// features from ApiVersions answers; the simulation exchanges no ApiVersions, so the
        /// answer to initTransactions brings it. Not printed.
        transaction_version: u8,
    },
    AddPartitionsToTxn {
        result: Result<(), KafkaError>,
    },
    AddOffsetsToTxn {
        result: Result<(), KafkaError>,
    },
    /// With transaction version 2 the producer id and the epoch bumped for the next
    /// transaction (EndTxn v5); -1 and -1 with version 1.
    EndTxn {
        result: Result<(i64, i16), KafkaError>,
    },
    WriteTxnMarkers {
        tp: TopicPartition,
        result: Result<(), KafkaError>,
    },
    TxnOffsetCommit {
        result: Result<(), KafkaError>,
    },
    BrokerHeartbeat {
        fenced: bool,
        should_shutdown: bool,
        /// The latest image when the broker is behind.
        image: Option<Box<Metadata>>,
    },
    AlterPartition {
        tp: TopicPartition,
        result: Result<PartitionState, KafkaError>,
    },
    FindCoordinator {
        result: Result<u32, KafkaError>,
    },
    JoinGroup {
        /// With MEMBER_ID_REQUIRED: the id to join again with.
        member_id: String,
        result: Result<JoinResult, KafkaError>,
    },
    SyncGroup {
        result: Result<Vec<TopicPartition>, KafkaError>,
    },
    Heartbeat {
        result: Result<(), KafkaError>,
    },
    LeaveGroup {
        result: Result<(), KafkaError>,
    },
    ConsumerGroupHeartbeat {
        result: Result<crate::group::consumer_group::HeartbeatAnswer, KafkaError>,
    },
    #[cfg(feature = "share-groups")]
    ShareGroupHeartbeat {
        result: Result<crate::group::share_group::ShareHeartbeatAnswer, KafkaError>,
    },
    #[cfg(feature = "share-groups")]
    ShareFetch {
        /// A share session error: no partitions.
        error: Option<KafkaError>,
        partitions: Vec<ShareFetchedPartition>,
    },
    #[cfg(feature = "share-groups")]
    ShareAcknowledge {
        error: Option<KafkaError>,
        partitions: Vec<(TopicPartition, Result<(), KafkaError>)>,
    },
    #[cfg(feature = "share-groups")]
    WriteShareGroupState {
        result: Result<(), KafkaError>,
    },
    /// `None`: no state was ever written (the share-partition starts by share.auto.offset.reset).
    #[cfg(feature = "share-groups")]
    ReadShareGroupState {
        tp: TopicPartition,
        result: Result<Option<ShareState>, KafkaError>,
    },
    OffsetCommit {
        partitions: Vec<(TopicPartition, Result<u64, KafkaError>)>,
    },
    /// Committed offsets; `None` for a partition the group never committed.
    OffsetFetch {
        result: Result<Vec<(TopicPartition, Option<u64>)>, KafkaError>,
    },
}

/// What travels on a link. Responses carry the correlation id of their request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    Request(Request),
    Response(Response),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub correlation_id: u32,
    pub body: Body,
}

impl Request {
    /// Kafka's API name.
    pub fn api(&self) -> &'static str {
        match self {
            Request::Metadata { .. } => "Metadata",
            Request::Produce { .. } => "Produce",
            Request::Fetch { .. } => "Fetch",
            Request::ListOffsets { .. } => "ListOffsets",
            Request::InitProducerId { .. } => "InitProducerId",
            Request::FindTransactionCoordinator { .. } => "FindCoordinator",
            Request::AddPartitionsToTxn { .. } => "AddPartitionsToTxn",
            Request::AddOffsetsToTxn { .. } => "AddOffsetsToTxn",
            Request::EndTxn { .. } => "EndTxn",
            Request::WriteTxnMarkers { .. } => "WriteTxnMarkers",
            Request::TxnOffsetCommit { .. } => "TxnOffsetCommit",
            Request::BrokerHeartbeat { .. } => "BrokerHeartbeat",
            Request::AlterPartition { .. } => "AlterPartition",
            Request::MetadataUpdate { .. } => "MetadataUpdate",
            Request::FindCoordinator { .. } => "FindCoordinator",
            Request::JoinGroup { .. } => "JoinGroup",
            Request::SyncGroup { .. } => "SyncGroup",
            Request::Heartbeat { .. } => "Heartbeat",
            Request::LeaveGroup { .. } => "LeaveGroup",
            Request::ConsumerGroupHeartbeat { .. } => "ConsumerGroupHeartbeat",
            Request::OffsetCommit { .. } => "OffsetCommit",
            Request::OffsetFetch { .. } => "OffsetFetch",
            #[cfg(feature = "share-groups")]
            Request::ShareGroupHeartbeat { .. } => "ShareGroupHeartbeat",
            #[cfg(feature = "share-groups")]
            Request::ShareFetch { .. } => "ShareFetch",
            #[cfg(feature = "share-groups")]
            Request::ShareAcknowledge { .. } => "ShareAcknowledge",
            #[cfg(feature = "share-groups")]
            Request::WriteShareGroupState { .. } => "WriteShareGroupState",
            #[cfg(feature = "share-groups")]
            Request::ReadShareGroupState { .. } => "ReadShareGroupState",
        }
    }
}

impl Response {
    pub fn api(&self) -> &'static str {
        match self {
            Response::Metadata { .. } => "Metadata",
            Response::Produce { .. } => "Produce",
            Response::Fetch { .. } => "Fetch",
            Response::ListOffsets { .. } => "ListOffsets",
            Response::InitProducerId { .. } => "InitProducerId",
            Response::AddPartitionsToTxn { .. } => "AddPartitionsToTxn",
            Response::AddOffsetsToTxn { .. } => "AddOffsetsToTxn",
            Response::EndTxn { .. } => "EndTxn",
            Response::WriteTxnMarkers { .. } => "WriteTxnMarkers",
            Response::TxnOffsetCommit { .. } => "TxnOffsetCommit",
            Response::BrokerHeartbeat { .. } => "BrokerHeartbeat",
            Response::AlterPartition { .. } => "AlterPartition",
            Response::FindCoordinator { .. } => "FindCoordinator",
            Response::JoinGroup { .. } => "JoinGroup",
            Response::SyncGroup { .. } => "SyncGroup",
            Response::Heartbeat { .. } => "Heartbeat",
            Response::LeaveGroup { .. } => "LeaveGroup",
            Response::ConsumerGroupHeartbeat { .. } => "ConsumerGroupHeartbeat",
            Response::OffsetCommit { .. } => "OffsetCommit",
            Response::OffsetFetch { .. } => "OffsetFetch",
            #[cfg(feature = "share-groups")]
            Response::ShareGroupHeartbeat { .. } => "ShareGroupHeartbeat",
            #[cfg(feature = "share-groups")]
            Response::ShareFetch { .. } => "ShareFetch",
            #[cfg(feature = "share-groups")]
            Response::ShareAcknowledge { .. } => "ShareAcknowledge",
            #[cfg(feature = "share-groups")]
            Response::WriteShareGroupState { .. } => "WriteShareGroupState",
            #[cfg(feature = "share-groups")]
            Response::ReadShareGroupState { .. } => "ReadShareGroupState",
        }
    }
}

impl fmt::Display for TxnIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "transactional_id={} producer_id={} epoch={}",
            self.transactional_id, self.producer_id, self.producer_epoch
        )
    }
}

/// A one-line summary for traces and sequence diagrams.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.correlation_id;
        match &self.body {
            Body::Request(r) => {
                write!(f, "{} request #{id}", r.api())?;
                match r {
                    Request::Metadata { topics: Some(topics), .. } => write!(f, " topics=[{}]", topics.join(",")),
                    Request::Metadata { topics: None, .. } => f.write_str(" all topics"),
                    // `orders-0 records=3 bytes=90 acks=all producer_id=0 seq=0, orders-1 records=1 ...`:
                    // the request's acks once, after its first partition.
                    Request::Produce { acks, partitions, .. } => {
                        for (i, ProducePartition { tp, batch }) in partitions.iter().enumerate() {
                            let sep = if i == 0 { " " } else { ", " };
                            write!(f, "{sep}{tp} records={} bytes={}", batch_records(batch), batch.len())?;
                            if i == 0 {
                                write!(f, " acks={acks}")?;
                            }
                            if let Some((pid, _, seq)) = crate::batch::producer_fields(batch).filter(|p| p.0 >= 0) {
                                write!(f, " producer_id={pid} seq={seq}")?;
                            }
                            if let Some(c) = batch_codec(batch).filter(|&c| c != crate::batch::Compression::None) {
                                write!(f, " {c}")?;
                            }
                        }
                        Ok(())
                    }
                    // `session=3 epoch=2 t-0@5 forget=[t-1]`; a first full fetch names no session.
                    Request::Fetch { partitions, replica_id, session, forgotten, .. } => {
                        if replica_id.is_some() {
                            f.write_str(" (replica)")?;
                        }
                        if *session != FetchMetadata::INITIAL {
                            write!(f, " session={} epoch={}", session.session_id, session.epoch)?;
                        }
                        if !partitions.is_empty() {
                            f.write_str(" ")?;
                        }
                        list(f, partitions.iter().map(|p| (&p.tp, p.fetch_offset)))?;
                        if !forgotten.is_empty() {
                            write!(f, " forget=[{}]", tps(forgotten))?;
                        }
                        Ok(())
                    }
                    Request::InitProducerId { transactional_id: Some(t), producer, .. } => {
                        write!(f, " transactional_id={t}")?;
                        if let Some((id, epoch)) = producer {
                            write!(f, " producer_id={id} epoch={epoch}")?;
                        }
                        Ok(())
                    }
                    Request::InitProducerId { transactional_id: None, .. } => Ok(()),
                    Request::FindTransactionCoordinator { transactional_id } => {
                        write!(f, " transactional_id={transactional_id}")
                    }
                    Request::AddPartitionsToTxn { txn, partitions, verify_only } => {
                        write!(f, " {txn} [{}]", tps(partitions))?;
                        if *verify_only {
                            f.write_str(" verify_only")?;
                        }
                        Ok(())
                    }
                    Request::AddOffsetsToTxn { txn, group } => write!(f, " {txn} group={group}"),
                    Request::EndTxn { txn, commit } => {
                        write!(f, " {txn} {}", if *commit { "COMMIT" } else { "ABORT" })
                    }
                    Request::WriteTxnMarkers { producer_id, producer_epoch, commit, tp, .. } => {
                        let what = if *commit { "COMMIT" } else { "ABORT" };
                        write!(f, " {tp} {what} producer_id={producer_id} epoch={producer_epoch}")
                    }
                    Request::TxnOffsetCommit { txn, group, member, offsets } => {
                        write!(f, " {txn} group={group} ")?;
                        if let Some((member_id, generation)) = member {
                            write!(f, "member_id={member_id} generation={generation} ")?;
                        }
                        list(f, offsets.iter().map(|(tp, o)| (tp, o)))
                    }
                    Request::BrokerHeartbeat { metadata_offset, want_shutdown, .. } => {
                        write!(f, " metadata_offset={metadata_offset}")?;
                        if *want_shutdown {
                            f.write_str(" want_shutdown")?;
                        }
                        Ok(())
                    }
                    Request::AlterPartition { tp, new_isr, partition_epoch, .. } => {
                        write!(f, " {tp} isr={} partition_epoch={partition_epoch}", Ids(new_isr))
                    }
                    Request::MetadataUpdate { image } => write!(f, " offset={}", image.offset),
                    Request::FindCoordinator { group } => write!(f, " group={group}"),
                    Request::JoinGroup { group, member_id, protocols, group_instance_id, .. } => {
                        write!(f, " group={group} member_id={}", or_none(member_id))?;
                        if let Some(i) = group_instance_id {
                            write!(f, " group_instance_id={i}")?;
                        }
                        let names: Vec<&str> = protocols.iter().map(|(n, _)| n.as_str()).collect();
                        write!(f, " protocols=[{}]", names.join(","))
                    }
                    Request::SyncGroup { group, member_id, generation, assignments, .. } => {
                        write!(f, " group={group} member_id={member_id} generation={generation}")?;
                        for (member, parts) in assignments {
                            write!(f, " {member}=[{}]", tps(parts))?;
                        }
                        Ok(())
                    }
                    Request::Heartbeat { group, member_id, generation, .. } => {
                        write!(f, " group={group} member_id={member_id} generation={generation}")
                    }
                    Request::LeaveGroup { group, member_id } => write!(f, " group={group} member_id={member_id}"),
                    Request::ConsumerGroupHeartbeat { group, heartbeat: h } => {
                        write!(f, " group={group} member_id={} member_epoch={}", h.member_id, h.member_epoch)?;
                        if let Some(i) = &h.instance_id {
                            write!(f, " instance_id={i}")?;
                        }
                        if let Some(t) = &h.topics {
                            write!(f, " topics=[{}]", t.join(","))?;
                        }
                        if let Some(r) = &h.regex {
                            write!(f, " regex='{r}'")?;
                        }
                        if let Some(a) = &h.assignor {
                            write!(f, " server_assignor={a}")?;
                        }
                        if let Some(o) = &h.owned {
                            write!(f, " owned=[{}]", tps(o))?;
                        }
                        Ok(())
                    }
                    Request::OffsetCommit { group, generation, offsets, .. } => {
                        write!(f, " group={group}")?;
                        if let Some(g) = generation {
                            write!(f, " generation={g}")?;
                        }
                        f.write_str(" ")?;
                        let show = |o: &u64, m: &String| {
                            if m.is_empty() {
                                alloc::format!("{o}")
                            } else {
                                alloc::format!("{o}:{m}")
                            }
                        };
                        list(f, offsets.iter().map(|(tp, o, m)| (tp, show(o, m))))
                    }
                    Request::OffsetFetch { group, partitions } => write!(f, " group={group} [{}]", tps(partitions)),
                    #[cfg(feature = "share-groups")]
                    Request::ShareGroupHeartbeat { group, heartbeat: h } => {
                        write!(f, " group={group} member_id={} member_epoch={}", h.member_id, h.member_epoch)?;
                        if let Some(t) = &h.topics {
                            write!(f, " topics=[{}]", t.join(","))?;
                        }
                        Ok(())
                    }
                    #[cfg(feature = "share-groups")]
                    Request::ShareFetch { group, session_epoch, partitions, acknowledgements, .. } => {
                        write!(f, " group={group} epoch={session_epoch} [{}]", tps(partitions))?;
                        acks(f, acknowledgements)
                    }
                    #[cfg(feature = "share-groups")]
                    Request::ShareAcknowledge { group, session_epoch, acknowledgements, .. } => {
                        write!(f, " group={group} epoch={session_epoch}")?;
                        acks(f, acknowledgements)
                    }
                    #[cfg(feature = "share-groups")]
                    Request::WriteShareGroupState { group, tp, state } => {
                        write!(
                            f,
                            " group={group} {tp} leader_epoch={} start_offset={} batches={}",
                            state.leader_epoch,
                            state.start_offset,
                            state.batches.len()
                        )
                    }
                    #[cfg(feature = "share-groups")]
                    Request::ReadShareGroupState { group, tp, leader_epoch } => {
                        write!(f, " group={group} {tp} leader_epoch={leader_epoch}")
                    }
                    Request::ListOffsets { isolation_level, partitions } => {
                        if *isolation_level == IsolationLevel::ReadCommitted {
                            f.write_str(" read_committed")?;
                        }
                        f.write_str(" ")?;
                        let spec = |s: &OffsetSpec| match s {
                            OffsetSpec::Earliest => "earliest".into(),
                            OffsetSpec::Latest => "latest".into(),
                            OffsetSpec::Timestamp(ms) => alloc::format!("timestamp:{ms}"),
                        };
                        list(f, partitions.iter().map(|(tp, s)| (tp, spec(s))))
                    }
                }
            }
            Body::Response(r) => {
                write!(f, "{} response #{id}", r.api())?;
                match r {
                    Response::Metadata { topics, .. } => {
                        for (name, result) in topics {
                            match result {
                                Ok(parts) => write!(f, " {name}:{}p", parts.len())?,
                                Err(e) => write!(f, " {name}:{}", e.name())?,
                            }
                        }
                        Ok(())
                    }
                    Response::Produce { partitions } => {
                        for (i, ProducedPartition { tp, result, .. }) in partitions.iter().enumerate() {
                            let sep = if i == 0 { " " } else { ", " };
                            match result {
                                Ok(base) => write!(f, "{sep}{tp} base_offset={base}")?,
                                Err(e) => write!(f, "{sep}{tp} {}", e.name())?,
                            }
                        }
                        Ok(())
                    }
                    // The session an answer opens shows in the fetcher's next request.
                    Response::Fetch { error, partitions, .. } => {
                        if let Some(e) = error {
                            write!(f, " {}", e.name())?;
                        }
                        for p in partitions {
                            // Idle partitions of internal topics (fifty of `__consumer_offsets`) are noise.
                            let idle =
                                p.result.as_ref().is_ok_and(|d| d.batches.is_empty() && d.diverging_epoch.is_none());
                            if idle && p.tp.topic.starts_with("__") {
                                continue;
                            }
                            match &p.result {
                                Ok(d) => {
                                    let records: u64 = d.batches.iter().map(|b| u64::from(b.records)).sum();
                                    write!(f, " {} records={records} hw={}", p.tp, d.high_watermark)?;
                                    if let Some((e, o)) = d.diverging_epoch {
                                        write!(f, " diverging_epoch={e}@{o}")?;
                                    }
                                }
                                Err(e) => write!(f, " {} {}", p.tp, e.name())?,
                            }
                        }
                        Ok(())
                    }
                    Response::InitProducerId { result: Ok((producer_id, producer_epoch)), .. }
                    | Response::EndTxn { result: Ok((producer_id, producer_epoch)) } => {
                        if *producer_id < 0 {
                            return Ok(());
                        }
                        write!(f, " producer_id={producer_id} epoch={producer_epoch}")
                    }
                    Response::InitProducerId { result: Err(e), .. } | Response::EndTxn { result: Err(e) } => {
                        write!(f, " {}", e.name())
                    }
                    Response::WriteTxnMarkers { tp, result } => match result {
                        Ok(()) => write!(f, " {tp}"),
                        Err(e) => write!(f, " {tp} {}", e.name()),
                    },
                    Response::AddPartitionsToTxn { result }
                    | Response::AddOffsetsToTxn { result }
                    | Response::TxnOffsetCommit { result } => match result {
                        Ok(()) => Ok(()),
                        Err(e) => write!(f, " {}", e.name()),
                    },
                    Response::BrokerHeartbeat { fenced, should_shutdown, image } => {
                        if *fenced {
                            f.write_str(" fenced")?;
                        }
                        if *should_shutdown {
                            f.write_str(" should_shutdown")?;
                        }
                        if let Some(i) = image {
                            write!(f, " metadata_offset={}", i.offset)?;
                        }
                        Ok(())
                    }
                    Response::AlterPartition { tp, result } => match result {
                        Ok(p) => write!(f, " {tp} isr={}", Ids(&p.isr)),
                        Err(e) => write!(f, " {tp} {}", e.name()),
                    },
                    Response::FindCoordinator { result } => match result {
                        Ok(b) => write!(f, " coordinator=broker-{b}"),
                        Err(e) => write!(f, " {}", e.name()),
                    },
                    Response::JoinGroup { member_id, result } => match result {
                        Ok(j) => {
                            write!(f, " member_id={} generation={} leader={}", j.member_id, j.generation, j.leader)?;
                            write!(f, " protocol={}", j.protocol)?;
                            if j.skip_assignment {
                                f.write_str(" skip_assignment")?;
                            }
                            if !j.members.is_empty() {
                                write!(f, " members={}", j.members.len())?;
                            }
                            Ok(())
                        }
                        Err(e) => write!(f, " {} member_id={}", e.name(), or_none(member_id)),
                    },
                    Response::SyncGroup { result } => match result {
                        Ok(parts) => write!(f, " assignment=[{}]", tps(parts)),
                        Err(e) => write!(f, " {}", e.name()),
                    },
                    Response::ConsumerGroupHeartbeat { result } => match result {
                        Ok(a) => member_answer(f, &a.member_id, a.member_epoch, a.assignment.as_deref()),
                        Err(e) => write!(f, " {}", e.name()),
                    },
                    #[cfg(feature = "share-groups")]
                    Response::ShareGroupHeartbeat { result } => match result {
                        Ok(a) => member_answer(f, &a.member_id, a.member_epoch, a.assignment.as_deref()),
                        Err(e) => write!(f, " {}", e.name()),
                    },
                    #[cfg(feature = "share-groups")]
                    Response::ShareFetch { error, partitions } => {
                        if let Some(e) = error {
                            write!(f, " {}", e.name())?;
                        }
                        for p in partitions {
                            match &p.result {
                                Ok(d) => {
                                    write!(f, " {}", p.tp)?;
                                    for a in &d.acquired {
                                        write!(
                                            f,
                                            " acquired={}..{}#{}",
                                            a.first_offset, a.last_offset, a.delivery_count
                                        )?;
                                    }
                                    if d.acquired.is_empty() {
                                        f.write_str(" none")?;
                                    }
                                }
                                Err(e) => write!(f, " {} {}", p.tp, e.name())?,
                            }
                            if let Some(Err(e)) = &p.ack_result {
                                write!(f, " ack:{}", e.name())?;
                            }
                        }
                        Ok(())
                    }
                    #[cfg(feature = "share-groups")]
                    Response::ShareAcknowledge { error, partitions } => {
                        if let Some(e) = error {
                            write!(f, " {}", e.name())?;
                        }
                        for (tp, r) in partitions {
                            match r {
                                Ok(()) => write!(f, " {tp}")?,
                                Err(e) => write!(f, " {tp}:{}", e.name())?,
                            }
                        }
                        Ok(())
                    }
                    #[cfg(feature = "share-groups")]
                    Response::WriteShareGroupState { result } => match result {
                        Ok(()) => Ok(()),
                        Err(e) => write!(f, " {}", e.name()),
                    },
                    #[cfg(feature = "share-groups")]
                    Response::ReadShareGroupState { tp, result } => match result {
                        Ok(Some(s)) => write!(f, " {tp} start_offset={} batches={}", s.start_offset, s.batches.len()),
                        Ok(None) => write!(f, " {tp} none"),
                        Err(e) => write!(f, " {tp} {}", e.name()),
                    },
                    Response::Heartbeat { result } | Response::LeaveGroup { result } => match result {
                        Ok(()) => Ok(()),
                        Err(e) => write!(f, " {}", e.name()),
                    },
                    Response::OffsetCommit { partitions } => {
                        for (tp, r) in partitions {
                            match r {
                                Ok(o) => write!(f, " {tp}={o}")?,
                                Err(e) => write!(f, " {tp}:{}", e.name())?,
                            }
                        }
                        Ok(())
                    }
                    Response::OffsetFetch { result } => match result {
                        Ok(parts) => {
                            for (tp, o) in parts {
                                match o {
                                    Some(o) => write!(f, " {tp}={o}")?,
                                    None => write!(f, " {tp}=none")?,
                                }
                            }
                            Ok(())
                        }
                        Err(e) => write!(f, " {}", e.name()),
                    },
                    Response::ListOffsets { partitions } => {
                        for (tp, r) in partitions {
                            match r {
                                Ok(Some(o)) => write!(f, " {tp}={o}")?,
                                Ok(None) => write!(f, " {tp}=none")?,
                                Err(e) => write!(f, " {tp}:{}", e.name())?,
                            }
                        }
                        Ok(())
                    }
                }
            }
        }
    }
}

/// A group heartbeat's answer: the member, its epoch, and its assignment when it came.
fn member_answer(
    f: &mut fmt::Formatter<'_>,
    member_id: &str,
    epoch: i32,
    assignment: Option<&[TopicPartition]>,
) -> fmt::Result {
    write!(f, " member_id={member_id} member_epoch={epoch}")?;
    if let Some(parts) = assignment {
        write!(f, " assignment=[{}]", tps(parts))?;
    }
    Ok(())
}

/// A share consumer's acknowledgements: ` acks=orders-0@3..5:ACCEPT,...`.
fn acks(f: &mut fmt::Formatter<'_>, acks: &[(TopicPartition, Vec<ShareAck>)]) -> fmt::Result {
    let mut first = true;
    for (tp, batches) in acks {
        for a in batches {
            let sep = if first { " acks=" } else { "," };
            first = false;
            write!(f, "{sep}{tp}@{}", a.first_offset)?;
            if a.last_offset != a.first_offset {
                write!(f, "..{}", a.last_offset)?;
            }
            write!(f, ":{}", a.ack)?;
        }
    }
    Ok(())
}

fn or_none(member_id: &str) -> &str {
    if member_id.is_empty() {
        "none"
    } else {
        member_id
    }
}

/// Partitions as a comma-separated list.
fn tps(parts: &[TopicPartition]) -> String {
    let names: Vec<String> = parts.iter().map(|tp| alloc::format!("{tp}")).collect();
    names.join(",")
}

/// The record count in a v2 batch header (bytes 57..61), for summaries.
fn batch_records(batch: &[u8]) -> i32 {
    batch.get(57..61).map_or(0, |b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// The codec in a v2 batch's attributes (bytes 21..23), for summaries.
fn batch_codec(batch: &[u8]) -> Option<crate::batch::Compression> {
    let a = batch.get(21..23)?;
    crate::batch::Compression::from_id(u16::from_be_bytes([a[0], a[1]]) & 7)
}

fn list<'a, T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    items: impl Iterator<Item = (&'a TopicPartition, T)>,
) -> fmt::Result {
    for (i, (tp, v)) in items.enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write!(f, "{tp}@{v}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Broker id lists read as Rust's `Debug` writes them, which the traces have always shown.
    #[test]
    fn ids_read_as_a_list_does() {
        for ids in [&[][..], &[2], &[1, 2, 3]] {
            assert_eq!(alloc::format!("{}", Ids(ids)), alloc::format!("{ids:?}"));
        }
    }

    /// `FetchMetadata.nextEpoch`: 0 opens a session at 1, the epoch wraps past `i32::MAX` to 1
    /// (never back to 0, which would be a full fetch), and -1 stays -1.
    #[test]
    fn fetch_session_epochs_wrap_to_one() {
        assert_eq!(FetchMetadata::next_epoch(FetchMetadata::INITIAL_EPOCH), 1);
        assert_eq!(FetchMetadata::next_epoch(41), 42);
        assert_eq!(FetchMetadata::next_epoch(i32::MAX), 1);
        assert_eq!(FetchMetadata::next_epoch(FetchMetadata::FINAL_EPOCH), FetchMetadata::FINAL_EPOCH);
        assert!(FetchMetadata::INITIAL.is_full() && !FetchMetadata { session_id: 3, epoch: 1 }.is_full());
    }

    #[test]
    fn topic_partition_parses_at_the_last_dash() {
        assert_eq!(TopicPartition::parse("my-topic-12"), Some(TopicPartition::new("my-topic", 12)));
        assert_eq!(TopicPartition::parse("orders"), None);
        assert_eq!(TopicPartition::parse("-1"), None);
        assert_eq!(TopicPartition::parse("orders-x"), None);
    }

    /// A shared topic name prints, orders and compares as the text it holds, as the `String`
    /// it replaced did: traces and every map keyed by partition keep their order.
    #[test]
    fn topic_names_behave_as_their_text() {
        let (a, b) = (TopicName::from("orders"), TopicName::from(String::from("orders-eu")));
        assert_eq!(alloc::format!("{a} {a:?}"), alloc::format!("{} {:?}", "orders", "orders"));
        assert_eq!(a.cmp(&b), "orders".cmp("orders-eu"));
        assert_eq!(a, "orders");
        assert_eq!("orders", a);
        assert_eq!(a, String::from("orders"));
        let tp = TopicPartition::new(a.clone(), 3);
        assert_eq!(alloc::format!("{tp} {tp:?}"), r#"orders-3 TopicPartition { topic: "orders", partition: 3 }"#);
        assert_eq!(String::from(tp.topic), "orders");
    }
}
