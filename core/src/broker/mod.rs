//! A broker: the replicas it hosts, its own copy of the cluster metadata,
//! and how it answers requests. Whether it leads or follows a partition
//! comes only from its metadata copy, so a broker cut off from the
//! controller keeps acting on an old picture until it hears otherwise.
//!
//! - [`leader`]: serving Produce, consumer and follower Fetch, ListOffsets;
//!   the high watermark, acks=all waiting, ISR shrink and expand.
//! - [`follower`]: fetching from leaders, truncating a diverged tail.
//! - [`log`]: a replica's records and leader-epoch cache.

pub mod coordinator;
pub mod follower;
pub mod leader;
pub mod log;
#[cfg(feature = "share-groups")]
pub mod share;
pub mod share_coordinator;
pub mod transactions;
mod verification;

use crate::controller::BROKER_HEARTBEAT_INTERVAL_MS;
use crate::effects::{Effects, Timer};
use crate::error::KafkaError;
use crate::event::EventKind;
use crate::fetch_session::{FetchSessionCache, FetchSessionHandler};
use crate::metadata::Metadata;
use crate::net::Node;
use crate::protocol::{Body, Message, Request, Response, TopicPartition};
use crate::sorted::SortedMap;
use crate::time::Duration;
use alloc::vec::Vec;
use leader::{Leadership, ParkedFetch, ParkedProduce};
use log::PartitionLog;

/// What this broker does for a partition, by its own metadata.
#[derive(Clone, Debug)]
pub enum Role {
    Leader(Leadership),
    Follower {
        leader: u32,
        leader_epoch: u32,
    },
    /// No leader (offline) or no longer assigned here.
    Idle,
}

/// One replica of a partition on this broker.
#[derive(Clone, Debug)]
pub struct Replica {
    pub log: PartitionLog,
    /// This replica's high watermark: the leader's own, or what the leader last told a follower.
    pub high_watermark: u64,
    pub role: Role,
}

impl Replica {
    fn new() -> Self {
        Replica { log: PartitionLog::default(), high_watermark: 0, role: Role::Idle }
    }

    pub fn is_leader(&self) -> bool {
        matches!(self.role, Role::Leader(_))
    }
}

/// What a broker's own request was, kept until its answer or timeout.
#[derive(Clone, Debug)]
enum Pending {
    Heartbeat,
    ReplicaFetch {
        leader: u32,
    },
    AlterPartition {
        tp: TopicPartition,
    },
    TxnMarker {
        transactional_id: alloc::string::String,
        tp: TopicPartition,
    },
    /// A write's transaction being verified with its coordinator (`verification.rs`).
    TxnVerify(u32),
    /// A share-partition's state asked of its share coordinator.
    #[cfg(feature = "share-groups")]
    ShareRead {
        group: alloc::string::String,
        tp: TopicPartition,
    },
    /// A share-partition's state written to its share coordinator.
    #[cfg(feature = "share-groups")]
    ShareWrite {
        group: alloc::string::String,
        tp: TopicPartition,
    },
}

/// `log.cleaner.backoff.ms`: how often each broker's log cleaner looks for logs to compact.
pub const LOG_CLEANER_BACKOFF_MS: u64 = 15_000;

/// `log.retention.check.interval.ms`: how often each broker applies retention to its logs.
pub const LOG_RETENTION_CHECK_INTERVAL_MS: u64 = 300_000;

/// `LogManager.InitialTaskDelayMs`: the log manager's periodic tasks (retention among them) first
/// run this long after the broker starts, then at their intervals.
pub const LOG_MANAGER_INITIAL_TASK_DELAY_MS: u64 = 30_000;

/// A topic's segment.bytes and segment.ms, as a log rolls by them; a compacted topic
/// also rolls by max.compaction.lag.ms, so no record waits longer to be cleanable (LogConfig.maxSegmentMs).
pub(crate) fn roll_config(config: &crate::topic::TopicConfig) -> log::RollConfig {
    let segment_ms = config.long("segment.ms").max(1) as u64;
    let max_lag = config.long("max.compaction.lag.ms").max(1) as u64;
    let compact = config.text("cleanup.policy").contains("compact");
    log::RollConfig {
        segment_bytes: config.long("segment.bytes").max(1) as u64,
        segment_ms: if compact { segment_ms.min(max_lag) } else { segment_ms },
    }
}

/// How often a broker in controlled shutdown asks whether it may stop.
const SHUTDOWN_POLL_MS: u64 = 100;

