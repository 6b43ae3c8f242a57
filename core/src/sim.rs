//! The simulation: a clock, a seeded PRNG, an event queue, the network, the
//! brokers, the controller's metadata and the clients.
//!
//! # Calling order
//!
//! The API sorts into three groups (the quinn-proto convention):
//! - **commands** — [`Sim::apply`] takes a [`Command`]; it either changes the
//!   state or returns a [`CommandError`] and changes nothing;
//! - **time** — [`Sim::advance`] processes every scheduled event up to a
//!   time, [`Sim::step`] processes only the next one;
//! - **outputs** — [`Sim::drain_events`] hands over the events that happened
//!   since the last drain, each stamped with its simulated time, and
//!   [`Sim::view`] gives a read-only picture of everything.
//!
//! Apply commands, move time, read outputs, repeat. Nothing happens between
//! calls: the simulation has no clock of its own.
//!
//! ```
//! use kafka_sim::{Command, Sim, scenario::Scenario};
//! let script = Scenario::parse("cluster brokers=3\ntopic create orders partitions=3\nadvance 1s").unwrap();
//! let mut sim = Sim::new(script.seed);
//! for line in &script.commands {
//!     sim.apply(&line.command).unwrap();
//! }
//! assert_eq!(sim.now().ms, 1_000);
//! assert_eq!(sim.view().topics[0].partitions.len(), 3);
//! ```

use crate::broker::coordinator::OFFSETS_TOPIC;
use crate::broker::{Broker, BrokerConfig};
use crate::client::config::{ConsumerConfig, ProducerConfig};
#[cfg(feature = "share-groups")]
use crate::client::ShareConsumer;
use crate::client::{Client, Consumer, Producer};
use crate::command::{Command, PatternSide};
use crate::controller::Layout;
use crate::controller::{quorum, Controller};
use crate::effects::{Effects, Timer};
use crate::error::{CommandError, KafkaError};
use crate::event::{Event, EventKind, TxnStep};
use crate::format::Format;
use crate::lag::{LagHistory, LagSample};
use crate::limits;
use crate::net::{Loss, Network, Node};
use crate::pattern::TopicPattern;
use crate::protocol::{Body, ClientName, Message, Request, Response, TopicName};
use crate::rand::Rng;
use crate::record::{Header, ProducerRecord};
use crate::sorted::SortedMap;
use crate::time::{Duration, Instant};
use crate::topic::TopicConfig;
use crate::txn::TRANSACTION_STATE_TOPIC;
use alloc::borrow::Cow;
use alloc::collections::{BinaryHeap, VecDeque};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The producer a consume-transform-produce consumer `c` writes with: `c-out`.
const PIPELINE_PRODUCER_SUFFIX: &str = "-out";

/// Something due at a simulated time.
#[derive(Clone, Debug)]
enum Scheduled {
    Deliver { from: Node, to: Node, message: Message, sent_at: Instant },
    Wake { node: Node, timer: Timer },
}

/// A scheduled thing in the queue, ordered by time, then by scheduling order (the deterministic
/// tie-break), reversed so that the max-heap gives the earliest first. The thing itself waits in
/// the simulation's slab at `index`, so that the heap moves 24 bytes a step, not a message; it is
/// still due while the slab holds it (a cancelled or replaced timer's entry is emptied).
#[derive(Clone, Debug)]
struct Slot {
    at: Instant,
    seq: u64,
    index: u32,
}

