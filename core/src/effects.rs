//! What a node's handler asks the simulation to do. Brokers and clients never
//! touch the clock, the network or the event queue: they return effects, and
//! [`crate::Sim`] applies them in order. This keeps every node a pure state
//! machine that is easy to test on its own.

use crate::event::EventKind;
use crate::net::Node;
use crate::protocol::{Message, TopicPartition};
use crate::time::{Duration, Instant};
use alloc::string::String;
use alloc::vec::Vec;

/// A wake-up a node asked for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// A broker's parked Fetch reaches fetch.max.wait.ms.
    FetchExpiry { client: Node, correlation_id: u32 },
    /// A producer batch's linger.ms has passed.
    Linger(TopicPartition),
    /// A request got no answer within request.timeout.ms.
    RequestTimeout(u32),
    /// The connection a request used broke (its receiver crashed): the sender learns at once.
    Disconnected(u32),
    /// The request went to a process that is down: its connection was refused, so the request
    /// was never sent (the client learns one link latency later, as from a TCP reset).
    Refused(u32),
    /// Ask for metadata again after a backoff.
    MetadataRetry,
    /// A producer batch's retry.backoff.ms has passed.
    RetryBatch(TopicPartition),
    /// A broker's next heartbeat to the controller.
    Heartbeat,
    /// A leader checks which followers fell behind (every replica.lag.time.max.ms / 2).
    IsrCheck,
    /// A follower fetches again from a leader after replica.fetch.backoff.ms.
    ReplicaFetch(u32),
    /// An acks=all produce waiting for the high watermark reaches its timeout.
    ProduceExpiry { client: Node, correlation_id: u32 },
    /// The active controller looks for expired broker sessions.
    SessionCheck,
    /// The active controller moves leadership back to preferred replicas.
    LeaderRebalance,
    /// The active controller's check for leaderless partitions it may elect an out-of-sync
    /// leader for (their topic enables unclean.leader.election.enable).
    UncleanLeaderElection,
    /// A group coordinator's next session or join deadline.
    GroupDeadline(String),
    /// A consumer's next heartbeat to its group coordinator.
    GroupHeartbeat,
    /// A consumer asks for its coordinator again, or rejoins, after retry.backoff.ms.
    GroupRetry,
    /// A consumer in a poll loop polls again.
    NextPoll,
    /// A producer's traffic generator sends its next record.
    Traffic,
    /// A broker's log cleaner looks for logs to compact (log.cleaner.backoff.ms).
    CleanerCheck,
    /// A broker's log manager applies retention (log.retention.check.interval.ms).
    RetentionCheck,
    /// A group coordinator expires committed offsets (offsets.retention.check.interval.ms).
    OffsetsExpiry,
    /// A producer's send blocked on buffer.memory reaches max.block.ms.
    MemoryWait,
    /// A transaction coordinator looks for open transactions past their timeout.
    TxnTimeoutCheck,
    /// A transaction coordinator writes the markers that could not be written yet.
    TxnMarkerRetry(String),
    /// A transactional producer's request to its coordinator goes again after a backoff.
    TxnRetry,
    /// A consumer refreshes its metadata (metadata.max.age.ms).
    MetadataRefresh,
    /// A consumer's application finishes processing its current record.
    ProcessNext,
    /// The quorum re-checks which voter can lead after controller.quorum.election.timeout.ms.
    QuorumCheck,
    /// A partition leader's earliest share acquisition lock expires.
    #[cfg(feature = "share-groups")]
    ShareLocks,
    /// A partition leader writes again the share-partition states whose write failed.
    #[cfg(feature = "share-groups")]
    ShareStateRetry,
    /// A partition leader closes the connections idle for connections.max.idle.ms, and the share
    /// sessions on them end.
    #[cfg(feature = "share-groups")]
    ShareSessionsIdle,
    /// A share coordinator snapshots the share-partitions not snapshotted for a while.
    #[cfg(feature = "share-groups")]
    ShareColdSnapshots,
    /// A share coordinator deletes the state records no share-partition needs any more.
    #[cfg(feature = "share-groups")]
    SharePrune,
}

#[derive(Debug)]
pub struct Effects {
    pub now: Instant,
    pub sends: Vec<(Node, Message)>,
    pub timers: Vec<(Instant, Timer)>,
    /// Timers no longer needed (a request answered before its timeout), so
    /// that stepping never stops at a wake-up that does nothing.
    pub cancels: Vec<Timer>,
    pub events: Vec<EventKind>,
    /// Topics a broker asks the controller to create (auto.create.topics.enable).
    pub create_topics: Vec<String>,
    /// A broker whose controlled shutdown is complete asks to stop.
    pub stop_self: bool,
    /// A client's process dies (the processing model's crash).
    pub crash_self: bool,
    /// Records a consumer's application sends with its own producer (dead letters).
    pub produce: Vec<crate::record::ProducerRecord<'static>>,
    /// What a consume-transform-produce application asks of its producer, in order.
    pub pipeline: Vec<PipelineOp>,
}

/// A consume-transform-produce application's call on its producer `<consumer>-out`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PipelineOp {
    Begin,
    Send(crate::record::ProducerRecord<'static>),
    /// sendOffsetsToTransaction of the processed offsets, then commitTransaction.
    Commit {
        group: String,
        /// The consumer's member id and generation, when it is in its group (KIP-447).
        member: Option<(String, u32)>,
        offsets: Vec<(TopicPartition, u64)>,
    },
}

impl Effects {
    /// Only events: nothing sent, scheduled, cancelled, created or asked of the node itself, as
    /// after most `send`s (a record added to a batch). Applying these needs no node address.
    pub fn is_events_only(&self) -> bool {
        self.sends.is_empty()
            && self.timers.is_empty()
            && self.cancels.is_empty()
            && self.create_topics.is_empty()
            && !self.stop_self
            && !self.crash_self
            && self.produce.is_empty()
            && self.pipeline.is_empty()
    }

    pub fn new(now: Instant) -> Self {
        Effects {
            now,
            sends: Vec::new(),
            timers: Vec::new(),
            cancels: Vec::new(),
            events: Vec::new(),
            create_topics: Vec::new(),
            stop_self: false,
            crash_self: false,
            produce: Vec::new(),
            pipeline: Vec::new(),
        }
    }

    pub fn send(&mut self, to: Node, message: Message) {
        self.sends.push((to, message));
    }

    pub fn timer_in(&mut self, after: Duration, timer: Timer) {
        self.timers.push((self.now + after, timer));
    }

    pub fn cancel(&mut self, timer: Timer) {
        self.cancels.push(timer);
    }

    pub fn event(&mut self, event: EventKind) {
        self.events.push(event);
    }
}