/// Requests a broker sends are timed out after this (its `request.timeout.ms` toward peers).
const BROKER_REQUEST_TIMEOUT_MS: u64 = 30_000;

/// Broker settings with Kafka 4.3 defaults (checked in `tests/defaults.rs`).
#[derive(Clone, Copy, Debug)]
pub struct BrokerConfig {
    pub auto_create_topics: bool,
    pub replica_lag_time_max_ms: u64,
    pub replica_fetch_wait_max_ms: u64,
    pub replica_fetch_min_bytes: usize,
    pub replica_fetch_backoff_ms: u64,
    pub replica_fetch_response_max_bytes: usize,
    /// `replica.fetch.max.bytes`: the most one partition brings a follower's fetch (KIP-74 aside).
    pub replica_fetch_max_bytes: usize,
    /// `offsets.retention.minutes` in milliseconds: how long committed offsets outlive their
    /// group's last member (KIP-211), or a standalone consumer's commit.
    pub offsets_retention_ms: u64,
    /// The cluster's finalized `transaction.version` feature: 2 bumps the producer epoch at every
    /// commit and abort (KIP-890), 1 is the classic protocol.
    pub transaction_version: u8,
    /// `transaction.partition.verification.enable`: with transaction version 1, verify a
    /// transaction's first batch in a partition with its coordinator (KIP-890 part 1).
    pub partition_verification: bool,
    /// `num.partitions` and `default.replication.factor`: a new topic's layout where its creation
    /// does not say.
    pub num_partitions: u32,
    pub default_replication_factor: u32,
    /// `log.retention.check.interval.ms`: how often the log manager deletes what retention allows.
    pub log_retention_check_interval_ms: u64,
    /// `connections.max.idle.ms`: a connection idle this long is closed (its share sessions end).
    pub connections_max_idle_ms: u64,
    /// `group.min.session.timeout.ms`, `group.max.session.timeout.ms`, `group.initial.rebalance.delay.ms`.
    pub group: crate::group::coordinator::GroupSettings,
    /// `offsets.topic.*` and `transaction.state.log.*`.
    pub internal: crate::command::InternalTopics,
    /// `max.incremental.fetch.session.cache.slots`: fetch sessions this broker keeps (KIP-227).
    pub max_incremental_fetch_session_cache_slots: u32,
}

