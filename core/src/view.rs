//! A read-only picture of the whole simulation for the UI and the CLI. It is
//! built from the state on request and owns its data, so holding it never
//! holds the simulation.

use crate::broker::Role;
use crate::client::Client;
use crate::net::Node;
use crate::protocol::TopicPartition;
use crate::record::Record;
use crate::sim::Sim;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

mod partition;
pub use partition::ViewCache;

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClusterView {
    pub now_ms: u64,
    pub seed: u64,
    pub brokers: Vec<BrokerView>,
    /// The KRaft quorum voters and the active controller, if any.
    pub voters: Vec<u32>,
    pub active_controller: Option<u32>,
    pub controller_epoch: u32,
    pub topics: Vec<TopicView>,
    pub clients: Vec<Rc<ClientView>>,
    /// Consumer groups, as their coordinators (running brokers) hold them, by name. Share
    /// groups are among them (`group_protocol` "share").
    pub groups: Vec<Rc<GroupView>>,
    /// Share-partitions (KIP-932) as their leaders (running brokers) hold them, by group and partition.
    pub share_partitions: Vec<SharePartitionView>,
    /// Transactional ids, as their coordinators (running brokers) hold them, by id.
    pub transactions: Vec<TransactionView>,
    /// Each group's total lag over simulated time, oldest first (bounded, thinned as it grows).
    pub lag: Vec<crate::lag::LagSample>,
    pub cut_links: Vec<(Node, Node)>,
    /// Links with their own latency: `(a, b, ms)`.
    pub slow_links: Vec<(Node, Node, u64)>,
    pub metrics: Metrics,
    /// Messages and timers waiting in the event queue.
    pub scheduled: usize,
    pub scheduled_dropped: u64,
    pub events_dropped: u64,
    /// The brokers' configs (every broker of the cluster has the same) by Kafka's names.
    pub broker_configs: Vec<(&'static str, String)>,
}

/// What a person would watch on a real cluster, by Kafka's metric names.
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Metrics {
    /// `ActiveControllerCount`, summed over brokers: 1 when healthy.
    pub active_controller_count: u32,
    /// `OfflinePartitionsCount`, as the controller sees it.
    pub offline_partitions_count: usize,
    /// `UnderReplicatedPartitions`, summed over leaders.
    pub under_replicated_partitions: usize,
    /// `IsrShrinksPerSec` and `IsrExpandsPerSec`, as totals since the start.
    pub isr_shrinks: u64,
    pub isr_expands: u64,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BrokerView {
    pub id: u32,
    /// The process runs (not crashed or shut down).
    pub alive: bool,
    /// The controller fenced it (missed heartbeats or restarting).
    pub fenced: bool,
    pub voter: bool,
    pub controller: bool,
    /// How far its metadata copy has got, against the controller's.
    pub metadata_offset: u64,
    /// Partitions this broker leads, by its own metadata.
    pub leader_of: Vec<TopicPartition>,
    /// Every replica this broker holds.
    pub replicas: Vec<ReplicaView>,
}

impl BrokerView {
    /// The broker's state in a word: `stopped` (crashed or shut down), `fenced` (its session with
    /// the controller expired) or `running`.
    pub fn state(&self) -> &'static str {
        if !self.alive {
            "stopped"
        } else if self.fenced {
            "fenced"
        } else {
            "running"
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReplicaView {
    pub tp: TopicPartition,
    /// "leader", "follower" or "idle", by this broker's own metadata.
    pub role: &'static str,
    /// In the ISR by the controller's metadata.
    pub in_isr: bool,
    pub log_end_offset: u64,
    pub high_watermark: u64,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TopicView {
    pub name: String,
    /// Config overrides as `name=value`, sorted.
    pub configs: Vec<(String, String)>,
    /// Shared with earlier views where unchanged ([`Sim::view_with`]).
    pub partitions: Vec<Rc<PartitionView>>,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PartitionView {
    pub partition: u32,
    /// Leader, replicas and ISR by the controller's metadata.
    pub leader: Option<u32>,
    pub leader_epoch: u32,
    pub replicas: Vec<u32>,
    pub isr: Vec<u32>,
    /// Eligible leader replicas (KIP-966): out of the ISR with every committed record.
    pub elr: Vec<u32>,
    /// The leader's log start offset, high watermark and log end offset (0 when offline).
    pub log_start_offset: u64,
    pub high_watermark: u64,
    pub log_end_offset: u64,
    /// Each replica's log end offset, in replica order.
    pub replica_log_end_offsets: Vec<(u32, u64)>,
    /// The leader's segments, oldest first; the last is the active one.
    pub segments: Vec<crate::broker::log::Segment>,
    /// Segments the leader's retention deleted lately, with when (for the page to fade out).
    pub deleted_segments: Vec<(crate::broker::log::Segment, u64)>,
    /// The leader's last compaction: what went and which record of each key stayed.
    pub last_cleaned: Option<crate::broker::log::Cleaned>,
    /// The leader's last stable offset: below it every transaction is decided (read_committed reads to here).
    pub last_stable_offset: u64,
    /// Open transactions on the leader: `(producer id, first offset)`.
    pub open_transactions: Vec<(i64, u64)>,
    /// Aborted transactions on the leader, newest last (the last few).
    pub aborted_transactions: Vec<crate::broker::log::AbortedTxn>,
    /// The leader's stored record batches and their total encoded bytes.
    pub batches: usize,
    pub size_bytes: usize,
    /// Records in the leader's log.
    pub record_count: usize,
    /// The leader's newest records (at most `RECORDS_SHOWN`), oldest first: the view is
    /// taken every frame, and only the batches holding these are decoded for it.
    /// `Sim::partition_records` reads the whole log.
    pub records: Vec<Record>,
}

/// Newest records a partition's view holds.
pub const RECORDS_SHOWN: usize = 40;

/// Shared, not copied: the page hands the clients to several drawers every frame.
#[derive(Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClientView {
    pub name: String,
    /// "producer" or "consumer".
    pub kind: &'static str,
    /// `close()` was called.
    pub closed: bool,
    /// Every simulated config with its effective value.
    pub configs: Vec<(&'static str, String)>,
    pub in_flight: Vec<InFlightView>,
    /// Producer: batches in the accumulator, oldest first per partition.
    pub batches: Vec<BatchView>,
    /// Producer: its idempotent producer id, or why idempotence is off.
    pub producer_id: Option<i64>,
    pub notes: Vec<String>,
    /// Producer: records buffered, acknowledged, failed. Zero for consumers.
    pub buffered_records: usize,
    pub acked_records: u64,
    pub failed_records: u64,
    /// Consumer: assignment with position and last known high watermark.
    pub assignment: Vec<AssignmentView>,
    /// Consumer: what polls returned, newest last (bounded).
    pub received: Vec<(TopicPartition, Record)>,
    /// Consumer: records polls returned in all (`received` keeps the newest).
    pub consumed: u64,
    /// Consumer with a group.id: its membership and known commits.
    pub group: Option<MembershipView>,
    /// Consumer: running a poll loop.
    pub looping: bool,
    /// Transactional producer: its id, state (Java's names) and the partitions in its transaction.
    pub transaction: Option<(String, &'static str, Vec<TopicPartition>)>,
    /// Consumer: isolation.level is read_committed.
    pub read_committed: bool,
    /// Consumer: received records whose `source` header (set by a consume-transform-produce
    /// application) was seen before: the same input written twice downstream.
    pub duplicates: u64,
}

/// A transactional id as its coordinator knows it.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TransactionView {
    pub transactional_id: String,
    pub coordinator: u32,
    pub producer_id: i64,
    pub epoch: i16,
    pub state: crate::txn::TxnState,
    pub partitions: Vec<TopicPartition>,
    pub timeout_ms: u64,
    pub started_ms: Option<u64>,
}

/// A consumer group as its coordinator knows it (`kafka-consumer-groups --describe`). Shared,
/// not copied, as [`ClientView`] is.
#[derive(Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GroupView {
    pub name: String,
    pub coordinator: u32,
    /// Empty, PreparingRebalance, CompletingRebalance or Stable.
    pub state: String,
    pub generation: u32,
    /// The assignor the group chose (the leader's under the classic protocol, the
    /// coordinator's `uniform` or `range` under the consumer protocol).
    pub protocol: Option<String>,
    /// `classic`, `consumer` (KIP-848) or `share` (KIP-932).
    pub group_protocol: &'static str,
    /// The consumer protocol's target assignment epoch (its group epoch is `generation`).
    pub assignment_epoch: u32,
    pub leader: Option<String>,
    pub members: Vec<MemberView>,
    /// One row per partition with a committed offset or an owner, as the CLI prints them.
    pub rows: Vec<GroupRow>,
    /// Records the group's consumers finished processing, counting repeats.
    pub processed: u64,
    /// Records processed more than once (by any members of the group): at-least-once at work.
    pub duplicates: u64,
    /// Records below a committed offset that no member processed, counted from the lowest
    /// offset the group processed in that partition: at-most-once at work.
    pub lost: u64,
}

/// A share-partition at its leader: the SPSO..SPEO window and each in-flight record's state.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SharePartitionView {
    pub group: String,
    pub tp: TopicPartition,
    pub leader: u32,
    /// The share-partition start offset (SPSO).
    pub start_offset: u64,
    /// The share-partition end offset (SPEO): the last offset in flight, or the start offset.
    pub end_offset: u64,
    pub next_fetch_offset: u64,
    pub acquired: usize,
    pub available: usize,
    pub acknowledged: usize,
    pub archived: usize,
    /// The first in-flight records (bounded): offset, state, delivery count, holder.
    pub records: Vec<ShareRecordView>,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ShareRecordView {
    pub offset: u64,
    /// Available, Acquired, Acknowledged or Archived.
    pub state: &'static str,
    pub delivery_count: u16,
    /// The member holding it while Acquired (its client's name).
    pub member: Option<String>,
    /// When its acquisition lock expires, while Acquired.
    pub lock_until_ms: Option<u64>,
}

/// In-flight records a share-partition's view lists.
const SHARE_RECORDS_SHOWN: usize = 64;

#[cfg(feature = "share-groups")]
fn share_partition_views(
    brokers: &crate::sorted::SortedMap<u32, crate::broker::Broker>,
    net: &crate::net::Network,
) -> Vec<SharePartitionView> {
    use crate::group::share_partition::RecordState;
    let mut out = Vec::new();
    for b in brokers.values().filter(|b| !net.is_down(&Node::Broker(b.id))) {
        for ((group, tp), entry) in &b.share.partitions {
            let crate::broker::share::ShareEntry::Ready(sp) = entry else { continue };
            // A member id names its client: the client's name, then `-` and a hash.
            let holder = |m: &str| m.rsplit_once('-').map_or(m, |(name, _)| name).into();
            out.push(SharePartitionView {
                group: group.clone(),
                tp: tp.clone(),
                leader: b.id,
                start_offset: sp.start_offset,
                end_offset: sp.end_offset(),
                next_fetch_offset: sp.next_fetch_offset(),
                acquired: sp.count(RecordState::Acquired),
                available: sp.count(RecordState::Available),
                acknowledged: sp.count(RecordState::Acknowledged),
                archived: sp.count(RecordState::Archived),
                records: sp
                    .in_flight()
                    .take(SHARE_RECORDS_SHOWN)
                    .map(|(offset, r)| ShareRecordView {
                        offset,
                        state: r.state.name(),
                        delivery_count: r.delivery_count,
                        member: r.member.as_deref().map(holder),
                        lock_until_ms: r.lock_until.map(|t| t.ms),
                    })
                    .collect(),
            });
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MemberView {
    pub member_id: String,
    /// The client the member runs in.
    pub client: String,
    pub assignment: Vec<TopicPartition>,
    /// The consumer protocol's member epoch (0 under the classic protocol).
    pub epoch: i32,
    /// The consumer protocol: partitions the member must still give up (it owns them until it
    /// says it revoked them).
    pub revoking: Vec<TopicPartition>,
    /// The consumer protocol: the member's partitions in the group's target assignment.
    pub target: Vec<TopicPartition>,
    /// `group.instance.id` of a static member of the consumer protocol.
    pub instance_id: Option<String>,
}

/// An assignment as `kafka-consumer-groups --describe --members --verbose` writes it
/// (`getAssignmentString`): `topic:0,1;other:2`, topics sorted, `-` for none.
pub fn assignment_string(assignment: &[TopicPartition]) -> String {
    let mut topics: Vec<&str> = assignment.iter().map(|tp| tp.topic.as_str()).collect();
    crate::sort::sort(&mut topics);
    topics.dedup();
    let mut out = String::new();
    for t in topics {
        if !out.is_empty() {
            out.push(';');
        }
        let mut ps: Vec<u32> = assignment.iter().filter(|tp| &*tp.topic == t).map(|tp| tp.partition).collect();
        crate::sort::sort(&mut ps);
        let ps: Vec<String> = ps.iter().map(|p| alloc::format!("{p}")).collect();
        out.push_str(&alloc::format!("{t}:{}", ps.join(",")));
    }
    if out.is_empty() {
        out.push('-');
    }
    out
}

/// A row of `kafka-consumer-groups --describe`.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GroupRow {
    pub tp: TopicPartition,
    /// The committed offset (CURRENT-OFFSET).
    pub current_offset: Option<u64>,
    /// The partition's high watermark (LOG-END-OFFSET as the CLI's ListOffsets answers it).
    pub log_end_offset: u64,
    pub lag: Option<u64>,
    pub member_id: Option<String>,
    pub client: Option<String>,
}

/// A consumer's own view of its group.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MembershipView {
    pub group: String,
    pub subscription: Vec<String>,
    /// A pattern subscription's regex (resolved by the consumer, or by the coordinator).
    pub pattern: Option<String>,
    pub coordinator: Option<u32>,
    pub member_id: String,
    pub generation: Option<u32>,
    /// unjoined, joining, syncing or stable.
    pub state: &'static str,
    pub leader: bool,
    pub committed: Vec<(TopicPartition, u64)>,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InFlightView {
    pub correlation_id: u32,
    pub broker: u32,
    pub api: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AssignmentView {
    pub tp: TopicPartition,
    pub position: Option<u64>,
    pub high_watermark: Option<u64>,
    /// `pause`d: not fetched until `resume`.
    pub paused: bool,
}

impl Sim {
    /// The view, built afresh.
    pub fn view(&self) -> ClusterView {
        self.view_with(&mut ViewCache::default())
    }

    /// The view, reusing from `cache` each partition's view that did not change since the view
    /// the cache last took (the same `Rc`, so a caller can skip it by pointer) and keeping this
    /// one's for the next: for a page that takes the view every frame.
    pub fn view_with(&self, cache: &mut ViewCache) -> ClusterView {
        let parts = self.parts();
        let mut view = ClusterView {
            now_ms: parts.now.ms,
            seed: parts.seed,
            brokers: Vec::new(),
            voters: Vec::new(),
            active_controller: None,
            controller_epoch: 0,
            topics: Vec::new(),
            clients: parts.clients.values().map(|c| Rc::new(client_view(c))).collect(),
            groups: Vec::new(),
            share_partitions: Vec::new(),
            transactions: Vec::new(),
            lag: self.lag_history().cloned().collect(),
            cut_links: Vec::new(),
            slow_links: Vec::new(),
            metrics: Metrics::default(),
            scheduled: parts.scheduled,
            scheduled_dropped: parts.scheduled_dropped,
            events_dropped: parts.events_dropped,
            broker_configs: Vec::new(),
        };
        let Some((brokers, controller, net, topic_defaults)) = parts.cluster else {
            return view;
        };
        view.broker_configs = brokers.values().next().map(|b| b.config.named()).unwrap_or_default();
        view.broker_configs.extend(topic_defaults.iter().cloned());
        crate::sort::sort_by_key(&mut view.broker_configs, |(name, _)| *name);
        let meta = &controller.metadata;
        view.voters = controller.voters.clone();
        view.active_controller = controller.active;
        view.controller_epoch = controller.epoch;
        view.cut_links = net.cut_links().cloned().collect();
        view.slow_links = net.slow_links().map(|((a, b), d)| (a.clone(), b.clone(), d.ms)).collect();
        view.metrics = Metrics {
            active_controller_count: u32::from(controller.active.is_some()),
            offline_partitions_count: controller.offline_partitions(),
            under_replicated_partitions: brokers
                .values()
                .filter(|b| !net.is_down(&Node::Broker(b.id)))
                .map(|b| b.under_replicated_partitions())
                .sum(),
            isr_shrinks: controller.isr_shrinks,
            isr_expands: controller.isr_expands,
        };
        for b in brokers.values() {
            let mut in_order = meta.in_topic_order();
            let replicas = b
                .replicas
                .iter()
                .map(|(tp, r)| ReplicaView {
                    tp: tp.clone(),
                    role: match r.role {
                        Role::Leader(_) => "leader",
                        Role::Follower { .. } => "follower",
                        Role::Idle => "idle",
                    },
                    in_isr: in_order.partition(tp).is_some_and(|p| p.isr.contains(&b.id)),
                    log_end_offset: r.log.log_end_offset(),
                    high_watermark: r.high_watermark,
                })
                .collect();
            view.brokers.push(BrokerView {
                id: b.id,
                alive: !net.is_down(&Node::Broker(b.id)),
                fenced: meta.brokers.get(&b.id).is_some_and(|r| r.fenced),
                voter: controller.voters.contains(&b.id),
                controller: controller.active == Some(b.id),
                metadata_offset: b.image.offset,
                leader_of: b.replicas.iter().filter(|(_, r)| r.is_leader()).map(|(tp, _)| tp.clone()).collect(),
                replicas,
            });
        }
        for t in meta.topics.values() {
            let partitions = cache.topic(t, brokers);
            let configs = t.config.overrides().map(|(k, v)| (k.into(), v.into())).collect();
            view.topics.push(TopicView { name: String::from(t.name.as_str()), configs, partitions });
        }
        cache.retain_seen(&meta.topics);
        view.groups = group_views(brokers, net, &view.topics, parts.clients);
        #[cfg(feature = "share-groups")]
        {
            view.share_partitions = share_partition_views(brokers, net);
        }
        for b in brokers.values().filter(|b| !net.is_down(&Node::Broker(b.id))) {
            for m in b.transactions.txns.values() {
                view.transactions.push(TransactionView {
                    transactional_id: m.transactional_id.clone(),
                    coordinator: b.id,
                    producer_id: m.producer_id,
                    epoch: m.producer_epoch,
                    state: m.state,
                    partitions: m.partitions.iter().cloned().collect(),
                    timeout_ms: m.timeout_ms,
                    started_ms: m.start_ms,
                });
            }
        }
        crate::sort::sort_by(&mut view.transactions, |a, b| a.transactional_id.cmp(&b.transactional_id));
        view.transactions.dedup_by(|a, b| a.transactional_id == b.transactional_id);
        view
    }
}

/// Aborted transactions a partition's view lists.
const ABORTED_SHOWN: usize = 32;

fn client_view(client: &Client) -> ClientView {
    let conn = client.connection();
    let in_flight = conn
        .in_flight()
        .map(|(&id, r)| InFlightView { correlation_id: id, broker: r.broker, api: r.request.api() })
        .collect();
    let mut v = ClientView {
        name: conn.name.clone(),
        kind: client.kind(),
        closed: match client {
            Client::Producer(p) => p.closed,
            Client::Consumer(c) => c.closed,
            #[cfg(feature = "share-groups")]
            Client::ShareConsumer(c) => c.closed,
        },
        configs: Vec::new(),
        in_flight,
        producer_id: None,
        notes: Vec::new(),
        batches: Vec::new(),
        buffered_records: 0,
        acked_records: 0,
        failed_records: 0,
        assignment: Vec::new(),
        received: Vec::new(),
        consumed: 0,
        group: None,
        looping: false,
        transaction: None,
        read_committed: false,
        duplicates: 0,
    };
    match client {
        Client::Producer(p) => {
            v.configs = p.config.describe();
            v.producer_id = p.producer_id.map(|(id, _)| id);
            v.batches = p
                .batches
                .iter()
                .flat_map(|(tp, queue)| {
                    queue.iter().map(move |b| BatchView {
                        tp: tp.clone(),
                        records: b.record_count(),
                        bytes: b.bytes,
                        created_ms: b.created.ms,
                        ready: b.ready,
                        attempts: b.attempts,
                        base_sequence: b.base_sequence,
                    })
                })
                .collect();
            v.notes.extend(p.config.idempotence_note.clone());
            v.transaction = p
                .txn
                .as_ref()
                .map(|t| (t.transactional_id.clone(), t.state.name(), t.partitions.iter().cloned().collect()));
            v.buffered_records = p.buffered_records();
            v.acked_records = p.acked_records;
            v.failed_records = p.failed_records;
        }
        Client::Consumer(c) => {
            v.configs = c.config.describe();
            v.assignment = c
                .assignment
                .iter()
                .map(|tp| AssignmentView {
                    tp: tp.clone(),
                    position: c.positions.get(tp).copied(),
                    paused: c.paused.contains(tp),
                    high_watermark: c.high_watermarks.get(tp).copied(),
                })
                .collect();
            v.received = c.received().cloned().collect();
            v.consumed = c.received.total;
            let mut sources = crate::sorted::SortedSet::new();
            for (_, r) in &v.received {
                if let Some(source) = r.headers.iter().find(|h| h.key == "source").and_then(|h| h.value.as_ref()) {
                    if !sources.insert(source) {
                        v.duplicates += 1;
                    }
                }
            }
            v.read_committed = c.config.isolation_level == crate::protocol::IsolationLevel::ReadCommitted;
            v.looping = c.looping;
            v.group = c.group.as_ref().map(|g| MembershipView {
                group: g.group.clone(),
                subscription: g.subscription.clone(),
                pattern: g.pattern.as_ref().map(|p| p.as_str().into()).or_else(|| g.regex.clone()),
                coordinator: g.coordinator,
                member_id: g.member_id.clone(),
                generation: g.generation,
                state: g.state.name(),
                leader: g.leader,
                committed: g.committed.iter().map(|(tp, o)| (tp.clone(), *o)).collect(),
            });
        }
        #[cfg(feature = "share-groups")]
        Client::ShareConsumer(c) => {
            v.configs = c.config.describe();
            v.assignment = c
                .assignment
                .iter()
                .map(|tp| AssignmentView { tp: tp.clone(), position: None, paused: false, high_watermark: None })
                .collect();
            v.received = c.received().cloned().collect();
            v.consumed = c.received.total;
            v.looping = c.looping;
            v.notes.push(alloc::format!(
                "acknowledged: {} accepted, {} released, {} rejected, {} renewed; {} awaiting acknowledgement",
                c.acks_sent[0],
                c.acks_sent[1],
                c.acks_sent[2],
                c.acks_sent[3],
                c.delivered.len()
            ));
            v.group = Some(MembershipView {
                group: c.config.group_id.clone(),
                subscription: c.subscription.clone(),
                pattern: None,
                coordinator: None,
                member_id: c.member_id.clone(),
                generation: (c.epoch > 0).then_some(c.epoch as u32),
                state: if c.epoch > 0 { "stable" } else { "joining" },
                leader: false,
                committed: Vec::new(),
            });
        }
    }
    v
}

/// Whether a group's consumers read committed data only: their lag counts to the
/// last stable offset, as the Java consumer's lag does under read_committed.
pub(crate) fn group_reads_committed(
    clients: &crate::sorted::SortedMap<crate::protocol::ClientName, Client>,
    group: &str,
) -> bool {
    clients.values().any(|c| match c {
        Client::Consumer(k) => {
            k.config.group_id.as_deref() == Some(group)
                && k.config.isolation_level == crate::protocol::IsolationLevel::ReadCommitted
        }
        _ => false,
    })
}

/// Every group a running broker coordinates, with the CLI's describe rows.
fn group_views(
    brokers: &crate::sorted::SortedMap<u32, crate::broker::Broker>,
    net: &crate::net::Network,
    topics: &[TopicView],
    clients: &crate::sorted::SortedMap<crate::protocol::ClientName, Client>,
) -> Vec<Rc<GroupView>> {
    // The end a group's lag counts to: the HW, or the LSO for read_committed consumers.
    let end = |tp: &TopicPartition, read_committed: bool| {
        topics
            .iter()
            .find(|t| t.name == tp.topic)
            .and_then(|t| t.partitions.get(tp.partition as usize))
            .map_or(0, |p| if read_committed { p.last_stable_offset } else { p.high_watermark })
    };
    let mut out: Vec<GroupView> = Vec::new();
    for b in brokers.values().filter(|b| !net.is_down(&Node::Broker(b.id))) {
        let c = &b.coordinator;
        let names: crate::sorted::SortedSet<&String> =
            c.groups.keys().chain(c.consumer_groups.keys()).chain(c.offsets.keys()).collect();
        for name in names {
            let group = c.groups.get(name);
            let modern = c.consumer_groups.get(name);
            let committed = c.offsets.get(name);
            let mut members: Vec<MemberView> = group
                .map(|g| {
                    g.describe()
                        .into_iter()
                        .map(|(member_id, client, assignment)| MemberView {
                            member_id,
                            client,
                            assignment,
                            epoch: 0,
                            revoking: Vec::new(),
                            target: Vec::new(),
                            instance_id: None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            if let Some(g) = modern {
                members = g
                    .members
                    .values()
                    .map(|m| MemberView {
                        member_id: m.id.clone(),
                        client: alloc::format!("{}", m.client),
                        assignment: m.assigned.clone(),
                        epoch: m.epoch,
                        revoking: m.pending_revocation.clone(),
                        target: g.target.get(&m.id).cloned().unwrap_or_default(),
                        instance_id: m.instance_id.clone(),
                    })
                    .collect();
            }
            let mut tps: crate::sorted::SortedSet<TopicPartition> =
                committed.map(|c| c.keys().cloned().collect()).unwrap_or_default();
            tps.extend(members.iter().flat_map(|m| m.assignment.iter().cloned()));
            let read_committed = group_reads_committed(clients, name);
            let rows = tps
                .into_iter()
                .map(|tp| {
                    let current_offset = committed.and_then(|c| c.get(&tp)).map(|c| c.offset);
                    let log_end_offset = end(&tp, read_committed);
                    let owner = members.iter().find(|m| m.assignment.contains(&tp));
                    GroupRow {
                        lag: current_offset.map(|o| log_end_offset.saturating_sub(o)),
                        current_offset,
                        log_end_offset,
                        member_id: owner.map(|m| m.member_id.clone()),
                        client: owner.map(|m| m.client.clone()),
                        tp,
                    }
                })
                .collect();
            let (processed, duplicates, lost) = delivery(name, clients, committed);
            out.push(GroupView {
                processed,
                duplicates,
                lost,
                name: name.clone(),
                coordinator: b.id,
                state: match (group, modern) {
                    (_, Some(g)) => alloc::format!("{}", g.state),
                    (Some(g), None) => alloc::format!("{}", g.state),
                    (None, None) => String::from("Empty"),
                },
                generation: modern.map_or_else(|| group.map_or(0, |g| g.generation), |g| g.epoch.max(0) as u32),
                protocol: match modern {
                    Some(g) => Some(String::from(g.assignor())),
                    None => group.and_then(|g| g.protocol.clone()),
                },
                group_protocol: if modern.is_some() { "consumer" } else { "classic" },
                assignment_epoch: modern.map_or(0, |g| g.assignment_epoch.max(0) as u32),
                leader: group.and_then(|g| g.leader.clone()),
                members,
                rows,
            });
        }
    }
    #[cfg(feature = "share-groups")]
    for b in brokers.values().filter(|b| !net.is_down(&Node::Broker(b.id))) {
        for g in b.coordinator.share_groups.values() {
            let members: Vec<MemberView> = g
                .members
                .values()
                .map(|m| MemberView {
                    member_id: m.id.clone(),
                    client: alloc::format!("{}", m.client),
                    assignment: m.assigned.clone(),
                    epoch: m.epoch,
                    revoking: Vec::new(),
                    target: Vec::new(),
                    instance_id: None,
                })
                .collect();
            // `kafka-share-groups --describe`: each partition's start offset, and its lag (what is
            // not yet delivered and done with).
            let mut tps: crate::sorted::SortedSet<TopicPartition> = crate::sorted::SortedSet::new();
            tps.extend(members.iter().flat_map(|m| m.assignment.iter().cloned()));
            let rows = tps
                .into_iter()
                .map(|tp| {
                    let sp = brokers
                        .values()
                        .filter(|b| !net.is_down(&Node::Broker(b.id)))
                        .find_map(|b| b.share.get(&g.name, &tp));
                    let log_end_offset = end(&tp, false);
                    let current_offset = sp.map(|sp| sp.start_offset);
                    let done = sp.map_or(0, |sp| {
                        use crate::group::share_partition::RecordState;
                        (sp.count(RecordState::Acknowledged) + sp.count(RecordState::Archived)) as u64
                    });
                    GroupRow {
                        lag: current_offset.map(|o| log_end_offset.saturating_sub(o).saturating_sub(done)),
                        current_offset,
                        log_end_offset,
                        member_id: None,
                        client: None,
                        tp,
                    }
                })
                .collect();
            let (processed, duplicates, _) = delivery(&g.name, clients, None);
            out.push(GroupView {
                processed,
                duplicates,
                lost: 0,
                name: g.name.clone(),
                coordinator: b.id,
                state: alloc::format!("{}", g.state),
                generation: g.epoch.max(0) as u32,
                protocol: Some(String::from("simple")),
                group_protocol: "share",
                assignment_epoch: g.assignment_epoch.max(0) as u32,
                leader: None,
                members,
                rows,
            });
        }
    }
    crate::sort::sort_by(&mut out, |a, b| a.name.cmp(&b.name));
    out.into_iter().map(Rc::new).collect()
}

/// What the group's consumers processed: in total, more than once, and never though committed past.
fn delivery(
    group: &str,
    clients: &crate::sorted::SortedMap<crate::protocol::ClientName, Client>,
    committed: Option<&crate::sorted::SortedMap<TopicPartition, crate::group::offsets::Committed>>,
) -> (u64, u64, u64) {
    // Every record the group's consumers finished with, by partition, in the order processed.
    // A consumer processes a partition in offset order, so a partition's offsets are nearly
    // always ascending already and need no sort: the view is taken every frame, and a played
    // session's groups hold tens of thousands.
    let mut seen: Vec<(&TopicPartition, Vec<u64>)> = Vec::new();
    let mut total = 0u64;
    let mut last = 0;
    for c in clients.values() {
        let processed = match c {
            Client::Consumer(c) if c.config.group_id.as_deref() == Some(group) => &c.processed,
            #[cfg(feature = "share-groups")]
            Client::ShareConsumer(c) if c.config.group_id == group => &c.processed,
            _ => continue,
        };
        for (tp, offset) in processed {
            total += 1;
            if seen.get(last).is_none_or(|(t, _)| *t != tp) {
                last = match seen.iter().position(|(t, _)| *t == tp) {
                    Some(i) => i,
                    None => {
                        seen.push((tp, Vec::new()));
                        seen.len() - 1
                    }
                };
            }
            seen[last].1.push(*offset);
        }
    }
    let mut unique = 0u64;
    for (_, offsets) in &mut seen {
        if !offsets.windows(2).all(|w| w[0] < w[1]) {
            // Equal entries are the same record: processed more than once.
            crate::sort::sort(offsets);
            offsets.dedup();
        }
        unique += offsets.len() as u64;
    }
    let duplicates = total - unique;
    let mut lost = 0u64;
    for (tp, c) in committed.into_iter().flatten() {
        // The partition's records seen, from the first: those below the commit that are not
        // there were committed without being processed.
        let Some((_, offsets)) = seen.iter().find(|(t, _)| *t == tp) else { continue };
        let Some(&first) = offsets.first() else { continue };
        let below = offsets.partition_point(|&o| o < c.offset) as u64;
        lost += c.offset.saturating_sub(first) - below;
    }
    (total, duplicates, lost)
}

/// A producer batch waiting in the accumulator.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BatchView {
    pub tp: TopicPartition,
    pub records: usize,
    /// Encoded bytes before compression, against batch.size.
    pub bytes: usize,
    pub created_ms: u64,
    /// Full, lingered, flushed, or a retry: it goes when the connection allows.
    pub ready: bool,
    pub attempts: u32,
    pub base_sequence: Option<i32>,
}

/// A message travelling on a link.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MessageView {
    pub from: Node,
    pub to: Node,
    /// Kafka's API name (Produce, Fetch, ...).
    pub api: &'static str,
    pub response: bool,
    /// The one-line summary the trace prints.
    pub summary: String,
    pub sent_at_ms: u64,
    pub arrives_at_ms: u64,
}

/// One replica's log as its broker holds it, for checkers and tests.
#[derive(Clone, Debug)]
pub struct ReplicaLog {
    /// Every record, decoded from the replica's batches.
    pub records: Vec<Record>,
    pub high_watermark: u64,
    pub is_leader: bool,
}

impl Sim {
    /// The replica of `tp` on `broker`, its records decoded.
    pub fn replica_log(&self, broker: u32, tp: &TopicPartition) -> Option<ReplicaLog> {
        let (brokers, ..) = self.parts().cluster?;
        let r = brokers.get(&broker)?.replicas.get(tp)?;
        Some(ReplicaLog {
            records: r.log.records().collect(),
            high_watermark: r.high_watermark,
            is_leader: r.is_leader(),
        })
    }

    /// Every record of `tp` in the log of its leader by the controller's metadata (the one
    /// the view shows; none while it has no leader), decoded.
    pub fn partition_records(&self, tp: &TopicPartition) -> Vec<Record> {
        let Some((brokers, controller, ..)) = self.parts().cluster else { return Vec::new() };
        let leader = controller.metadata.partition(tp).and_then(|p| p.leader);
        let replica = leader.and_then(|id| brokers.get(&id)?.replicas.get(tp));
        replica.map(|r| r.log.records().collect()).unwrap_or_default()
    }
}