impl PartialEq for Slot {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Slot {}

impl PartialOrd for Slot {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Slot {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// The cluster part of the state, present once `cluster` ran.
#[derive(Clone, Debug)]
struct Cluster {
    brokers: SortedMap<u32, Broker>,
    controller: Controller,
    net: Network,
    /// The brokers' configs that are topics' defaults, by topic config name, for every topic
    /// created; and by the brokers' names, as the view lists them.
    topic_defaults: Vec<(&'static str, String)>,
    broker_topic_configs: Vec<(&'static str, String)>,
}

/// How a consume-transform-produce application's transaction ended.
#[derive(Clone, Debug, PartialEq)]
enum PipelineEnd {
    /// Committed or aborted: the poll loop goes on.
    Done,
    /// A send failed: abortTransaction first.
    MustAbort,
    /// The producer can only be closed (fenced by a newer instance): the application ends.
    Fatal(KafkaError),
}

/// Stale slots the queue keeps before it may be compacted: below it, a compaction would cost more
/// than the few levels of heap it saves.
const QUEUE_STALE_MIN: usize = 256;

#[derive(Clone, Debug)]
pub struct Sim {
    seed: u64,
    now: Instant,
    rng: Rng,
    cluster: Option<Cluster>,
    clients: SortedMap<ClientName, Client>,
    /// Ordered by time, then by scheduling order: the deterministic tie-break. A binary heap
    /// (it grows with traffic and is taken from at its front): a timer cancelled or set again
    /// stays in it, stale, until it comes up and is dropped, which keeps cancelling cheap. Its
    /// front is never stale (`settle_queue`), so it says truly when the next thing happens.
    queue: BinaryHeap<Slot>,
    /// What the queue's slots hold, by their index; emptied when a timer is cancelled or set
    /// again, and the index free again once its slot leaves the queue.
    slab: Vec<Option<Scheduled>>,
    /// Slab indices free for new slots, the last freed taken first.
    free: Vec<u32>,
    /// Stale timers in the queue, left out of what is scheduled.
    queue_stale: usize,
    /// Where each pending timer waits: its slot's slab index, by node, then timer. Two levels:
    /// a busy cluster has thousands of pending timers (a request timeout per request in
    /// flight), each set and cancelled in a sorted vector whose later entries move; one
    /// node's vector is a small part of them.
    timers: SortedMap<Node, SortedMap<Timer, u32>>,
    next_seq: u64,
    events: NotCopied<VecDeque<Event>>,
    events_dropped: u64,
    /// Messages and timers refused because the queue was full.
    scheduled_dropped: u64,
    /// Each group's lag over time, for the lag chart.
    lag: LagHistory,
    /// Whether each `expect` applied so far held when it was reached, in order (bounded).
    checkpoints: Vec<bool>,
    /// An empty list kept for the next `send`'s events, so each send does not allocate one.
    spare_events: NotCopied<Vec<EventKind>>,
    /// The last number a default `client.id` took, producers' and consumers' (Java's
    /// `PRODUCER_CLIENT_ID_SEQUENCE` and `CONSUMER_CLIENT_ID_SEQUENCE`, counted per session).
    client_id_sequences: (u32, u32),
}

/// Events not yet drained, and a list kept for reuse: a copy of the simulation (the page's
/// snapshots, which it drains when it restores one) starts without them. So events are never
/// copied, and their types need no `Clone` (whose code the page would carry).
#[derive(Debug, Default)]
struct NotCopied<T: Default>(T);

impl<T: Default> Clone for NotCopied<T> {
    fn clone(&self) -> Self {
        NotCopied(T::default())
    }
}

/// The largest list of events kept for reuse: a send makes one or two.
const SPARE_EVENTS_CAPACITY_MAX: usize = 16;

impl Sim {
    pub fn new(seed: u64) -> Self {
        Sim {
            seed,
            now: Instant::ZERO,
            rng: Rng::new(seed),
            cluster: None,
            clients: SortedMap::new(),
            queue: BinaryHeap::new(),
            slab: Vec::new(),
            free: Vec::new(),
            queue_stale: 0,
            timers: SortedMap::new(),
            next_seq: 0,
            events: NotCopied::default(),
            events_dropped: 0,
            scheduled_dropped: 0,
            lag: LagHistory::default(),
            checkpoints: Vec::new(),
            spare_events: NotCopied::default(),
            client_id_sequences: (0, 0),
        }
    }

    /// Whether the `n`th `expect` applied held at the moment it was reached (`None` past the remembered ones).
    pub fn checkpoint_held(&self, n: usize) -> Option<bool> {
        self.checkpoints.get(n).copied()
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn now(&self) -> Instant {
        self.now
    }

    /// When the next scheduled thing happens, if anything is scheduled.
    pub fn next_event_at(&self) -> Option<Instant> {
        self.queue.peek().map(|slot| slot.at)
    }

    /// Events since the last drain, oldest first.
    pub fn drain_events(&mut self) -> Vec<Event> {
        self.events.0.drain(..).collect()
    }

    /// Events dropped because nobody drained them (see [`limits::EVENTS_BUFFERED_MAX`]).
    pub fn events_dropped(&self) -> u64 {
        self.events_dropped
    }

    // ----- commands -------------------------------------------------------------------------

    /// Applies one command. On error nothing changed.
    pub fn apply(&mut self, command: &Command) -> Result<(), CommandError> {
        match command {
            Command::Cluster(s) => {
                let config = BrokerConfig {
                    auto_create_topics: s.auto_create_topics,
                    offsets_retention_ms: s.offsets_retention_minutes.saturating_mul(60_000),
                    transaction_version: s.transaction_version,
                    partition_verification: s.partition_verification,
                    num_partitions: s.num_partitions,
                    default_replication_factor: s.default_replication_factor,
                    replica_lag_time_max_ms: s.replica_lag_time_max_ms,
                    log_retention_check_interval_ms: s.log_retention_check_interval_ms,
                    connections_max_idle_ms: s.connections_max_idle_ms,
                    max_incremental_fetch_session_cache_slots: s.max_incremental_fetch_session_cache_slots,
                    group: s.group,
                    internal: s.internal,
                    ..BrokerConfig::default()
                };
                self.start_cluster(s.brokers, s.latency, config)?;
                // log.retention.ms wins over log.retention.hours, whichever comes first.
                let mut written: Vec<&(String, String)> = s.topic_defaults.iter().collect();
                crate::sort::sort_by_key(&mut written, |(name, _)| name == "log.retention.ms");
                let (mut defaults, mut shown) = (Vec::new(), Vec::new());
                for (name, value) in written {
                    if let Some(Ok((broker, topic, v))) = crate::topic::config::broker_default(name, value) {
                        defaults.retain(|(t, _): &(&str, String)| *t != topic);
                        defaults.push((topic, v));
                        shown.push((broker, value.clone()));
                    }
                }
                if let Some(c) = self.cluster.as_mut() {
                    (c.topic_defaults, c.broker_topic_configs) = (defaults, shown);
                }
                Ok(())
            }
            Command::CreateTopic { name, .. } if name == OFFSETS_TOPIC || name == TRANSACTION_STATE_TOPIC => {
                Err(CommandError::Kafka(KafkaError::InvalidRequest(format!(
                    "{name} is internal: the cluster creates it when a group or a transactional producer first needs a coordinator"
                ))))
            }
            Command::CreateTopic { assignment, name, partitions, replication_factor, configs } => {
                let pairs = configs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
                let config = TopicConfig::from_pairs(pairs)?;
                let layout = match assignment {
                    Some(a) => Layout::Manual(a.clone()),
                    // CreateTopics with -1 for either: the brokers' num.partitions and
                    // default.replication.factor.
                    None => {
                        let defaults = self.broker_config();
                        Layout::Placed {
                            partitions: partitions.unwrap_or(defaults.num_partitions),
                            replication_factor: replication_factor.unwrap_or(defaults.default_replication_factor),
                        }
                    }
                };
                self.create_topic(name, layout, config, false)
            }
            Command::AlterPartitions { name, partitions } => self.alter_partitions(name, *partitions),
            Command::DeleteGroup { group } => self.delete_group(group),
            Command::DeleteRecords { tp, offset } => self.delete_records(tp, *offset),
            Command::Traffic { producer, topic, rate_per_s, keys } => {
                crate::topic::name::validate(topic).map_err(CommandError::Kafka)?;
                if *rate_per_s > 1_000 {
                    return Err(CommandError::Limit("traffic is at most 1,000 records a second".into()));
                }
                let now = self.now;
                let p = self.producer_mut(producer)?;
                let mut fx = Effects::new(now);
                p.set_traffic(topic, *rate_per_s, *keys, &mut fx);
                self.apply_client_effects(producer, fx);
                Ok(())
            }
            Command::AlterTopicConfig { name, configs } => {
                if self.cluster()?.controller.active.is_none() {
                    return Err(CommandError::Invalid("no active controller: configs cannot change".into()));
                }
                let now = self.now;
                let cluster = self.cluster.as_mut().ok_or(CommandError::NoCluster)?;
                let mut fx = Effects::new(now);
                cluster.controller.alter_topic_config(name, configs, &mut fx)?;
                self.emit(EventKind::TopicConfigChanged { topic: name.clone(), configs: configs.clone() });
                self.apply_effects(Node::Controller, fx);
                Ok(())
            }
            Command::Producer { name, configs } => {
                let mut config = ProducerConfig::parse(configs)?;
                let bootstrap = self.bootstrap(name)?;
                self.default_producer_client_id(&mut config);
                let seed = self.rng.next_u64();
                let producer = Producer::new(name.clone(), config, bootstrap, seed);
                self.add_client(Client::Producer(producer));
                Ok(())
            }
            Command::Consumer { name, configs } => {
                let mut config = ConsumerConfig::parse(configs)?;
                let bootstrap = self.bootstrap(name)?;
                if config.client_id.is_empty() {
                    // `ConsumerUtils.buildClientId`: a static member is named by its instance id.
                    let n = &mut self.client_id_sequences.1;
                    config.client_id = match (&config.group_id, &config.group_instance_id) {
                        (Some(g), Some(i)) if !g.is_empty() => format!("consumer-{g}-{i}"),
                        (Some(g), None) if !g.is_empty() => {
                            *n += 1;
                            format!("consumer-{g}-{n}")
                        }
                        _ => {
                            *n += 1;
                            format!("consumer-{n}")
                        }
                    };
                }
                self.add_client(Client::Consumer(Consumer::new(name.clone(), config, bootstrap)));
                Ok(())
            }
            #[cfg(feature = "share-groups")]
            Command::ShareConsumer { name, configs } => {
                let mut config = crate::client::share_consumer::ShareConsumerConfig::parse(configs)?;
                let bootstrap = self.bootstrap(name)?;
                if config.client_id.is_empty() {
                    let n = &mut self.client_id_sequences.1;
                    *n += 1;
                    config.client_id = format!("consumer-{}-{n}", config.group_id);
                }
                let now_ms = self.now.ms;
                self.add_client(Client::ShareConsumer(ShareConsumer::new(name.clone(), config, bootstrap, now_ms)));
                Ok(())
            }
            #[cfg(feature = "share-groups")]
            Command::Acknowledge { consumer, tp, offset, ack } => {
                // Nothing goes until the next fetch or commit, as Java's acknowledge() sends nothing.
                self.share_consumer_mut(consumer)?.acknowledge(tp, *offset, *ack)
            }
            #[cfg(feature = "share-groups")]
            Command::AlterGroupConfig { group, configs } => {
                if self.cluster()?.controller.active.is_none() {
                    return Err(CommandError::Invalid("no active controller: configs cannot change".into()));
                }
                let now = self.now;
                let cluster = self.cluster.as_mut().ok_or(CommandError::NoCluster)?;
                let mut fx = Effects::new(now);
                cluster.controller.alter_group_config(group, configs, &mut fx)?;
                self.apply_effects(Node::Controller, fx);
                Ok(())
            }
            Command::Send { producer, topic, partition, key, value, headers, key_format, value_format } => {
                let formats = (*key_format, *value_format);
                let now = self.now;
                let events = core::mem::take(&mut self.spare_events.0);
                let p = self.producer_mut(producer)?;
                // A topic the producer knows is valid, and its records share the name it knows.
                let topic = match p.conn.topic_name(topic) {
                    Some(known) => known,
                    None => {
                        // The Java producer checks nothing about the name before asking for metadata,
                        // but a name Kafka can never accept would only wait for max.block.ms.
                        crate::topic::name::validate(topic).map_err(CommandError::Kafka)?;
                        TopicName::from(topic.as_str())
                    }
                };
                let record = build_record(topic, *partition, (key, value), formats, headers)?;
                let mut fx = Effects::new(now);
                fx.events = events;
                p.send(record, &mut fx)?;
                self.apply_client_effects(producer, fx);
                Ok(())
            }
            Command::Assign { consumer, partitions } => self.consumer_mut(consumer)?.assign(partitions.clone()),
            Command::Subscribe { consumer, topics, pattern } => {
                for t in topics {
                    crate::topic::name::validate(t).map_err(CommandError::Kafka)?;
                }
                #[cfg(feature = "share-groups")]
                if self.is_share_consumer(consumer) {
                    if pattern.is_some() {
                        return Err(CommandError::Invalid(
                            "a share consumer subscribes to topics by name (KafkaShareConsumer has no pattern subscription)".into(),
                        ));
                    }
                    let now = self.now;
                    let c = self.share_consumer_mut(consumer)?;
                    let mut fx = Effects::new(now);
                    c.subscribe(topics.clone(), &mut fx);
                    self.apply_client_effects(consumer, fx);
                    return Ok(());
                }
                let c = self.consumer_mut(consumer)?;
                match pattern {
                    Some((PatternSide::Consumer, p)) => {
                        let pattern = TopicPattern::parse(p).map_err(CommandError::Invalid)?;
                        c.subscribe(topics.clone(), Some(pattern))
                    }
                    Some((PatternSide::Coordinator, regex)) => c.subscribe_regex(regex),
                    None => c.subscribe(topics.clone(), None),
                }
            }
            #[cfg(feature = "share-groups")]
            Command::Commit { consumer, offsets, asynchronous } if self.is_share_consumer(consumer) => {
                if offsets.is_some() || *asynchronous {
                    return Err(CommandError::Invalid(
                        "a share consumer commits its acknowledgements: `commit NAME` (commitSync), no offsets".into(),
                    ));
                }
                let now = self.now;
                let c = self.share_consumer_mut(consumer)?;
                let mut fx = Effects::new(now);
                c.commit(&mut fx);
                self.apply_client_effects(consumer, fx);
                Ok(())
            }
            #[cfg(feature = "share-groups")]
            Command::Consume { consumer, processing } if self.is_share_consumer(consumer) => {
                let now = self.now;
                let c = self.share_consumer_mut(consumer)?;
                if c.looping {
                    return Err(CommandError::Invalid(format!("'{consumer}' is already running its poll loop")));
                }
                let mut fx = Effects::new(now);
                c.consume(processing.clone(), &mut fx)?;
                self.apply_client_effects(consumer, fx);
                Ok(())
            }
            #[cfg(feature = "share-groups")]
            Command::Poll { consumer } if self.is_share_consumer(consumer) => {
                let now = self.now;
                let c = self.share_consumer_mut(consumer)?;
                let mut fx = Effects::new(now);
                c.poll(&mut fx)?;
                self.apply_client_effects(consumer, fx);
                Ok(())
            }
            Command::Commit { consumer, offsets, asynchronous } => {
                let now = self.now;
                let c = self.consumer_mut(consumer)?;
                let mut fx = Effects::new(now);
                c.commit(offsets.clone(), *asynchronous, &mut fx)?;
                self.apply_client_effects(consumer, fx);
                Ok(())
            }
            Command::Consume { consumer, processing } => {
                let now = self.now;
                let c = self.consumer_mut(consumer)?;
                if c.looping {
                    return Err(CommandError::Invalid(format!("'{consumer}' is already running its poll loop")));
                }
                if processing.commit == crate::command::CommitMode::Transaction && c.config.group_id.is_none() {
                    return Err(CommandError::Invalid(format!(
                        "commit=transaction sends {consumer}'s offsets to its group: it needs a group.id"
                    )));
                }
                if matches!(processing.on_failure, crate::command::OnFailure::Release | crate::command::OnFailure::Reject) {
                    return Err(CommandError::Invalid(format!(
                        "on.failure={} acknowledges a share group's record: '{consumer}' is a consumer (use stop, skip or dlq)",
                        processing.on_failure.word()
                    )));
                }
                if processing.output.is_some() {
                    self.start_pipeline(consumer, processing)?;
                }
                let c = self.consumer_mut(consumer)?;
                let mut fx = Effects::new(now);
                c.consume(processing.clone(), &mut fx);
                self.apply_client_effects(consumer, fx);
                Ok(())
            }
            Command::Crash { client } => self.crash_client(client),
            Command::Seek { consumer, tp, to } => {
                let now = self.now;
                let c = self.consumer_mut(consumer)?;
                let mut fx = Effects::new(now);
                c.seek(tp, *to, &mut fx)?;
                self.apply_client_effects(consumer, fx);
                Ok(())
            }
            Command::Pause { consumer, partitions } => self.consumer_mut(consumer)?.pause(partitions),
            Command::Resume { consumer, partitions } => self.consumer_mut(consumer)?.resume(partitions),
            Command::Close { client } => {
                let now = self.now;
                let mut fx = Effects::new(now);
                match self.client_mut(client)? {
                    Client::Producer(p) => p.close(&mut fx),
                    Client::Consumer(c) => c.close(&mut fx),
                    #[cfg(feature = "share-groups")]
                    Client::ShareConsumer(c) => c.close(&mut fx),
                }
                self.apply_client_effects(client, fx);
                Ok(())
            }
            Command::Flush { producer } => {
                let now = self.now;
                let p = self.producer_mut(producer)?;
                let mut fx = Effects::new(now);
                p.flush(&mut fx);
                self.apply_client_effects(producer, fx);
                Ok(())
            }
            Command::Transaction { producer, op } => {
                let now = self.now;
                // sendOffsetsToTransaction takes the consumer's positions and group.
                let offsets = match op {
                    crate::command::TxnOp::SendOffsets { consumer } => {
                        let c = self.consumer_mut(consumer)?;
                        let group = c.config.group_id.clone().ok_or_else(|| {
                            CommandError::Invalid(format!(
                                "{consumer} has no group.id: sendOffsetsToTransaction commits a group's offsets"
                            ))
                        })?;
                        let positions: Vec<(crate::protocol::TopicPartition, u64)> =
                            c.positions.iter().map(|(tp, o)| (tp.clone(), *o)).collect();
                        if positions.is_empty() {
                            return Err(CommandError::Invalid(format!("{consumer} has no positions to send yet")));
                        }
                        Some((group, c.group_metadata(), positions))
                    }
                    _ => None,
                };
                let p = self.producer_mut(producer)?;
                let mut fx = Effects::new(now);
                match (op, offsets) {
                    (crate::command::TxnOp::Init, _) => p.init_transactions(&mut fx)?,
                    (crate::command::TxnOp::Begin, _) => p.begin_transaction(&mut fx)?,
                    (crate::command::TxnOp::Commit, _) => p.commit_transaction(&mut fx)?,
                    (crate::command::TxnOp::Abort, _) => p.abort_transaction(&mut fx)?,
                    (crate::command::TxnOp::SendOffsets { .. }, Some((group, member, offsets))) => {
                        p.send_offsets_to_transaction(group, member, offsets, &mut fx)?
                    }
                    (crate::command::TxnOp::SendOffsets { .. }, None) => {}
                }
                self.apply_client_effects(producer, fx);
                Ok(())
            }
            Command::Poll { consumer } => {
                let now = self.now;
                let c = self.consumer_mut(consumer)?;
                let mut fx = Effects::new(now);
                c.poll(&mut fx);
                self.apply_client_effects(consumer, fx);
                Ok(())
            }
            Command::Advance(d) => {
                if d.ms > limits::ADVANCE_MS_MAX {
                    return Err(CommandError::Limit(format!(
                        "advance at most {} at a time",
                        Duration::from_ms(limits::ADVANCE_MS_MAX)
                    )));
                }
                self.advance(*d);
                Ok(())
            }
            Command::BrokerStop(id) => {
                self.check_broker(*id, true)?;
                self.stop_broker(*id, false);
                Ok(())
            }
            Command::BrokerStart(id) => {
                self.check_broker(*id, false)?;
                self.start_broker(*id);
                Ok(())
            }
            Command::BrokerShutdown(id) => {
                self.check_broker(*id, true)?;
                self.with_broker(*id, |b, fx| b.begin_shutdown(fx));
                Ok(())
            }
            Command::NetworkCut(a, b) => self.set_link(a, b, true),
            Command::NetworkHeal(a, b) => self.set_link(a, b, false),
            Command::NetworkDelay(a, b, d) => self.set_delay(a, b, *d),
            Command::NetworkIsolate(n) => self.isolate(n),
            // A checkpoint changes nothing; `trace::run` and the page evaluate it.
            Command::Expect(e) => {
                // Changes nothing in the cluster; remembers whether it held here, for a checklist
                // that shows a scenario's mid-way checkpoints as passed.
                if self.checkpoints.len() < limits::CHECKPOINTS_REMEMBERED_MAX {
                    let held = e.evaluate(&self.view()).is_ok();
                    self.checkpoints.push(held);
                }
                Ok(())
            }
        }
    }

    fn cluster(&self) -> Result<&Cluster, CommandError> {
        self.cluster.as_ref().ok_or(CommandError::NoCluster)
    }

    fn cluster_mut(&mut self) -> Result<&mut Cluster, CommandError> {
        self.cluster.as_mut().ok_or(CommandError::NoCluster)
    }

    fn start_cluster(&mut self, brokers: u32, latency: Duration, config: BrokerConfig) -> Result<(), CommandError> {
        if self.cluster.is_some() {
            return Err(CommandError::ClusterExists);
        }
        if !(1..=limits::BROKERS_MAX).contains(&brokers) {
            return Err(CommandError::Limit(format!("a cluster has 1 to {} brokers", limits::BROKERS_MAX)));
        }
        if latency.ms > limits::LATENCY_MS_MAX {
            return Err(CommandError::Limit(format!("link latency is at most {} ms", limits::LATENCY_MS_MAX)));
        }
        let controller = Controller::new(brokers, true);
        let mut nodes = SortedMap::new();
        // KRaft node ids start at 1, as in Kafka's quickstart configs. Every broker
        // starts registered, unfenced and with the controller's first image.
        for id in 1..=brokers {
            let mut broker = Broker::new(id, config);
            broker.image = controller.metadata.clone();
            nodes.insert(id, broker);
        }
        self.cluster = Some(Cluster {
            brokers: nodes,
            controller,
            net: Network::new(latency),
            topic_defaults: Vec::new(),
            broker_topic_configs: Vec::new(),
        });
        self.emit(EventKind::ClusterStarted { brokers, latency_ms: latency.ms });
        self.elect_controller();
        for id in 1..=brokers {
            self.with_broker(id, |b, fx| b.start(fx));
        }
        Ok(())
    }

    /// Runs `f` on a broker with fresh effects, then applies them.
    fn with_broker(&mut self, id: u32, f: impl FnOnce(&mut Broker, &mut Effects)) {
        let mut fx = Effects::new(self.now);
        let Some(b) = self.cluster.as_mut().and_then(|c| c.brokers.get_mut(&id)) else {
            return;
        };
        f(b, &mut fx);
        self.apply_effects(Node::Broker(id), fx);
    }

    /// Runs `f` on the controller with fresh effects, then applies them as the controller's.
    fn with_controller<T>(&mut self, f: impl FnOnce(&mut Controller, &mut Rng, &mut Effects) -> T) -> Option<T> {
        let mut fx = Effects::new(self.now);
        let cluster = self.cluster.as_mut()?;
        let out = f(&mut cluster.controller, &mut self.rng, &mut fx);
        self.apply_effects(Node::Controller, fx);
        Some(out)
    }

    /// Puts the quorum's choice of active controller in place now.
    fn elect_controller(&mut self) {
        let Some(cluster) = self.cluster.as_ref() else {
            return;
        };
        let choice = quorum::choose(cluster.controller.active, &cluster.controller.voters, &cluster.net);
        let now = self.now;
        self.with_controller(|c, _, fx| c.activate(choice, now, fx));
    }

    /// After a fault, the quorum notices within controller.quorum.fetch.timeout.ms.
    fn schedule_quorum_check(&mut self) {
        let at = self.now + Duration::from_ms(quorum::FETCH_TIMEOUT_MS);
        self.set_timer(Node::Controller, at, Timer::QuorumCheck);
    }

    fn create_topic(
        &mut self,
        name: &str,
        layout: Layout,
        config: TopicConfig,
        auto: bool,
    ) -> Result<(), CommandError> {
        let cluster = self.cluster()?;
        let config = config.with_broker_defaults(&cluster.topic_defaults);
        if cluster.controller.active.is_none() {
            return Err(CommandError::Invalid(format!(
                "no active controller (a majority of the voters {} is down or cut off): topics cannot be created",
                crate::protocol::Ids(&cluster.controller.voters)
            )));
        }
        if cluster.controller.metadata.topics.len() >= limits::TOPICS_MAX {
            return Err(CommandError::Limit(format!("a cluster has at most {} topics", limits::TOPICS_MAX)));
        }
        let partitions = match &layout {
            Layout::Manual(a) => a.len() as u32,
            Layout::Placed { partitions, .. } => *partitions,
        };
        if partitions > limits::PARTITIONS_MAX {
            return Err(CommandError::Limit(format!("a topic has at most {} partitions", limits::PARTITIONS_MAX)));
        }
        let now = self.now;
        let cluster = self.cluster.as_mut().ok_or(CommandError::NoCluster)?;
        let mut fx = Effects::new(now);
        let assignment = cluster.controller.create_topic(&mut self.rng, name, layout, config, &mut fx)?;
        self.emit(EventKind::TopicCreated { topic: name.into(), assignment, auto });
        self.apply_effects(Node::Controller, fx);
        Ok(())
    }

    /// DeleteGroups, answered by the group's coordinator: the running leader of its offsets partition.
    fn delete_group(&mut self, group: &str) -> Result<(), CommandError> {
        let cluster = self.cluster()?;
        let partitions = cluster.controller.metadata.topics.get(OFFSETS_TOPIC).map_or(0, |t| t.partitions.len());
        let p = crate::group::coordinator::partition_for(group, partitions as u32);
        let tp = crate::protocol::TopicPartition::new(OFFSETS_TOPIC, p);
        let coordinator = cluster
            .controller
            .metadata
            .partition(&tp)
            .and_then(|p| p.leader)
            .filter(|b| !cluster.net.is_down(&Node::Broker(*b)));
        let Some(id) = coordinator else {
            return Err(CommandError::Kafka(KafkaError::CoordinatorNotAvailable));
        };
        #[cfg(feature = "share-groups")]
        if cluster.brokers.get(&id).is_some_and(|b| b.coordinator.share_groups.contains_key(group)) {
            // Kafka deletes an empty share group (`kafka-share-groups --delete`) after its share
            // coordinators delete every share-partition's state (DeleteShareGroupState); the
            // simulation does not model that, and says so rather than "not found".
            return Err(CommandError::Limit(alloc::format!(
                "{group} is a share group: deleting a share group (kafka-share-groups --delete, which also deletes its share-partitions' state in __share_group_state) is not modelled"
            )));
        }
        let mut fx = Effects::new(self.now);
        let result = match self.cluster.as_mut().and_then(|c| c.brokers.get_mut(&id)) {
            Some(b) => b.delete_group(group, &mut fx),
            None => Err(KafkaError::CoordinatorNotAvailable),
        };
        self.apply_effects(Node::Broker(id), fx);
        result.map_err(CommandError::Kafka)
    }

    /// DeleteRecords, answered by the partition's leader.
    fn delete_records(&mut self, tp: &crate::protocol::TopicPartition, offset: u64) -> Result<(), CommandError> {
        let cluster = self.cluster()?;
        let leader = cluster.controller.metadata.partition(tp).map(|p| p.leader);
        let id = match leader {
            None => return Err(CommandError::Kafka(KafkaError::UnknownTopicOrPartition)),
            Some(None) => return Err(CommandError::Kafka(KafkaError::LeaderNotAvailable)),
            Some(Some(id)) if cluster.net.is_down(&Node::Broker(id)) => {
                return Err(CommandError::Kafka(KafkaError::LeaderNotAvailable))
            }
            Some(Some(id)) => id,
        };
        let mut fx = Effects::new(self.now);
        let result = match self.cluster.as_mut().and_then(|c| c.brokers.get_mut(&id)) {
            Some(b) => b.delete_records(tp, offset, &mut fx),
            None => Err(KafkaError::LeaderNotAvailable),
        };
        self.apply_effects(Node::Broker(id), fx);
        result.map(|_| ()).map_err(CommandError::Kafka)
    }

    /// CreatePartitions through the active controller.
    fn alter_partitions(&mut self, name: &str, total: u32) -> Result<(), CommandError> {
        let cluster = self.cluster()?;
        if cluster.controller.active.is_none() {
            return Err(CommandError::Invalid("no active controller: partitions cannot be added".into()));
        }
        if name == OFFSETS_TOPIC || name == TRANSACTION_STATE_TOPIC {
            return Err(CommandError::Kafka(KafkaError::InvalidRequest(format!(
                "{name} keeps its 50 partitions: which broker coordinates a group or a transaction depends on it"
            ))));
        }
        if total > limits::PARTITIONS_MAX {
            return Err(CommandError::Limit(format!("a topic has at most {} partitions", limits::PARTITIONS_MAX)));
        }
        let now = self.now;
        let cluster = self.cluster.as_mut().ok_or(CommandError::NoCluster)?;
        let mut fx = Effects::new(now);
        let added = cluster.controller.create_partitions(&mut self.rng, name, total, &mut fx)?;
        self.emit(EventKind::PartitionsAdded { topic: name.into(), total, assignment: added });
        self.apply_effects(Node::Controller, fx);
        Ok(())
    }

    fn bootstrap(&self, name: &str) -> Result<Vec<u32>, CommandError> {
        let cluster = self.cluster()?;
        if self.clients.contains_key(name) {
            return Err(CommandError::ClientExists(name.into()));
        }
        if self.clients.len() >= limits::CLIENTS_MAX {
            return Err(CommandError::Limit(format!("at most {} clients", limits::CLIENTS_MAX)));
        }
        // bootstrap.servers lists every broker.
        Ok(cluster.brokers.keys().copied().collect())
    }

    /// `ProducerConfig.maybeOverrideClientId`: `producer-<transactional.id>`, else `producer-N`.
    fn default_producer_client_id(&mut self, config: &mut ProducerConfig) {
        if config.client_id.is_empty() {
            config.client_id = match &config.transactional_id {
                Some(id) => format!("producer-{id}"),
                None => {
                    self.client_id_sequences.0 += 1;
                    format!("producer-{}", self.client_id_sequences.0)
                }
            };
        }
    }

    fn add_client(&mut self, client: Client) {
        let name = client.connection().name.clone();
        self.emit(EventKind::ClientCreated { name: name.clone(), kind: client.kind() });
        self.clients.insert(name.into(), client);
    }

    /// A client's process dies: nothing is sent any more (no commit, no
    /// LeaveGroup, no heartbeat); brokers learn only by its silence.
    fn crash_client(&mut self, name: &str) -> Result<(), CommandError> {
        let node = Node::Client(name.into());
        let cluster = self.cluster.as_ref().ok_or(CommandError::NoCluster)?;
        if cluster.net.is_down(&node) {
            return Err(CommandError::Invalid(format!("'{name}' has already crashed")));
        }
        match self.client_mut(name)? {
            Client::Producer(p) => p.closed = true,
            Client::Consumer(c) => {
                c.closed = true;
                c.looping = false;
            }
            #[cfg(feature = "share-groups")]
            Client::ShareConsumer(c) => {
                c.closed = true;
                c.looping = false;
            }
        }

        if let Some(cluster) = self.cluster.as_mut() {
            cluster.net.set_down(&node, true);
        }
        self.drop_timers(&node);
        self.emit(EventKind::ClientCrashed { name: name.into() });
        // A consume-transform-produce application's producer lives in the same process.
        let partner = format!("{name}{PIPELINE_PRODUCER_SUFFIX}");
        let partner_down = self.cluster.as_ref().is_some_and(|c| c.net.is_down(&Node::Client(partner.as_str().into())));
        if self.clients.contains_key(partner.as_str()) && !partner_down {
            self.crash_client(&partner)?;
        }
        Ok(())
    }

    fn client_mut(&mut self, name: &str) -> Result<&mut Client, CommandError> {
        self.clients.get_mut(name).ok_or_else(|| CommandError::UnknownClient(name.into()))
    }

    /// A producer that is not closed, for a command (Java's IllegalStateException after close).
    fn producer_mut(&mut self, name: &str) -> Result<&mut Producer, CommandError> {
        match self.client_mut(name)? {
            Client::Producer(p) if p.closed => {
                Err(CommandError::Invalid("Cannot perform operation after producer has been closed".into()))
            }
            Client::Producer(p) => Ok(p),
            _ => Err(CommandError::WrongClientKind { name: name.into(), expected: "producer" }),
        }
    }

    #[cfg(feature = "share-groups")]
    fn is_share_consumer(&self, name: &str) -> bool {
        // Without share groups none exists, and their code is left out of the build.
        matches!(self.clients.get(name), Some(Client::ShareConsumer(_)))
    }

    /// A share consumer that is not closed, for a command.
    #[cfg(feature = "share-groups")]
    fn share_consumer_mut(&mut self, name: &str) -> Result<&mut ShareConsumer, CommandError> {
        match self.client_mut(name)? {
            Client::ShareConsumer(c) if c.closed => {
                Err(CommandError::Invalid("This consumer has already been closed.".into()))
            }
            Client::ShareConsumer(c) => Ok(c),
            _ => Err(CommandError::WrongClientKind { name: name.into(), expected: "share consumer" }),
        }
    }

    /// A consumer that is not closed, for a command.
    fn consumer_mut(&mut self, name: &str) -> Result<&mut Consumer, CommandError> {
        match self.client_mut(name)? {
            Client::Consumer(c) if c.closed => {
                Err(CommandError::Invalid("This consumer has already been closed.".into()))
            }
            Client::Consumer(c) => Ok(c),
            _ => Err(CommandError::WrongClientKind { name: name.into(), expected: "consumer" }),
        }
    }

    fn check_broker(&self, id: u32, want_running: bool) -> Result<(), CommandError> {
        let cluster = self.cluster()?;
        if !cluster.brokers.contains_key(&id) {
            return Err(CommandError::UnknownBroker(id));
        }
        let down = cluster.net.is_down(&Node::Broker(id));
        if want_running && down {
            return Err(CommandError::Invalid(format!("broker-{id} is already stopped")));
        }
        if !want_running && !down {
            return Err(CommandError::Invalid(format!("broker-{id} is already running")));
        }
        Ok(())
    }

    /// A crash: the process dies, in-memory state is lost, messages to and from it are lost.
    fn stop_broker(&mut self, id: u32, clean: bool) {
        let Some(cluster) = self.cluster.as_mut() else {
            return;
        };
        if let Some(b) = cluster.brokers.get_mut(&id) {
            b.crash();
            b.clean_shutdown = clean;
        }
        cluster.net.set_down(&Node::Broker(id), true);
        self.drop_timers(&Node::Broker(id));
        self.emit(EventKind::BrokerStopped { id, clean });
        // Connections to it reset: clients learn of their requests in flight at once.
        let Some(cluster) = self.cluster.as_ref() else {
            return;
        };
        let latency = cluster.net.default_latency();
        let broken: Vec<(Node, u32)> = self
            .clients
            .iter()
            .flat_map(|(name, c)| {
                c.connection()
                    .in_flight()
                    .filter(|(_, r)| r.broker == id)
                    .map(|(&corr, _)| (Node::Client(name.clone()), corr))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (client, corr) in broken {
            self.set_timer(client, self.now + latency, Timer::Disconnected(corr));
        }
        self.schedule_quorum_check();
    }

    /// A consumer's application sends a dead letter with its own producer
    /// (`NAME-dlq`, created with default configs on first use).
    /// Creates a consume-transform-produce application's producer `<consumer>-out`:
    /// transactional (id `<consumer>-out`, initialized at once) for commit=transaction.
    fn start_pipeline(&mut self, consumer: &str, processing: &crate::command::Processing) -> Result<(), CommandError> {
        let name = format!("{consumer}{PIPELINE_PRODUCER_SUFFIX}");
        let transactional = processing.commit == crate::command::CommitMode::Transaction;
        if self.clients.contains_key(name.as_str()) {
            return Err(CommandError::ClientExists(name));
        }
        let mut pairs = alloc::vec![(String::from("linger.ms"), String::from("0"))];
        if transactional {
            // One transactional.id per group: a restarted instance of the application takes it
            // over and so fences the crashed one, aborting what it left open (one instance per
            // group at a time, as Kafka's first exactly-once design had one id per input).
            let group = match self.clients.get(consumer) {
                Some(Client::Consumer(c)) => c.config.group_id.clone().unwrap_or_default(),
                _ => String::new(),
            };
            pairs.push(("transactional.id".into(), format!("{group}-pipeline")));
        }
        let mut config = ProducerConfig::parse(&pairs)?;
        let bootstrap = self.bootstrap(&name)?;
        self.default_producer_client_id(&mut config);
        let seed = self.rng.next_u64();
        self.add_client(Client::Producer(Producer::new(name.clone(), config, bootstrap, seed)));
        if transactional {
            let mut fx = Effects::new(self.now);
            if let Ok(p) = self.producer_mut(&name) {
                p.init_transactions(&mut fx)?;
            }
            self.apply_effects(self.client_node(&name), fx);
        }
        Ok(())
    }

    /// A consume-transform-produce application's call on its producer; a refusal is told, never dropped.
    fn pipeline_op(&mut self, consumer: &str, op: crate::effects::PipelineOp) {
        use crate::effects::PipelineOp;
        let name = format!("{consumer}{PIPELINE_PRODUCER_SUFFIX}");
        let now = self.now;
        let mut fx = Effects::new(now);
        let result = match self.producer_mut(&name) {
            Ok(p) => match op {
                PipelineOp::Begin => p.begin_transaction(&mut fx),
                PipelineOp::Send(record) => p.send(record, &mut fx),
                PipelineOp::Commit { group, member, offsets } => {
                    let sent = if offsets.is_empty() {
                        Ok(())
                    } else {
                        p.send_offsets_to_transaction(group, member, offsets, &mut fx)
                    };
                    sent.and_then(|()| p.commit_transaction(&mut fx))
                }
            },
            Err(e) => Err(e),
        };
        self.apply_effects(self.client_node(&name), fx);
        if let Err(e) = result {
            self.emit(EventKind::PipelineRefused { consumer: consumer.into(), error: format!("{e}") });
        }
    }

    /// A pipeline producer's transaction ended; one that must abort is aborted first; a producer
    /// that failed for good ends the application.
    fn pipeline_ended(&mut self, producer: &str, end: PipelineEnd) {
        let now = self.now;
        let mut fx = Effects::new(now);
        if end == PipelineEnd::MustAbort {
            if let Ok(p) = self.producer_mut(producer) {
                let _ = p.abort_transaction(&mut fx);
            }
            self.apply_effects(self.client_node(producer), fx);
            return;
        }
        let consumer = String::from(producer.trim_end_matches(PIPELINE_PRODUCER_SUFFIX));
        if let Some(Client::Consumer(c)) = self.clients.get_mut(consumer.as_str()) {
            match end {
                PipelineEnd::Fatal(error) => c.pipeline_failed(error, &mut fx),
                _ => c.pipeline_done(&mut fx),
            }
        }
        self.apply_effects(self.client_node(&consumer), fx);
    }

    fn dead_letter(&mut self, consumer: &str, record: ProducerRecord<'static>) {
        let name = format!("{consumer}-dlq");
        if !self.clients.contains_key(name.as_str()) {
            let Ok(bootstrap) = self.bootstrap(&name) else {
                return;
            };
            let seed = self.rng.next_u64();
            self.add_client(Client::Producer(Producer::new(name.clone(), ProducerConfig::default(), bootstrap, seed)));
        }
        let now = self.now;
        let mut fx = Effects::new(now);
        let sent = match self.clients.get_mut(name.as_str()) {
            Some(Client::Producer(p)) => p.send(record, &mut fx),
            _ => return,
        };
        if let Err(e) = sent {
            self.emit(EventKind::DeadLetterRefused { consumer: consumer.into(), error: format!("{e}") });
        }
        self.apply_effects(self.client_node(&name), fx);
    }

    /// A consumer's poll loop fetches all the time; only fetches that bring records are news.
    fn is_background(&self, from: &Node, to: &Node, message: &Message) -> bool {
        let looping = |n: &Node| match n {
            Node::Client(name) => matches!(self.clients.get(name), Some(Client::Consumer(c)) if c.looping),
            _ => false,
        };
        match &message.body {
            Body::Request(Request::Fetch { replica_id: None, .. }) => looping(from),
            Body::Response(Response::Fetch { partitions, .. }) => {
                looping(to) && partitions.iter().all(|p| p.result.as_ref().is_ok_and(|d| d.batches.is_empty()))
            }
            _ => false,
        }
    }

    /// The brokers' configs (every broker of a cluster has the same), Kafka's defaults before a
    /// cluster starts.
    fn broker_config(&self) -> BrokerConfig {
        self.cluster.as_ref().and_then(|c| c.brokers.values().next()).map(|b| b.config).unwrap_or_default()
    }

    /// A dead process's timers die with it.
    fn drop_timers(&mut self, node: &Node) {
        if let Some(timers) = self.timers.remove(node) {
            for &index in timers.values() {
                self.slab[index as usize] = None;
                self.queue_stale += 1;
            }
            self.settle_queue();
        }
    }

    fn start_broker(&mut self, id: u32) {
        let Some(cluster) = self.cluster.as_mut() else {
            return;
        };
        cluster.net.set_down(&Node::Broker(id), false);
        self.emit(EventKind::BrokerStarted { id });
        self.with_broker(id, |b, fx| b.start(fx));
        self.schedule_quorum_check();
    }

    fn set_link(&mut self, a: &str, b: &str, cut: bool) -> Result<(), CommandError> {
        let (na, nb) = (self.node(a)?, self.node(b)?);
        if na == nb {
            return Err(CommandError::Invalid(format!("a link joins two different nodes, not {a} and itself")));
        }
        let cluster = self.cluster_mut()?;
        let changed = if cut { cluster.net.cut(&na, &nb) } else { cluster.net.heal(&na, &nb) };
        if !changed {
            let state = if cut { "already cut" } else { "not cut" };
            return Err(CommandError::Invalid(format!("the link {na} <-> {nb} is {state}")));
        }
        self.emit(if cut { EventKind::LinkCut { a: na, b: nb } } else { EventKind::LinkHealed { a: na, b: nb } });
        self.schedule_quorum_check();
        Ok(())
    }

    fn set_delay(&mut self, a: &str, b: &str, latency: Duration) -> Result<(), CommandError> {
        let (na, nb) = (self.node(a)?, self.node(b)?);
        if na == nb {
            return Err(CommandError::Invalid(format!("a link joins two different nodes, not {a} and itself")));
        }
        if latency.ms > limits::LATENCY_MS_MAX {
            return Err(CommandError::Limit(format!("link latency is at most {} ms", limits::LATENCY_MS_MAX)));
        }
        self.cluster_mut()?.net.set_latency(&na, &nb, latency);
        self.emit(EventKind::LinkDelayed { a: na, b: nb, latency_ms: latency.ms });
        Ok(())
    }

    /// Cuts every link of a node (to all brokers and clients).
    fn isolate(&mut self, text: &str) -> Result<(), CommandError> {
        let node = self.node(text)?;
        let cluster = self.cluster()?;
        let others: Vec<Node> = cluster
            .brokers
            .keys()
            .map(|&id| Node::Broker(id))
            .chain(self.clients.keys().map(|c| Node::Client(c.clone())))
            .filter(|n| *n != node)
            .collect();
        let cluster = self.cluster_mut()?;
        let cut: Vec<Node> = others.into_iter().filter(|o| cluster.net.cut(&node, o)).collect();
        if cut.is_empty() {
            return Err(CommandError::Invalid(format!("{node} is already isolated")));
        }
        for other in cut {
            self.emit(EventKind::LinkCut { a: node.clone(), b: other });
        }
        self.schedule_quorum_check();
        Ok(())
    }

    /// A node named in a command: `broker-N` or an existing client.
    fn node(&self, text: &str) -> Result<Node, CommandError> {
        let cluster = self.cluster()?;
        match Node::parse(text) {
            Node::Broker(id) if cluster.brokers.contains_key(&id) => Ok(Node::Broker(id)),
            Node::Broker(id) => Err(CommandError::UnknownBroker(id)),
            Node::Client(name) if self.clients.contains_key(name.as_str()) => Ok(Node::Client(name)),
            Node::Client(name) => Err(CommandError::UnknownClient(name.into())),
            Node::Controller => Err(CommandError::Invalid("name a broker, not the controller".into())),
        }
    }

    // ----- time -----------------------------------------------------------------------------

    /// Processes everything due up to `now + d`, then sets the clock there.
    pub fn advance(&mut self, d: Duration) {
        let until = self.now + d;
        while self.next_event_at().is_some_and(|at| at <= until) {
            self.step();
        }
        self.sample_lag(until);
        self.now = until;
    }

    /// Samples group lag at the grid points up to `t` (the state before anything at `t` happens).
    fn sample_lag(&mut self, t: Instant) {
        if let Some(due) = self.lag.due(t.ms) {
            let lags = self.group_lags();
            self.lag.record(due, lags);
        }
    }

    /// Each group's total lag, as its coordinator (a running broker) knows its commits:
    /// the sum over committed partitions of high watermark minus committed offset.
    fn group_lags(&self) -> Vec<(String, u64)> {
        let Some(cluster) = self.cluster.as_ref() else {
            return Vec::new();
        };
        // The HW, or the LSO for a group reading committed data only.
        let end = |tp: &crate::protocol::TopicPartition, read_committed: bool| {
            let leader = cluster.controller.metadata.partition(tp).and_then(|p| p.leader)?;
            let r = cluster.brokers.get(&leader)?.replicas.get(tp)?;
            Some(if read_committed { r.log.last_stable_offset(r.high_watermark) } else { r.high_watermark })
        };
        let mut lags: SortedMap<String, u64> = SortedMap::new();
        for b in cluster.brokers.values().filter(|b| !cluster.net.is_down(&Node::Broker(b.id))) {
            for (group, offsets) in &b.coordinator.offsets {
                let rc = crate::view::group_reads_committed(&self.clients, group);
                let lag = offsets.iter().map(|(tp, c)| end(tp, rc).unwrap_or(0).saturating_sub(c.offset)).sum();
                lags.entry(group.clone()).or_insert(lag);
            }
        }
        lags.into_iter().collect()
    }

    /// Each group's lag over simulated time, oldest first (bounded; see `lag`).
    pub fn lag_history(&self) -> impl Iterator<Item = &LagSample> {
        self.lag.samples.iter()
    }

    /// Processes the next scheduled thing (moving the clock to it); false if nothing is scheduled.
    pub fn step(&mut self) -> bool {
        let Some(Slot { at, index, .. }) = self.queue.pop() else {
            return false;
        };
        let item = self.slab[index as usize].take();
        self.free.push(index);
        let Some(item) = item else {
            // The front is never stale (`settle_queue` runs after every change); were it, the
            // slot would be skipped as stale, not followed.
            debug_assert!(false, "a stale slot at the queue's front");
            self.queue_stale = self.queue_stale.saturating_sub(1);
            return true;
        };
        self.settle_queue();
        assert!(at >= self.now, "scheduled {at} before the clock {}", self.now);
        self.sample_lag(at);
        self.now = at;
        match item {
            Scheduled::Deliver { from, to, message, sent_at } => self.deliver(from, to, message, sent_at),
            Scheduled::Wake { node, timer } => {
                self.take_timer(&node, &timer);
                self.wake(node, timer)
            }
        }
        true
    }

    /// Cancels a pending timer: its slot stays in the queue, stale, until it comes up.
    fn cancel_timer(&mut self, (node, timer): &(Node, Timer)) {
        if let Some(index) = self.take_timer(node, timer) {
            self.slab[index as usize] = None;
            self.queue_stale += 1;
            self.settle_queue();
        }
    }

    /// Removes a pending timer from the index: its slab index. A node's map stays when empty
    /// (most hold one request timeout at a time, set and cancelled over and over); it goes
    /// with the node's process (`drop_timers`).
    fn take_timer(&mut self, node: &Node, timer: &Timer) -> Option<u32> {
        self.timers.get_mut(node)?.remove(timer)
    }

    /// Drops the stale timers at the queue's front, so that its front is what happens next; and
    /// once most of the queue is stale, drops them all. Most timers are request timeouts,
    /// cancelled by their answer milliseconds after they were set and due only 30 s later: a busy
    /// cluster's queue was 99% stale (34,800 slots, 370 live), and every push and pop walked
    /// that much deeper a heap.
    fn settle_queue(&mut self) {
        while let Some(slot) = self.queue.peek().filter(|slot| self.slab[slot.index as usize].is_none()) {
            self.free.push(slot.index);
            self.queue.pop();
            debug_assert!(self.queue_stale > 0, "a stale timer was counted when it went stale");
            self.queue_stale = self.queue_stale.saturating_sub(1);
        }
        if self.queue_stale > QUEUE_STALE_MIN && self.queue_stale * 2 > self.queue.len() {
            self.compact_queue();
        }
    }

    /// Keeps the live slots of the queue only (their order is their own: `(at, seq)`).
    fn compact_queue(&mut self) {
        let (slab, free) = (&self.slab, &mut self.free);
        self.queue.retain(|slot| {
            let live = slab[slot.index as usize].is_some();
            if !live {
                free.push(slot.index);
            }
            live
        });
        self.queue_stale = 0;
    }

    /// The broker a node's traffic really leaves from or arrives at.
    /// Borrowed for every node but the controller: a message's ends are looked at, not copied.
    fn host<'a>(&self, node: &'a Node) -> Option<alloc::borrow::Cow<'a, Node>> {
        match node {
            Node::Controller => {
                self.cluster.as_ref()?.controller.active.map(|id| alloc::borrow::Cow::Owned(Node::Broker(id)))
            }
            other => Some(alloc::borrow::Cow::Borrowed(other)),
        }
    }

    fn deliver(&mut self, from: Node, to: Node, message: Message, sent_at: Instant) {
        let sent_ms = Some(sent_at.ms);
        let (Some(via_from), Some(via_to)) = (self.host(&from), self.host(&to)) else {
            let api = api_of(&message);
            self.emit(EventKind::Lost { from, to, api, why: Loss::NoController, sent_ms });
            return;
        };
        let Some(cluster) = self.cluster.as_mut() else {
            return;
        };
        if let Err(why) = cluster.net.check(&via_from, &via_to) {
            let api = api_of(&message);
            self.break_connection(&from, &to, why);
            self.emit(EventKind::Lost { from: from.clone(), to, api, why, sent_ms });
            self.refuse(&from, why, &message);
            return;
        }
        let mut fx = Effects::new(self.now);
        match &to {
            Node::Controller => cluster.controller.handle(from, message, &mut fx),
            Node::Broker(id) => {
                if let Some(b) = cluster.brokers.get_mut(id) {
                    b.handle(from, message, &mut fx);
                }
            }
            Node::Client(name) => {
                if let Body::Response(response) = message.body {
                    match self.clients.get_mut(name) {
                        Some(Client::Producer(p)) => p.on_response(message.correlation_id, response, &mut fx),
                        Some(Client::Consumer(c)) => c.on_response(message.correlation_id, response, &mut fx),
                        #[cfg(feature = "share-groups")]
                        Some(Client::ShareConsumer(c)) => c.on_response(message.correlation_id, response, &mut fx),
                        None => {}
                    }
                }
            }
        }
        self.apply_effects(to, fx);
    }

    fn wake(&mut self, node: Node, timer: Timer) {
        let Some(cluster) = self.cluster.as_mut() else {
            return;
        };
        if timer == Timer::QuorumCheck {
            self.elect_controller();
            return;
        }
        let mut fx = Effects::new(self.now);
        match &node {
            Node::Controller => {
                let host_up = cluster.controller.active.is_some_and(|h| !cluster.net.is_down(&Node::Broker(h)));
                if !host_up {
                    return;
                }
                cluster.controller.on_timer(timer, &mut fx);
            }
            Node::Broker(id) => {
                if let Some(b) = cluster.brokers.get_mut(id) {
                    b.on_timer(timer, &mut fx);
                }
            }
            Node::Client(name) => {
                // A request timeout or a reset closes the client's connection to its broker: a
                // broken one carries messages again once the client connects anew.
                if let (Timer::RequestTimeout(id) | Timer::Disconnected(id) | Timer::Refused(id), Some(c)) =
                    (&timer, self.clients.get(name))
                {
                    if let Some(broker) = c.connection().broker_of(*id) {
                        cluster.net.reconnect(&node, &Node::Broker(broker));
                    }
                }
                match self.clients.get_mut(name) {
                    Some(Client::Producer(p)) => p.on_timer(timer, &mut fx),
                    Some(Client::Consumer(c)) => c.on_timer(timer, &mut fx),
                    #[cfg(feature = "share-groups")]
                    Some(Client::ShareConsumer(c)) => c.on_timer(timer, &mut fx),
                    None => {}
                }
            }
        }
        self.apply_effects(node, fx);
    }

    /// A message between a client and a broker was lost to a cut: the connection is broken
    /// while the client still waits on a request in it (that request's timeout, or the reset
    /// of a broker that stops, closes it); a client waiting on nothing there opens a new
    /// connection with its next request.
    fn break_connection(&mut self, from: &Node, to: &Node, why: Loss) {
        let ((Node::Client(name), Node::Broker(broker)) | (Node::Broker(broker), Node::Client(name))) = (from, to)
        else {
            return;
        };
        let waiting =
            self.clients.get(name).is_some_and(|c| c.connection().in_flight().any(|(_, r)| r.broker == *broker));
        if let (Loss::LinkCut, true, Some(cluster)) = (why, waiting, self.cluster.as_mut()) {
            cluster.net.break_connection(from, to);
        }
    }

    /// Carries out what a node asked for, in the order it asked.
    /// A client's effects. Its address (its shared name) is taken only when something needs it:
    /// most `send`s only add a record to a batch and say so.
    fn apply_client_effects(&mut self, name: &str, fx: Effects) {
        // A transaction's end may move a consume-transform-produce pipeline on (`apply_effects`).
        let txn_step = fx.events.iter().any(|e| matches!(e, EventKind::ProducerTxn { .. }));
        if fx.is_events_only() && !txn_step {
            let mut events = fx.events;
            for event in events.drain(..) {
                self.emit(event);
            }
            if events.capacity() <= SPARE_EVENTS_CAPACITY_MAX {
                self.spare_events.0 = events;
            }
            return;
        }
        let node = self.client_node(name);
        self.apply_effects(node, fx);
    }

    /// A client's address, sharing the name its entry is kept under.
    fn client_node(&self, name: &str) -> Node {
        Node::Client(self.clients.get_key_value(name).map_or_else(|| name.into(), |(key, _)| key.clone()))
    }

    fn apply_effects(&mut self, me: Node, fx: Effects) {
        // A transaction of a consume-transform-produce producer ended: its consumer goes on.
        let pipeline_ends: Vec<(String, PipelineEnd)> = fx
            .events
            .iter()
            .filter_map(|e| match e {
                EventKind::ProducerTxn { producer, step } if producer.ends_with(PIPELINE_PRODUCER_SUFFIX) => match step
                {
                    TxnStep::Committed | TxnStep::Aborted { .. } => Some((producer.clone(), PipelineEnd::Done)),
                    TxnStep::Fatal { error } => Some((producer.clone(), PipelineEnd::Fatal(error.clone()))),
                    TxnStep::MustAbort { .. } => Some((producer.clone(), PipelineEnd::MustAbort)),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        for event in fx.events {
            self.emit(event);
        }
        for topic in fx.create_topics {
            // Auto-created topics take the broker defaults; a refusal is said in the event log
            // and the producer keeps seeing LEADER_NOT_AVAILABLE until max.block.ms.
            let exists = self.cluster.as_ref().is_some_and(|c| c.controller.metadata.topics.contains_key(&topic));
            if !exists {
                let internal = self.broker_config().internal;
                let (layout, config) = if topic == TRANSACTION_STATE_TOPIC {
                    // transaction.state.log.num.partitions, .replication.factor (refused above the
                    // brokers registered, as Kafka's placer refuses it) and .min.isr, compacted.
                    let layout = Layout::Placed {
                        partitions: internal.txn_partitions,
                        replication_factor: internal.txn_replication_factor,
                    };
                    // The script's parser takes only values of at least 1; a settings value made
                    // otherwise falls back to compaction alone rather than stop the simulation.
                    debug_assert!(internal.txn_min_isr >= 1, "transaction.state.log.min.isr is at least 1");
                    let min_isr = alloc::format!("{}", internal.txn_min_isr);
                    let compact = [("cleanup.policy", "compact")];
                    let config = TopicConfig::from_pairs([compact[0], ("min.insync.replicas", min_isr.as_str())])
                        .or_else(|_| TopicConfig::from_pairs(compact))
                        .unwrap_or_default();
                    (layout, config)
                } else if cfg!(feature = "share-groups") && topic == crate::broker::share_coordinator::SHARE_STATE_TOPIC
                {
                    // share.coordinator.state.topic.num.partitions (50), its replication factor
                    // and min ISR shaped as the other state topics' (Kafka's defaults 3 and 2; the
                    // quickstart's 1 on a single broker), cleanup.policy=delete as KIP-932 defines,
                    // retention.ms=-1 as `shareGroupStateTopicConfigs` sets: a share-partition's
                    // updates mean nothing without the snapshot before them, so time must not
                    // delete it (Kafka's coordinator prunes below its oldest needed snapshot).
                    let layout = Layout::Placed {
                        partitions: crate::broker::share_coordinator::SHARE_STATE_PARTITIONS,
                        replication_factor: internal.txn_replication_factor,
                    };
                    let min_isr = alloc::format!("{}", internal.txn_min_isr);
                    let config =
                        TopicConfig::from_pairs([("min.insync.replicas", min_isr.as_str()), ("retention.ms", "-1")])
                            .unwrap_or_default();
                    (layout, config)
                } else if topic == OFFSETS_TOPIC {
                    // offsets.topic.num.partitions and offsets.topic.replication.factor, compacted.
                    let layout = Layout::Placed {
                        partitions: internal.offsets_partitions,
                        replication_factor: internal.offsets_replication_factor,
                    };
                    let config = TopicConfig::from_pairs([("cleanup.policy", "compact")])
                        .expect("cleanup.policy=compact is a valid topic config");
                    (layout, config)
                } else {
                    let defaults = self.broker_config();
                    let layout = Layout::Placed {
                        partitions: defaults.num_partitions,
                        replication_factor: defaults.default_replication_factor,
                    };
                    (layout, TopicConfig::default())
                };
                if let Err(error) = self.create_topic(&topic, layout, config, true) {
                    self.emit(EventKind::TopicCreateFailed { topic, error: format!("{error}") });
                }
            }
        }
        for (to, message) in fx.sends {
            let (via_from, via_to) = (self.host(&me), self.host(&to));
            let Some(cluster) = self.cluster.as_mut() else {
                return;
            };
            let sent = match (via_from, via_to) {
                (Some(f), Some(t)) => cluster.net.send(&f, &t, self.now),
                _ => Err(Loss::NoController),
            };
            match sent {
                Ok(at) => {
                    let background = self.is_background(&me, &to, &message);
                    self.emit(EventKind::Sent {
                        from: me.clone(),
                        to: to.clone(),
                        message: alloc::boxed::Box::new(message.clone()),
                        background,
                    });
                    let sent_at = self.now;
                    self.schedule(at, Scheduled::Deliver { from: me.clone(), to, message, sent_at });
                }
                Err(why) => {
                    let api = api_of(&message);
                    self.break_connection(&me, &to, why);
                    self.emit(EventKind::Lost { from: me.clone(), to, api, why, sent_ms: None });
                    self.refuse(&me, why, &message);
                }
            }
        }
        for timer in fx.cancels {
            self.cancel_timer(&(me.clone(), timer));
        }
        for (at, timer) in fx.timers {
            self.set_timer(me.clone(), at, timer);
        }
        if fx.stop_self {
            if let Node::Broker(id) = &me {
                self.stop_broker(*id, true);
            }
        }
        if let Node::Client(name) = &me {
            for record in fx.produce {
                self.dead_letter(name, record);
            }
            for op in fx.pipeline {
                self.pipeline_op(name, op);
            }
            for (producer, end) in pipeline_ends {
                self.pipeline_ended(&producer, end);
            }
            if fx.crash_self {
                // Already crashed is the only refusal, and it cannot happen to a process still running.
                let _ = self.crash_client(name);
            }
        }
    }

    /// A request to a crashed process is refused, not silently lost: the
    /// sender's connection breaks one link latency later (a TCP reset). A cut
    /// link gives no such sign; the sender waits for its request timeout.
    fn refuse(&mut self, sender: &Node, why: Loss, message: &Message) {
        let Body::Request(_) = message.body else {
            return;
        };
        if why != Loss::ReceiverDown || matches!(sender, Node::Controller) {
            return;
        }
        let Some(cluster) = self.cluster.as_ref() else {
            return;
        };
        if cluster.net.is_down(sender) {
            return;
        }
        let at = self.now + cluster.net.default_latency();
        self.set_timer(sender.clone(), at, Timer::Refused(message.correlation_id));
    }

    /// Schedules a timer; one set again replaces the earlier one (linger.ms of a newer batch).
    fn set_timer(&mut self, node: Node, at: Instant, timer: Timer) {
        // The earlier one goes stale; it is counted as such once the new one is in the queue.
        // A request timeout names the request's correlation id, new with each request (a
        // restarted process's timers died with it): there is none to replace, and most timers
        // set are request timeouts.
        let replaced = if let Timer::RequestTimeout(_) = timer {
            debug_assert!(
                self.timers.get(&node).is_none_or(|t| t.get(&timer).is_none()),
                "{node}: correlation ids are not reused while a request is pending"
            );
            None
        } else {
            self.take_timer(&node, &timer)
        };
        if let Some(index) = replaced {
            self.slab[index as usize] = None;
        }
        let key = (node.clone(), timer.clone());
        if let Some(index) = self.schedule(at, Scheduled::Wake { node, timer }) {
            let (node, timer) = key;
            self.timers.entry(node).or_default().insert(timer, index);
        }
        if replaced.is_some() {
            self.queue_stale += 1;
            self.settle_queue();
        }
    }

    /// Puts `item` in the queue at `at`; its slab index, or none when the queue is full.
    fn schedule(&mut self, at: Instant, item: Scheduled) -> Option<u32> {
        if self.queue.len() - self.queue_stale >= limits::SCHEDULED_MAX {
            // Deterministic and counted; the view shows the count.
            self.scheduled_dropped += 1;
            return None;
        }
        if self.queue.len() >= 2 * limits::SCHEDULED_MAX {
            // Mostly stale: keep the live ones only (the bound on the heap's memory).
            self.compact_queue();
        }
        let seq = self.next_seq;
        let index = match self.free.pop() {
            Some(i) => {
                self.slab[i as usize] = Some(item);
                i
            }
            None => {
                self.slab.push(Some(item));
                (self.slab.len() - 1) as u32
            }
        };
        self.queue.push(Slot { at, seq, index });
        self.next_seq += 1;
        Some(index)
    }

    fn emit(&mut self, kind: EventKind) {
        if self.events.0.len() >= limits::EVENTS_BUFFERED_MAX {
            self.events.0.pop_front();
            self.events_dropped += 1;
        }
        self.events.0.push_back(Event { at: self.now, kind });
    }

    // ----- outputs --------------------------------------------------------------------------

    /// Messages on the wire now, earliest arrival first, at most `limit`: what the
    /// page draws moving along the links.
    pub fn messages_in_flight(&self, limit: usize) -> Vec<crate::view::MessageView> {
        // The heap in its order, which is not the queue's: the deliveries sorted first.
        let mut on_wire: Vec<&Slot> = self
            .queue
            .iter()
            .filter(|slot| matches!(self.slab[slot.index as usize], Some(Scheduled::Deliver { .. })))
            .collect();
        crate::sort::sort_by_key(&mut on_wire, |slot| (slot.at, slot.seq));
        on_wire
            .into_iter()
            .take(limit)
            .filter_map(|slot| match self.slab[slot.index as usize].as_ref()? {
                Scheduled::Deliver { from, to, message, sent_at } => Some(crate::view::MessageView {
                    from: from.clone(),
                    to: to.clone(),
                    api: api_of(message),
                    response: matches!(message.body, Body::Response(_)),
                    summary: alloc::format!("{message}"),
                    sent_at_ms: sent_at.ms,
                    arrives_at_ms: slot.at.ms,
                }),
                Scheduled::Wake { .. } => None,
            })
            .collect()
    }

    pub(crate) fn parts(&self) -> SimParts<'_> {
        SimParts {
            now: self.now,
            seed: self.seed,
            cluster: self
                .cluster
                .as_ref()
                .map(|c| (&c.brokers, &c.controller, &c.net, c.broker_topic_configs.as_slice())),
            clients: &self.clients,
            scheduled: self.queue.len() - self.queue_stale,
            scheduled_dropped: self.scheduled_dropped,
            events_dropped: self.events_dropped,
        }
    }
}

/// Borrowed internals for building the view.
pub(crate) struct SimParts<'a> {
    pub now: Instant,
    pub seed: u64,
    /// The brokers, the controller, the network and the brokers' topic defaults by their names.
    #[allow(clippy::type_complexity)]
    pub cluster: Option<(&'a SortedMap<u32, Broker>, &'a Controller, &'a Network, &'a [(&'static str, String)])>,
    pub clients: &'a SortedMap<ClientName, Client>,
    pub scheduled: usize,
    pub scheduled_dropped: u64,
    pub events_dropped: u64,
}

fn api_of(message: &Message) -> &'static str {
    match &message.body {
        Body::Request(r) => r.api(),
        Body::Response(r) => r.api(),
    }
}

fn bytes<'a>(field: &str, text: &'a Option<String>, format: Format) -> Result<Option<Cow<'a, [u8]>>, CommandError> {
    match text {
        Some(t) if t.len() > limits::RECORD_FIELD_BYTES_MAX => Err(CommandError::Limit(format!(
            "{field} is {} bytes; the playground takes at most {}",
            t.len(),
            limits::RECORD_FIELD_BYTES_MAX
        ))),
        Some(t) => format.encode(t).map(Some).map_err(|e| CommandError::Invalid(format!("{field}: {e}"))),
        None => Ok(None),
    }
}

fn build_record<'a>(
    topic: TopicName,
    partition: Option<u32>,
    (key, value): (&'a Option<String>, &'a Option<String>),
    (key_format, value_format): (Format, Format),
    headers: &[(String, Option<String>)],
) -> Result<ProducerRecord<'a>, CommandError> {
    Ok(ProducerRecord {
        topic,
        partition,
        key: bytes("key", key, key_format)?,
        value: bytes("value", value, value_format)?,
        headers: headers
            .iter()
            .map(|(k, v)| {
                let value = bytes("header value", v, Format::String)?.map(Cow::into_owned);
                Ok(Header { key: k.clone(), value })
            })
            .collect::<Result<_, CommandError>>()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A timer set again leaves its earlier slot stale in the queue; stale slots at the queue's
    /// front are dropped at once and their slab entries taken again, so neither grows.
    #[test]
    fn a_timer_set_again_keeps_one_live_slot_and_reuses_the_slab() {
        let mut sim = Sim::new(1);
        let node = Node::Client("c".into());
        for i in 0..1_000u64 {
            sim.set_timer(node.clone(), Instant::from_ms(100 + i % 3), Timer::MetadataRefresh);
        }
        assert_eq!(sim.queue.len() - sim.queue_stale, 1, "one live timer");
        assert!(sim.slab.len() <= 4, "stale slots freed as they reach the front: {} entries", sim.slab.len());
        assert!(sim.step(), "the live timer fires");
        assert!(!sim.step(), "the replaced ones never do");
        assert!(sim.timers.values().all(|t| t.is_empty()) && sim.queue.is_empty() && sim.queue_stale == 0);
        assert_eq!(sim.timers.len(), 1, "the node's map stays, empty, for its next timer");
    }

    /// A cancelled timer never fires, and a delivery scheduled after it still does, in order.
    #[test]
    fn a_cancelled_timer_is_skipped_and_the_rest_keep_their_order() {
        let mut sim = Sim::new(1);
        let (a, b) = (Node::Client("a".into()), Node::Client("b".into()));
        sim.set_timer(a.clone(), Instant::from_ms(10), Timer::MetadataRefresh);
        sim.set_timer(b.clone(), Instant::from_ms(20), Timer::MetadataRefresh);
        sim.set_timer(a.clone(), Instant::from_ms(30), Timer::MetadataRetry);
        sim.cancel_timer(&(a.clone(), Timer::MetadataRefresh));
        assert_eq!(sim.next_event_at(), Some(Instant::from_ms(20)), "the front is never stale");
        assert!(sim.step());
        assert_eq!(sim.now, Instant::from_ms(20));
        assert!(sim.step());
        assert_eq!(sim.now, Instant::from_ms(30));
        assert!(!sim.step());
    }
}