impl BrokerConfig {
    /// The broker's configs by Kafka's names, as `kafka-configs --describe --broker` lists the
    /// ones the simulation models.
    pub fn named(&self) -> Vec<(&'static str, alloc::string::String)> {
        use alloc::string::ToString;
        let mut named = alloc::vec![
            ("auto.create.topics.enable", self.auto_create_topics.to_string()),
            ("default.replication.factor", self.default_replication_factor.to_string()),
            ("group.consumer.heartbeat.interval.ms", self.group.consumer.heartbeat_interval_ms.to_string()),
            ("group.consumer.session.timeout.ms", self.group.consumer.session_timeout_ms.to_string()),
            ("group.initial.rebalance.delay.ms", self.group.initial_rebalance_delay_ms.to_string()),
            ("group.max.session.timeout.ms", self.group.max_session_timeout_ms.to_string()),
            ("group.min.session.timeout.ms", self.group.min_session_timeout_ms.to_string()),
            ("log.retention.check.interval.ms", self.log_retention_check_interval_ms.to_string()),
            ("connections.max.idle.ms", self.connections_max_idle_ms.to_string()),
            ("max.incremental.fetch.session.cache.slots", self.max_incremental_fetch_session_cache_slots.to_string()),
            ("num.partitions", self.num_partitions.to_string()),
            ("offsets.retention.minutes", (self.offsets_retention_ms / 60_000).to_string()),
            ("offsets.topic.num.partitions", self.internal.offsets_partitions.to_string()),
            ("offsets.topic.replication.factor", self.internal.offsets_replication_factor.to_string()),
            ("replica.fetch.backoff.ms", self.replica_fetch_backoff_ms.to_string()),
            ("replica.fetch.max.bytes", self.replica_fetch_max_bytes.to_string()),
            ("replica.fetch.min.bytes", self.replica_fetch_min_bytes.to_string()),
            ("replica.fetch.response.max.bytes", self.replica_fetch_response_max_bytes.to_string()),
            ("replica.fetch.wait.max.ms", self.replica_fetch_wait_max_ms.to_string()),
            ("replica.lag.time.max.ms", self.replica_lag_time_max_ms.to_string()),
            ("transaction.partition.verification.enable", self.partition_verification.to_string()),
            ("transaction.state.log.min.isr", self.internal.txn_min_isr.to_string()),
            ("transaction.state.log.num.partitions", self.internal.txn_partitions.to_string()),
            ("transaction.state.log.replication.factor", self.internal.txn_replication_factor.to_string()),
            ("transaction.version", self.transaction_version.to_string()),
        ];
        #[cfg(feature = "share-groups")]
        named.extend([
            ("group.share.delivery.count.limit", self.group.share.limits.delivery_count_limit.to_string()),
            ("group.share.heartbeat.interval.ms", self.group.share.heartbeat_interval_ms.to_string()),
            ("group.share.max.share.sessions", self.group.share.max_share_sessions.to_string()),
            ("group.share.max.size", self.group.share.max_size.to_string()),
            ("group.share.partition.max.record.locks", self.group.share.limits.max_record_locks.to_string()),
            ("group.share.record.lock.duration.ms", self.group.share.limits.lock_duration_ms.to_string()),
            ("group.share.session.timeout.ms", self.group.share.session_timeout_ms.to_string()),
            (
                "share.coordinator.snapshot.update.records.per.snapshot",
                self.group.share.updates_per_snapshot.to_string(),
            ),
        ]);
        named
    }
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            auto_create_topics: true,
            replica_lag_time_max_ms: crate::command::REPLICA_LAG_TIME_MAX_MS_DEFAULT,
            replica_fetch_wait_max_ms: 500,
            replica_fetch_min_bytes: 1,
            replica_fetch_backoff_ms: 1_000,
            replica_fetch_response_max_bytes: 10_485_760,
            replica_fetch_max_bytes: 1_048_576,
            offsets_retention_ms: crate::command::OFFSETS_RETENTION_MINUTES_DEFAULT * 60_000,
            transaction_version: crate::command::TRANSACTION_VERSION_DEFAULT,
            partition_verification: true,
            num_partitions: crate::controller::NUM_PARTITIONS_DEFAULT,
            default_replication_factor: crate::controller::DEFAULT_REPLICATION_FACTOR,
            log_retention_check_interval_ms: LOG_RETENTION_CHECK_INTERVAL_MS,
            connections_max_idle_ms: crate::command::CONNECTIONS_MAX_IDLE_MS_DEFAULT,
            group: crate::group::coordinator::GroupSettings::default(),
            internal: crate::command::InternalTopics::KAFKA,
            max_incremental_fetch_session_cache_slots:
                crate::fetch_session::cache::MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_DEFAULT,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Broker {
    pub id: u32,
    pub config: BrokerConfig,
    /// This broker's copy of the cluster metadata.
    pub image: Metadata,
    pub replicas: SortedMap<TopicPartition, Replica>,
    parked_fetches: Vec<ParkedFetch>,
    parked_produces: Vec<ParkedProduce>,
    /// Produce requests answered for some of their partitions and not yet for all.
    produce_answers: Vec<leader::ProduceAnswer>,
    /// Writes waiting for their transaction's coordinator (KIP-890), by a local key.
    verifying: SortedMap<u32, verification::Verifying>,
    next_verification: u32,
    next_correlation_id: u32,
    pending: SortedMap<u32, Pending>,
    /// The controller's last word on this broker.
    pub fenced: bool,
    /// Set by `broker shutdown`: heartbeats ask for a controlled shutdown.
    pub want_shutdown: bool,
    /// The controller said the controlled shutdown may finish.
    pub may_shut_down: bool,
    /// The next heartbeat announces a new incarnation.
    restarted: bool,
    /// The last incarnation stopped after a controlled shutdown.
    pub clean_shutdown: bool,
    /// The next producer id in this broker's block.
    next_producer_id: i64,
    /// The groups this broker coordinates and their committed offsets.
    pub coordinator: coordinator::GroupCoordinator,
    /// The transactional ids this broker coordinates.
    pub transactions: transactions::TxnCoordinator,
    /// The fetch sessions of those fetching from this broker (in memory: a restart loses them).
    pub fetch_sessions: FetchSessionCache,
    /// This broker's own sessions as a follower, one per leader it fetches from.
    fetcher_sessions: SortedMap<u32, FetchSessionHandler>,
    /// The share-partitions of the partitions it leads (KIP-932).
    #[cfg(feature = "share-groups")]
    pub share: share::ShareManager,
    /// The share-partitions' states it keeps as share coordinator.
    #[cfg(feature = "share-groups")]
    pub share_coordinator: share_coordinator::ShareCoordinator,
}

/// Producer ids a broker hands out before wrapping (Kafka's block size).
const PRODUCER_ID_BLOCK: i64 = 1_000;

impl Broker {
    pub fn new(id: u32, config: BrokerConfig) -> Self {
        Broker {
            id,
            config,
            image: Metadata::default(),
            replicas: SortedMap::new(),
            parked_fetches: Vec::new(),
            parked_produces: Vec::new(),
            produce_answers: Vec::new(),
            verifying: SortedMap::new(),
            next_verification: 0,
            next_correlation_id: 0,
            pending: SortedMap::new(),
            fenced: false,
            want_shutdown: false,
            may_shut_down: false,
            restarted: false,
            clean_shutdown: false,
            next_producer_id: 0,
            coordinator: coordinator::GroupCoordinator::default(),
            transactions: transactions::TxnCoordinator::default(),
            fetch_sessions: FetchSessionCache::new(config.max_incremental_fetch_session_cache_slots),
            fetcher_sessions: SortedMap::new(),
            #[cfg(feature = "share-groups")]
            share: share::ShareManager::default(),
            #[cfg(feature = "share-groups")]
            share_coordinator: share_coordinator::ShareCoordinator::default(),
        }
    }

    /// A controlled shutdown: heartbeats ask the controller to move leaderships
    /// away, and the broker stops once it leads nothing (`controlled.shutdown.enable`).
    pub fn begin_shutdown(&mut self, fx: &mut Effects) {
        self.want_shutdown = true;
        self.heartbeat(fx);
    }

    /// Starts the heartbeat loop; called once the cluster exists and after every restart.
    pub fn start(&mut self, fx: &mut Effects) {
        // A restarted broker catches up on the metadata log before it leads, follows or
        // coordinates anything (KRaft's BrokerServer waits for the initial catch-up before it
        // publishes metadata to the replica manager and the coordinators): its local copy may be
        // stale, and acting on it would make it a leader or a coordinator it no longer is. Its
        // roles come with the first heartbeat answer.
        if !self.restarted {
            self.sync_roles(fx);
        }
        self.heartbeat(fx);
        fx.timer_in(Duration::from_ms(LOG_MANAGER_INITIAL_TASK_DELAY_MS), Timer::RetentionCheck);
        fx.timer_in(Duration::from_ms(LOG_CLEANER_BACKOFF_MS), Timer::CleanerCheck);
        fx.timer_in(Duration::from_ms(crate::txn::TIMED_OUT_CHECK_INTERVAL_MS), Timer::TxnTimeoutCheck);
        fx.timer_in(Duration::from_ms(coordinator::OFFSETS_RETENTION_CHECK_INTERVAL_MS), Timer::OffsetsExpiry);
    }

    /// Each broker hands out ids from its own block, as Kafka's ProducerIdManager
    /// does with blocks of 1000 from the controller (here: fixed per broker).
    fn allocate_producer_id(&mut self) -> i64 {
        let producer_id = i64::from(self.id - 1) * PRODUCER_ID_BLOCK + self.next_producer_id;
        self.next_producer_id = (self.next_producer_id + 1) % PRODUCER_ID_BLOCK;
        producer_id
    }

    /// The log cleaner's pass over this broker's compacted logs, below each one's high watermark.
    fn check_cleaner(&mut self, fx: &mut Effects) {
        let now_ms = fx.now.ms;
        let tps: Vec<TopicPartition> = self.replicas.keys().cloned().collect();
        for tp in tps {
            let Some(config) = self.image.topics.get(tp.topic.as_str()).map(|t| t.config.clone()) else {
                continue;
            };
            if !config.text("cleanup.policy").contains("compact") {
                continue;
            }
            let settings = log::CleanerSettings {
                min_cleanable_dirty_ratio: crate::topic::config::parse_double(config.text("min.cleanable.dirty.ratio"))
                    .unwrap_or(0.5),
                min_compaction_lag_ms: config.long("min.compaction.lag.ms").max(0) as u64,
                max_compaction_lag_ms: config.long("max.compaction.lag.ms").max(1) as u64,
                delete_retention_ms: config.long("delete.retention.ms").max(0) as u64,
            };
            let Some(r) = self.replicas.get_mut(&tp) else { continue };
            // A cleaning that found nothing to remove only moves the clean point: not news.
            if let Some(c) = r.log.clean(now_ms, settings, r.high_watermark).filter(|c| c.removed > 0) {
                fx.event(EventKind::LogCleaned {
                    broker: self.id,
                    tp: tp.clone(),
                    removed: c.removed,
                    keys: c.keys,
                    clean_point: c.clean_point,
                });
            }
        }
        fx.timer_in(Duration::from_ms(LOG_CLEANER_BACKOFF_MS), Timer::CleanerCheck);
    }

    /// The log manager's retention pass over every log here (leader or not), below each one's high watermark.
    fn check_retention(&mut self, fx: &mut Effects) {
        let now_ms = fx.now.ms;
        let tps: Vec<TopicPartition> = self.replicas.keys().cloned().collect();
        for tp in tps {
            let Some(config) = self.image.topics.get(tp.topic.as_str()).map(|t| t.config.clone()) else {
                continue;
            };
            // Segments below the log start go whatever the policy; time and size only with `delete`.
            let (retention_ms, retention_bytes) = if config.text("cleanup.policy").contains("delete") {
                (config.long("retention.ms"), config.long("retention.bytes"))
            } else {
                (-1, -1)
            };
            let Some(r) = self.replicas.get_mut(&tp) else { continue };
            if let Some(d) = r.log.apply_retention(now_ms, retention_ms, retention_bytes, r.high_watermark) {
                fx.event(EventKind::SegmentsDeleted {
                    broker: self.id,
                    tp: tp.clone(),
                    segments: d.segments,
                    log_start_offset: d.log_start_offset,
                    why: d.why,
                });
            }
        }
        fx.timer_in(Duration::from_ms(self.config.log_retention_check_interval_ms), Timer::RetentionCheck);
    }

    /// DeleteRecords on the leader: the log starts at `offset` (at most the high watermark).
    pub fn delete_records(&mut self, tp: &TopicPartition, offset: u64, fx: &mut Effects) -> Result<u64, KafkaError> {
        let r = self.replicas.get_mut(tp).filter(|r| r.is_leader()).ok_or(KafkaError::NotLeaderOrFollower)?;
        if offset > r.high_watermark {
            return Err(KafkaError::OffsetOutOfRange);
        }
        if r.log.delete_records(offset) {
            let event = EventKind::RecordsDeleted { broker: self.id, tp: tp.clone(), log_start_offset: offset };
            fx.event(event);
        }
        Ok(r.log.log_start_offset())
    }

    /// A crash loses what was only in memory. Logs, high watermarks (checkpointed)
    /// and the metadata copy (the local metadata log) survive.
    pub fn crash(&mut self) {
        self.parked_fetches.clear();
        self.fetch_sessions = FetchSessionCache::new(self.config.max_incremental_fetch_session_cache_slots);
        self.fetcher_sessions.clear();
        self.parked_produces.clear();
        self.produce_answers.clear();
        self.verifying.clear();
        self.pending.clear();
        for r in self.replicas.values_mut() {
            r.role = Role::Idle;
        }
        self.want_shutdown = false;
        self.may_shut_down = false;
        self.restarted = true;
        // Groups and the offsets cache live in memory; the offsets log survives.
        self.coordinator = coordinator::GroupCoordinator::default();
        self.transactions = transactions::TxnCoordinator::default();
        // Share-partitions and their sessions are in memory; their states are in `__share_group_state`.
        #[cfg(feature = "share-groups")]
        {
            self.share = share::ShareManager::default();
            self.share_coordinator = share_coordinator::ShareCoordinator::default();
        }
    }

    fn request(&mut self, to: Node, request: Request, pending: Pending, fx: &mut Effects) {
        let id = self.next_correlation_id;
        self.next_correlation_id = self.next_correlation_id.wrapping_add(1);
        fx.send(to, Message { correlation_id: id, body: Body::Request(request) });
        fx.timer_in(Duration::from_ms(BROKER_REQUEST_TIMEOUT_MS), Timer::RequestTimeout(id));
        self.pending.insert(id, pending);
    }

    fn heartbeat(&mut self, fx: &mut Effects) {
        let request = Request::BrokerHeartbeat {
            broker: self.id,
            metadata_offset: self.image.offset,
            want_shutdown: self.want_shutdown,
            restarted: self.restarted,
            clean_shutdown: self.clean_shutdown,
        };
        self.request(Node::Controller, request, Pending::Heartbeat, fx);
        fx.timer_in(Duration::from_ms(BROKER_HEARTBEAT_INTERVAL_MS), Timer::Heartbeat);
    }

    pub fn handle(&mut self, from: Node, msg: Message, fx: &mut Effects) {
        let id = msg.correlation_id;
        match msg.body {
            Body::Request(request) => self.handle_request(from, id, request, fx),
            Body::Response(response) => {
                let Some(pending) = self.pending.remove(&id) else {
                    return;
                };
                fx.cancel(Timer::RequestTimeout(id));
                match (pending, response) {
                    (Pending::Heartbeat, Response::BrokerHeartbeat { fenced, should_shutdown, image }) => {
                        let catching_up = core::mem::take(&mut self.restarted);
                        self.fenced = fenced;
                        self.may_shut_down = should_shutdown;
                        if let Some(image) = image {
                            self.apply_image(*image, fx);
                        } else if catching_up {
                            // Nothing changed while it was down: its own copy is current.
                            self.sync_roles(fx);
                        }
                        if self.want_shutdown && should_shutdown {
                            fx.stop_self = true;
                        } else if self.want_shutdown {
                            // Ask again soon: leaderships are moving away.
                            fx.timer_in(Duration::from_ms(SHUTDOWN_POLL_MS), Timer::Heartbeat);
                        }
                    }
                    (Pending::ReplicaFetch { leader }, Response::Fetch { error, session_id, partitions }) => {
                        self.on_replica_fetch(leader, (error, session_id), partitions, fx)
                    }
                    (Pending::AlterPartition { tp }, Response::AlterPartition { result, .. }) => {
                        self.on_alter_partition(&tp, result, fx)
                    }
                    (Pending::TxnMarker { transactional_id, tp }, Response::WriteTxnMarkers { result, .. }) => {
                        self.on_marker_written(&transactional_id, &tp, result, fx)
                    }
                    (Pending::TxnVerify(key), Response::AddPartitionsToTxn { result }) => {
                        self.on_verified(key, result, fx)
                    }
                    #[cfg(feature = "share-groups")]
                    (Pending::ShareRead { group, tp }, Response::ReadShareGroupState { result, .. }) => {
                        self.on_share_state_read(group, tp, result, fx)
                    }
                    #[cfg(feature = "share-groups")]
                    (Pending::ShareWrite { group, tp }, Response::WriteShareGroupState { result }) => {
                        self.on_share_state_written(group, tp, result, fx)
                    }
                    _ => {}
                }
            }
        }
    }

    fn handle_request(&mut self, from: Node, id: u32, request: Request, fx: &mut Effects) {
        match request {
            Request::Metadata { topics, allow_auto_topic_creation } => {
                // Every topic when none are named (internal ones included, as Kafka answers).
                let topics = topics
                    .unwrap_or_else(|| self.image.topics.keys().cloned().collect())
                    .into_iter()
                    .map(|t| {
                        let result = match self.image.describe(&t) {
                            Err(KafkaError::UnknownTopicOrPartition)
                                if allow_auto_topic_creation && self.config.auto_create_topics =>
                            {
                                // Kafka creates it through the controller and answers
                                // LEADER_NOT_AVAILABLE until the client asks again.
                                fx.create_topics.push(t.clone());
                                Err(KafkaError::LeaderNotAvailable)
                            }
                            other => other,
                        };
                        (t, result)
                    })
                    .collect();
                let brokers = self.image.brokers.values().filter(|b| !b.fenced).map(|b| b.id).collect();
                reply(fx, from, id, Response::Metadata { brokers, topics });
            }
            Request::Produce { acks, timeout_ms, transactional_id, partitions } => {
                self.produce_request(from, id, (acks, timeout_ms), transactional_id, partitions, fx)
            }
            Request::Fetch {
                replica_id,
                max_wait_ms,
                min_bytes,
                max_bytes,
                isolation_level,
                session,
                partitions,
                forgotten,
            } => {
                let privileged = replica_id.is_some();
                let (context, partitions) =
                    self.fetch_sessions.new_context(fx.now.ms, privileged, session, partitions, &forgotten);
                let parked = ParkedFetch {
                    context,
                    client: from,
                    correlation_id: id,
                    replica_id,
                    min_bytes,
                    max_bytes,
                    isolation_level,
                    partitions,
                };
                self.fetch(parked, max_wait_ms, fx);
            }
            Request::ListOffsets { isolation_level, partitions } => {
                let partitions = partitions.into_iter().map(|(tp, spec)| {
                    let result = self.list_offset(&tp, spec, isolation_level);
                    (tp, result)
                });
                reply(fx, from, id, Response::ListOffsets { partitions: partitions.collect() });
            }
            Request::InitProducerId { transactional_id: None, .. } => {
                let producer_id = self.allocate_producer_id();
                let transaction_version = self.config.transaction_version;
                reply(fx, from, id, Response::InitProducerId { result: Ok((producer_id, 0)), transaction_version });
            }
            Request::InitProducerId { .. }
            | Request::FindTransactionCoordinator { .. }
            | Request::AddPartitionsToTxn { .. }
            | Request::AddOffsetsToTxn { .. }
            | Request::EndTxn { .. } => self.handle_txn_request(from, id, request, fx),
            Request::WriteTxnMarkers { .. } => self.write_marker(from, id, request, fx),
            Request::MetadataUpdate { image } => {
                if image.offset > self.image.offset {
                    self.apply_image(*image, fx);
                }
            }
            Request::FindCoordinator { .. }
            | Request::JoinGroup { .. }
            | Request::SyncGroup { .. }
            | Request::Heartbeat { .. }
            | Request::LeaveGroup { .. }
            | Request::ConsumerGroupHeartbeat { .. }
            | Request::OffsetCommit { .. }
            | Request::OffsetFetch { .. }
            | Request::TxnOffsetCommit { .. } => self.handle_group_request(from, id, request, fx),
            #[cfg(feature = "share-groups")]
            Request::ShareGroupHeartbeat { .. } => self.handle_group_request(from, id, request, fx),
            #[cfg(feature = "share-groups")]
            Request::ShareFetch { .. } | Request::ShareAcknowledge { .. } => {
                self.handle_share_request(from, id, request, fx)
            }
            #[cfg(feature = "share-groups")]
            Request::WriteShareGroupState { .. } | Request::ReadShareGroupState { .. } => {
                self.handle_share_state_request(from, id, request, fx)
            }
            // Without share groups a broker has no share-partitions and no share coordinator.
            Request::BrokerHeartbeat { .. } | Request::AlterPartition { .. } => {
                // Controller requests reach the controller, never a broker's request handler.
            }
        }
    }

    pub fn on_timer(&mut self, timer: Timer, fx: &mut Effects) {
        match timer {
            Timer::Heartbeat => self.heartbeat(fx),
            Timer::IsrCheck => self.check_isr(fx),
            Timer::ReplicaFetch(leader) => self.fetch_from(leader, fx),
            #[cfg(feature = "share-groups")]
            Timer::FetchExpiry { client, correlation_id } if self.expire_share_fetch(&client, correlation_id, fx) => {}
            Timer::FetchExpiry { client, correlation_id } => self.expire_fetch(&client, correlation_id, fx),
            #[cfg(feature = "share-groups")]
            Timer::ShareLocks => self.expire_share_locks(fx),
            #[cfg(feature = "share-groups")]
            Timer::ShareStateRetry => self.retry_share_state(fx),
            #[cfg(feature = "share-groups")]
            Timer::ShareSessionsIdle => self.evict_idle_share_sessions(fx),
            #[cfg(feature = "share-groups")]
            Timer::ShareColdSnapshots => self.snapshot_cold_share_partitions(fx),
            #[cfg(feature = "share-groups")]
            Timer::SharePrune => self.prune_share_state(fx),
            Timer::ProduceExpiry { client, correlation_id } => self.expire_produce(&client, correlation_id, fx),
            Timer::GroupDeadline(group) => self.on_group_deadline(&group, fx),
            Timer::RetentionCheck => self.check_retention(fx),
            Timer::OffsetsExpiry => self.expire_offsets(fx),
            Timer::CleanerCheck => self.check_cleaner(fx),
            Timer::TxnTimeoutCheck => self.check_txn_timeouts(fx),
            Timer::TxnMarkerRetry(tid) => self.retry_markers(&tid, fx),
            Timer::RequestTimeout(id) | Timer::Disconnected(id) | Timer::Refused(id) => {
                match self.pending.remove(&id) {
                    Some(Pending::ReplicaFetch { leader }) => {
                        if let Some(session) = self.fetcher_sessions.get_mut(&leader) {
                            session.handle_error();
                        }
                        fx.timer_in(
                            Duration::from_ms(self.config.replica_fetch_backoff_ms),
                            Timer::ReplicaFetch(leader),
                        )
                    }
                    Some(Pending::AlterPartition { tp }) => {
                        self.on_alter_partition(&tp, Err(KafkaError::RequestTimedOut), fx)
                    }
                    Some(Pending::TxnMarker { transactional_id, tp }) => {
                        self.on_marker_written(&transactional_id, &tp, Err(KafkaError::RequestTimedOut), fx)
                    }
                    Some(Pending::TxnVerify(key)) => self.on_verified(key, Err(KafkaError::RequestTimedOut), fx),
                    #[cfg(feature = "share-groups")]
                    Some(Pending::ShareRead { group, tp }) => {
                        self.on_share_state_read(group, tp, Err(KafkaError::RequestTimedOut), fx)
                    }
                    #[cfg(feature = "share-groups")]
                    Some(Pending::ShareWrite { group, tp }) => {
                        self.on_share_state_written(group, tp, Err(KafkaError::RequestTimedOut), fx)
                    }
                    Some(Pending::Heartbeat) | None => {}
                }
            }
            _ => {}
        }
    }

    /// Takes a newer metadata image and changes roles to match it: become
    /// leader or follower where the leader epoch moved, go idle where the
    /// partition lost its leader or is no longer assigned here.
    fn apply_image(&mut self, image: Metadata, fx: &mut Effects) {
        if image.offset <= self.image.offset && !self.image.topics.is_empty() {
            return;
        }
        let created = image.topics.keys().any(|t| !self.image.topics.contains_key(t));
        if created || self.coordinator.new_topics_at == 0 {
            self.coordinator.new_topics_at = image.offset;
        }
        self.image = image;
        self.sync_roles(fx);
    }

    /// Makes every replica's role match this broker's metadata copy.
    fn sync_roles(&mut self, fx: &mut Effects) {
        let assigned: Vec<(TopicPartition, crate::metadata::PartitionState)> = self
            .image
            .partitions()
            .filter(|(_, p)| p.replicas.contains(&self.id))
            .map(|(tp, p)| (tp, p.clone()))
            .collect();
        // Leaders whose ISR the controller shrank: Kafka's `makeLeader` then tries to move the HW
        // ("ISR could be down to 1"), which completes the produces waiting for the replicas gone.
        let mut isr_changed: Vec<&TopicPartition> = Vec::new();
        for (tp, state) in &assigned {
            let replica = self.replicas.entry(tp.clone()).or_insert_with(Replica::new);
            match state.leader {
                Some(l) if l == self.id => match &mut replica.role {
                    Role::Leader(lead) if lead.epoch == state.leader_epoch => {
                        // Same leadership; the controller may have changed the ISR (fencing a follower).
                        if state.partition_epoch > lead.partition_epoch {
                            lead.partition_epoch = state.partition_epoch;
                            lead.isr = state.isr.clone();
                            isr_changed.push(tp);
                        }
                    }
                    _ => {
                        replica.log.assign_epoch(state.leader_epoch);
                        let lead = Leadership::new(self.id, state, replica.log.log_end_offset(), fx.now);
                        replica.role = Role::Leader(lead);
                    }
                },
                Some(l) => {
                    let same = matches!(replica.role, Role::Follower { leader, leader_epoch } if leader == l && leader_epoch == state.leader_epoch);
                    if !same {
                        replica.role = Role::Follower { leader: l, leader_epoch: state.leader_epoch };
                    }
                }
                None => replica.role = Role::Idle,
            }
        }
        for (tp, replica) in self.replicas.iter_mut() {
            if !assigned.iter().any(|(t, _)| t == tp) {
                replica.role = Role::Idle;
            }
        }
        for tp in isr_changed {
            self.maybe_advance_high_watermark(tp, fx);
        }
        self.fail_parked_produces_not_led(fx);
        self.complete_parked_fetches(None, fx);
        self.sync_coordinator(fx);
        self.sync_txn_coordinator(fx);
        #[cfg(feature = "share-groups")]
        {
            self.sync_share_coordinator(fx);
            self.sync_share_partitions(fx);
        }
        self.start_fetchers(fx);
        if self.replicas.values().any(Replica::is_leader) {
            self.schedule_isr_check(fx);
        }
    }

    /// Requests in flight toward peers, for the view.
    pub fn pending_requests(&self) -> usize {
        self.pending.len()
    }

    /// Kafka's UnderReplicatedPartitions: partitions this broker leads whose ISR is smaller than the replica set.
    pub fn under_replicated_partitions(&self) -> usize {
        // Counted every frame by the page's view.
        let mut image = self.image.in_topic_order();
        self.replicas
            .iter()
            .filter(|(tp, r)| match &r.role {
                Role::Leader(l) => image.partition(tp).is_some_and(|p| l.isr.len() < p.replicas.len()),
                _ => false,
            })
            .count()
    }

    pub fn now_leads(&self, tp: &TopicPartition) -> bool {
        self.replicas.get(tp).is_some_and(Replica::is_leader)
    }
}

fn reply(fx: &mut Effects, to: Node, correlation_id: u32, response: Response) {
    fx.send(to, Message { correlation_id, body: Body::Response(response) });
}
