//! The KRaft controller: the authoritative metadata and every decision that
//! changes it — topic creation, broker liveness (heartbeats and fencing),
//! leader election, ISR changes (AlterPartition), controlled shutdown and
//! preferred-leader balancing. Each change bumps the metadata offset and is
//! pushed to every broker; a broker that cannot be reached keeps acting on
//! its old copy until it hears again.
//!
//! Which voter hosts the active controller is decided by the quorum
//! ([`quorum`]); the controller's state is the replicated metadata log, so a
//! new active controller continues from the same state.

pub mod partition_change;
pub mod placement;
pub mod quorum;

use crate::effects::{Effects, Timer};
use crate::error::KafkaError;
use crate::event::EventKind;
use crate::metadata::{BrokerRegistration, Metadata, PartitionState, TopicState};
use crate::net::Node;
use crate::protocol::{Body, Message, Request, Response, TopicPartition};
use crate::rand::Rng;
use crate::sorted::SortedMap;
use crate::time::{Duration, Instant};
use crate::topic::{name, TopicConfig};
use alloc::boxed::Box;
use alloc::format;
use alloc::vec::Vec;
use partition_change::{Change, ElectionType, Picked};

/// How a new topic's replicas are laid out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// By the striped placer.
    Placed { partitions: u32, replication_factor: u32 },
    /// By hand: replicas per partition, preferred leader first.
    Manual(Vec<Vec<u32>>),
}

/// `ReplicationControlManager.validateManualPartitionAssignment`.
fn validate_manual(meta: &Metadata, assignment: &[Vec<u32>]) -> Result<(), KafkaError> {
    let invalid = |m: alloc::string::String| Err(KafkaError::InvalidReplicaAssignment(m));
    if assignment.is_empty() {
        return invalid("The manual partition assignment includes no partitions.".into());
    }
    let rf = assignment[0].len();
    for (p, replicas) in assignment.iter().enumerate() {
        if replicas.is_empty() {
            return invalid("The manual partition assignment includes an empty replica list.".into());
        }
        for (i, r) in replicas.iter().enumerate() {
            if replicas[..i].contains(r) {
                return invalid(format!("The manual partition assignment includes the broker {r} more than once."));
            }
            if !meta.brokers.contains_key(r) {
                return invalid(format!(
                    "The manual partition assignment includes broker {r}, but no such broker is registered."
                ));
            }
        }
        if replicas.len() != rf {
            return invalid(format!(
                "The manual partition assignment includes a partition with {} replica(s), but this is not consistent with previous partitions, which have {rf} replica(s).",
                replicas.len()
            ));
        }
        if !replicas.iter().any(|&r| meta.is_unfenced(r)) {
            return invalid(format!(
                "All brokers specified in the manual partition assignment for partition {p} are fenced or in controlled shutdown."
            ));
        }
    }
    Ok(())
}

/// Broker defaults for CreateTopics when a request leaves them out.
pub const NUM_PARTITIONS_DEFAULT: u32 = 1;
pub const DEFAULT_REPLICATION_FACTOR: u32 = 1;

/// Controller and broker settings with Kafka 4.x defaults.
pub const BROKER_HEARTBEAT_INTERVAL_MS: u64 = 2_000;
pub const BROKER_SESSION_TIMEOUT_MS: u64 = 9_000;
/// `leader.imbalance.check.interval.seconds` (300) in milliseconds.
pub const LEADER_IMBALANCE_CHECK_INTERVAL_MS: u64 = 300_000;
/// `unclean.leader.election.interval.ms` (5 minutes): how long after a partition is left without a
/// leader the controller checks whether its topic now allows an unclean election (KAFKA-12670).
pub const UNCLEAN_LEADER_ELECTION_INTERVAL_MS: u64 = 300_000;
/// How often the active controller looks for brokers whose session expired.
const SESSION_CHECK_INTERVAL_MS: u64 = 1_000;

/// The ISR a partition change aims at.
enum Target {
    Same,
    Without(u32),
    Exactly(Vec<u32>),
}

/// The broker a change takes out: fenced or shutting down (it may not lead), or back from an
/// unclean shutdown (it may not lead, and leaves the ELR too).
#[derive(Clone, Copy)]
struct Removal {
    broker: Option<u32>,
    unclean_shutdown: Option<u32>,
}

/// What a partition change asks for.
struct Ask<'a> {
    target: Target,
    /// `None`: as the topic's unclean.leader.election.enable says (Kafka's default election).
    election: Option<ElectionType>,
    removal: Removal,
    /// A broker being unfenced: it may lead before the image shows it unfenced.
    adding: Option<u32>,
    /// Why, for an ISR or ELR change without a new leader.
    isr_why: &'a str,
    /// The reason for a new leader taken from the ISR.
    clean: Election,
}

impl Ask<'_> {
    fn new(target: Target, removal: Removal, clean: Election) -> Self {
        Ask { target, election: None, removal, adding: None, isr_why: "", clean }
    }
}

/// Why a partition's leader changed, in words for the event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Election {
    /// The leader was fenced or is shutting down; the next ISR member in replica order leads.
    Failover,
    /// No ISR member was available; a replica outside the ISR was chosen (unclean.leader.election.enable).
    Unclean,
    /// An ISR member came back to an offline partition.
    Recovery,
    /// auto.leader.rebalance.enable moved leadership back to the first replica.
    Preferred,
    /// The ISR was empty; an eligible leader replica leads (KIP-966).
    Elr,
    /// The ISR and the ELR were empty; the last known leader is back.
    LastKnownLeader,
    /// The leader restarted after a crash, before its session expired.
    Restarted,
}

impl Election {
    pub fn reason(self) -> &'static str {
        match self {
            Election::Failover => "the leader is fenced or shutting down; next in-sync replica in replica order",
            Election::Unclean => "no in-sync replica is available; unclean.leader.election.enable=true picks an out-of-sync one: data may be lost",
            Election::Recovery => "an in-sync replica of an offline partition is back",
            Election::Preferred => "preferred leader election (auto.leader.rebalance.enable)",
            Election::Elr => "the ISR is empty; an eligible leader replica (ELR) has every committed record: a clean election",
            Election::LastKnownLeader => "the ISR and the ELR are empty; the last known leader is back",
            Election::Restarted => "the leader restarted after a crash (an unclean shutdown); next in-sync replica in replica order",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Controller {
    pub metadata: Metadata,
    /// The KRaft quorum voters (controller.quorum.voters).
    pub voters: Vec<u32>,
    /// The voter hosting the active controller, if a majority can elect one.
    pub active: Option<u32>,
    /// Bumped on every change of active controller.
    pub epoch: u32,
    last_heartbeat: SortedMap<u32, Instant>,
    pub auto_leader_rebalance: bool,
    /// ISR changes applied, as Kafka's IsrShrinksPerSec / IsrExpandsPerSec count them.
    pub isr_shrinks: u64,
    pub isr_expands: u64,
    /// The unclean-election check is armed (QuorumController's `uncleanScheduled`).
    unclean_scheduled: bool,
    /// Eligible leader replicas are tracked (`eligible.leader.replicas.version=1`, the default
    /// for new clusters since Kafka 4.1).
    pub elr_enabled: bool,
}

impl Controller {
    /// A cluster whose brokers `1..=brokers` are registered and unfenced; the
    /// first three (or all, if fewer) are the quorum voters.
    pub fn new(brokers: u32, auto_leader_rebalance: bool) -> Self {
        let mut metadata = Metadata::default();
        for id in 1..=brokers {
            metadata.brokers.insert(id, BrokerRegistration { id, fenced: false, shutting_down: false });
        }
        Controller {
            metadata,
            voters: (1..=brokers.min(3)).collect(),
            active: None,
            epoch: 0,
            last_heartbeat: (1..=brokers).map(|id| (id, Instant::ZERO)).collect(),
            auto_leader_rebalance,
            isr_shrinks: 0,
            isr_expands: 0,
            unclean_scheduled: false,
            elr_enabled: true,
        }
    }

    /// A new active controller gives every broker a fresh session, as Kafka's does on failover.
    pub fn activate(&mut self, host: Option<u32>, now: Instant, fx: &mut Effects) {
        if host == self.active {
            return;
        }
        self.active = host;
        self.epoch += 1;
        for t in self.last_heartbeat.values_mut() {
            *t = now;
        }
        fx.event(EventKind::ControllerChanged { active: host, epoch: self.epoch, voters: self.voters.clone() });
        self.unclean_scheduled = false;
        if host.is_some() {
            fx.timer_in(Duration::from_ms(SESSION_CHECK_INTERVAL_MS), Timer::SessionCheck);
            if self.auto_leader_rebalance {
                fx.timer_in(Duration::from_ms(LEADER_IMBALANCE_CHECK_INTERVAL_MS), Timer::LeaderRebalance);
            }
        }
    }

    /// CreateTopics, with Kafka's checks in Kafka's order (`ReplicationControlManager.createTopic`).
    pub fn create_topic(
        &mut self,
        rng: &mut Rng,
        topic: &str,
        layout: Layout,
        config: TopicConfig,
        fx: &mut Effects,
    ) -> Result<Vec<Vec<u32>>, KafkaError> {
        name::validate(topic)?;
        let meta = &mut self.metadata;
        if meta.topics.contains_key(topic) {
            return Err(KafkaError::TopicAlreadyExists(format!("Topic '{topic}' already exists.")));
        }
        if let Some(other) = meta.topics.keys().find(|t| name::collides(t, topic)) {
            return Err(KafkaError::InvalidTopic(format!("Topic '{topic}' collides with existing topic: {other}")));
        }
        let assignment = match layout {
            Layout::Placed { partitions, replication_factor } => {
                if partitions < 1 {
                    return Err(KafkaError::InvalidPartitions(
                        "Number of partitions was set to an invalid non-positive value.".into(),
                    ));
                }
                if replication_factor < 1 {
                    return Err(KafkaError::InvalidReplicationFactor(
                        "Replication factor must be larger than 0.".into(),
                    ));
                }
                let brokers: Vec<BrokerRegistration> = meta.brokers.values().cloned().collect();
                placement::place(rng, &brokers, partitions, replication_factor)?
            }
            Layout::Manual(assignment) => {
                validate_manual(meta, &assignment)?;
                assignment
            }
        };
        let states = assignment.iter().map(|replicas| new_partition(meta, replicas)).collect();
        meta.topics.insert(topic.into(), TopicState { name: topic.into(), partitions: states, config });
        self.publish(fx);
        Ok(assignment)
    }

    /// IncrementalAlterConfigs for a topic: each override is checked as CreateTopics
    /// checks it, all or none apply, and the new image goes to every broker.
    pub fn alter_topic_config(
        &mut self,
        topic: &str,
        configs: &crate::command::Configs,
        fx: &mut Effects,
    ) -> Result<(), KafkaError> {
        let t = self.metadata.topics.get_mut(topic).ok_or(KafkaError::UnknownTopicOrPartition)?;
        let mut next = t.config.clone();
        for (k, v) in configs {
            next.set(k, v)?;
        }
        t.config = next;
        self.publish(fx);
        Ok(())
    }

    /// IncrementalAlterConfigs of a GROUP resource: a share group's configs, checked against the
    /// brokers' bounds as Kafka's `GroupConfig.validate` checks them.
    pub fn alter_group_config(
        &mut self,
        group: &str,
        configs: &crate::command::Configs,
        fx: &mut Effects,
    ) -> Result<(), KafkaError> {
        let mut next = self.metadata.group_configs.get(group).cloned().unwrap_or_default();
        next.alter(configs).map_err(KafkaError::InvalidConfig)?;
        self.metadata.group_configs.insert(group.into(), next);
        self.publish(fx);
        Ok(())
    }

    /// CreatePartitions: the topic grows to `total` partitions, the new ones
    /// placed like a new topic's with the same replication factor. Returns
    /// the new partitions' replicas.
    pub fn create_partitions(
        &mut self,
        rng: &mut Rng,
        topic: &str,
        total: u32,
        fx: &mut Effects,
    ) -> Result<Vec<Vec<u32>>, KafkaError> {
        let meta = &mut self.metadata;
        let Some(t) = meta.topics.get(topic) else {
            return Err(KafkaError::UnknownTopicOrPartition);
        };
        let current = t.partitions.len() as u32;
        if total == current {
            return Err(KafkaError::InvalidPartitions(format!("Topic already has {current} partitions.")));
        }
        if total < current {
            return Err(KafkaError::InvalidPartitions(format!(
                "Topic currently has {current} partitions, which is higher than the requested {total}."
            )));
        }
        let replication_factor = t.partitions.first().map_or(1, |p| p.replicas.len() as u32);
        let brokers: Vec<BrokerRegistration> = meta.brokers.values().cloned().collect();
        let added = placement::place(rng, &brokers, total - current, replication_factor)?;
        let states: Vec<PartitionState> = added.iter().map(|replicas| new_partition(meta, replicas)).collect();
        if let Some(t) = meta.topics.get_mut(topic) {
            t.partitions.extend(states);
        }
        self.publish(fx);
        Ok(added)
    }

    /// Bumps the metadata offset and pushes the new image to every broker.
    fn publish(&mut self, fx: &mut Effects) {
        self.metadata.offset += 1;
        for &id in self.metadata.brokers.keys() {
            let image = Box::new(self.metadata.clone());
            fx.send(
                Node::Broker(id),
                Message { correlation_id: 0, body: Body::Request(Request::MetadataUpdate { image }) },
            );
        }
    }

    pub fn handle(&mut self, from: Node, msg: Message, fx: &mut Effects) {
        let Body::Request(request) = msg.body else {
            return;
        };
        let id = msg.correlation_id;
        match request {
            Request::BrokerHeartbeat { broker, metadata_offset, want_shutdown, restarted, clean_shutdown } => {
                let incarnation = (restarted, clean_shutdown);
                let response = self.heartbeat(broker, metadata_offset, want_shutdown, incarnation, fx);
                fx.send(from, Message { correlation_id: id, body: Body::Response(response) });
            }
            Request::AlterPartition { broker, tp, leader_epoch, partition_epoch, new_isr } => {
                let result = self.alter_partition(broker, &tp, leader_epoch, partition_epoch, new_isr, fx);
                fx.send(
                    from,
                    Message { correlation_id: id, body: Body::Response(Response::AlterPartition { tp, result }) },
                );
            }
            _ => {}
        }
        self.maybe_schedule_unclean_election(fx);
    }

    /// After every write, as QuorumController's `maybeScheduleNextElectUncleanLeaders`: while some
    /// partition has no leader, check again in unclean.leader.election.interval.ms.
    fn maybe_schedule_unclean_election(&mut self, fx: &mut Effects) {
        if !self.unclean_scheduled && self.metadata.partitions().any(|(_, p)| p.leader.is_none()) {
            self.unclean_scheduled = true;
            fx.timer_in(Duration::from_ms(UNCLEAN_LEADER_ELECTION_INTERVAL_MS), Timer::UncleanLeaderElection);
        }
    }

    /// `ReplicationControlManager.maybeElectUncleanLeaders`: a leaderless partition whose topic
    /// allows unclean election (set since it went offline, say) gets the first live replica of its
    /// assignment as leader, alone in the ISR.
    fn elect_unclean_leaders(&mut self, fx: &mut Effects) {
        let tps: Vec<TopicPartition> = self
            .metadata
            .partitions()
            .filter(|(tp, p)| p.leader.is_none() && self.unclean_enabled(&tp.topic))
            .map(|(tp, _)| tp)
            .collect();
        let mut elected = false;
        for tp in tps {
            let removal = Removal { broker: None, unclean_shutdown: None };
            let unclean = ElectionType::Unclean;
            let state = self.change_partition(
                &tp,
                Ask { election: Some(unclean), ..Ask::new(Target::Same, removal, Election::Recovery) },
                fx,
            );
            elected |= state.is_some_and(|p| p.leader.is_some());
        }
        if elected {
            self.publish(fx);
        }
    }

    fn heartbeat(
        &mut self,
        broker: u32,
        metadata_offset: u64,
        want_shutdown: bool,
        (restarted, clean_shutdown): (bool, bool),
        fx: &mut Effects,
    ) -> Response {
        self.last_heartbeat.insert(broker, fx.now);
        let Some(reg) = self.metadata.brokers.get(&broker).cloned() else {
            return Response::BrokerHeartbeat { fenced: true, should_shutdown: false, image: None };
        };
        if restarted && !clean_shutdown && self.elr_enabled {
            // Kafka does this at the new incarnation's registration, before it may lead again.
            self.remove_after_unclean_shutdown(broker, fx);
        }
        if restarted && !reg.fenced {
            // A new incarnation: what the old one led must move before it serves again.
            self.fence(broker, "restarted (new incarnation)", fx);
        } else if want_shutdown && !reg.shutting_down {
            self.controlled_shutdown(broker, fx);
        } else if reg.fenced && !want_shutdown && metadata_offset >= self.metadata.offset {
            self.unfence(broker, fx);
        }
        // Fencing, shutting down and unfencing keep the registration; a broker that vanished
        // meanwhile is answered as the unregistered one above.
        let Some(reg) = self.metadata.brokers.get(&broker) else {
            return Response::BrokerHeartbeat { fenced: true, should_shutdown: false, image: None };
        };
        let leads_nothing = self.metadata.partitions().all(|(_, p)| p.leader != Some(broker));
        Response::BrokerHeartbeat {
            fenced: reg.fenced,
            should_shutdown: reg.shutting_down && leads_nothing,
            image: (metadata_offset < self.metadata.offset).then(|| Box::new(self.metadata.clone())),
        }
    }

    pub fn on_timer(&mut self, timer: Timer, fx: &mut Effects) {
        match timer {
            Timer::SessionCheck => {
                let timeout = Duration::from_ms(BROKER_SESSION_TIMEOUT_MS);
                let expired: Vec<u32> = self
                    .metadata
                    .brokers
                    .values()
                    .filter(|b| !b.fenced)
                    .filter(|b| self.last_heartbeat.get(&b.id).is_some_and(|&t| t + timeout <= fx.now))
                    .map(|b| b.id)
                    .collect();
                for id in expired {
                    self.fence(id, "no heartbeat within broker.session.timeout.ms (9000 ms)", fx);
                }
                fx.timer_in(Duration::from_ms(SESSION_CHECK_INTERVAL_MS), Timer::SessionCheck);
            }
            Timer::LeaderRebalance => {
                self.balance_leaders(fx);
                fx.timer_in(Duration::from_ms(LEADER_IMBALANCE_CHECK_INTERVAL_MS), Timer::LeaderRebalance);
            }
            Timer::UncleanLeaderElection => {
                self.unclean_scheduled = false;
                self.elect_unclean_leaders(fx);
            }
            _ => {}
        }
        self.maybe_schedule_unclean_election(fx);
    }

    /// Fences a broker: out of every ISR (unless it is the last member) and
    /// leadership moved to the next in-sync replica, or the partition goes offline.
    fn fence(&mut self, broker: u32, why: &str, fx: &mut Effects) {
        if let Some(b) = self.metadata.brokers.get_mut(&broker) {
            b.fenced = true;
        }
        fx.event(EventKind::BrokerFenced { id: broker, why: why.into() });
        self.remove_from_partitions(broker, fx);
        self.publish(fx);
    }

    fn controlled_shutdown(&mut self, broker: u32, fx: &mut Effects) {
        if let Some(b) = self.metadata.brokers.get_mut(&broker) {
            b.shutting_down = true;
        }
        fx.event(EventKind::ControlledShutdown { id: broker });
        self.remove_from_partitions(broker, fx);
        self.publish(fx);
    }

    /// A broker fenced or shutting down leaves every ISR, and its leaderships move
    /// (`generateLeaderAndIsrUpdates` with it as the broker to remove).
    fn remove_from_partitions(&mut self, broker: u32, fx: &mut Effects) {
        let tps: Vec<TopicPartition> = self
            .metadata
            .partitions()
            .filter(|(_, p)| p.isr.contains(&broker) || p.leader == Some(broker))
            .map(|(tp, _)| tp)
            .collect();
        let why = format!("broker-{broker} is fenced or shutting down");
        for tp in tps {
            let change = Removal { broker: Some(broker), unclean_shutdown: None };
            self.change_partition(
                &tp,
                Ask { isr_why: &why, ..Ask::new(Target::Without(broker), change, Election::Failover) },
                fx,
            );
        }
    }

    /// A broker back from a crash leaves every ISR and ELR: its log may have lost what it had
    /// (`handleBrokerUncleanShutdown`, at its registration).
    fn remove_after_unclean_shutdown(&mut self, broker: u32, fx: &mut Effects) {
        let tps: Vec<TopicPartition> = self
            .metadata
            .partitions()
            .filter(|(_, p)| p.isr.contains(&broker) || p.elr.contains(&broker))
            .map(|(tp, _)| tp)
            .collect();
        let why = format!("broker-{broker} restarted after a crash: it leaves the ISR and the ELR");
        for tp in tps {
            let change = Removal { broker: None, unclean_shutdown: Some(broker) };
            self.change_partition(
                &tp,
                Ask { isr_why: &why, ..Ask::new(Target::Without(broker), change, Election::Restarted) },
                fx,
            );
        }
    }

    fn unfence(&mut self, broker: u32, fx: &mut Effects) {
        if let Some(b) = self.metadata.brokers.get_mut(&broker) {
            b.fenced = false;
            b.shutting_down = false;
        }
        fx.event(EventKind::BrokerUnfenced { id: broker });
        let tps: Vec<TopicPartition> = self
            .metadata
            .partitions()
            .filter(|(_, p)| p.leader.is_none() && p.replicas.contains(&broker))
            .map(|(tp, _)| tp)
            .collect();
        for tp in tps {
            let change = Removal { broker: None, unclean_shutdown: None };
            self.change_partition(
                &tp,
                Ask { adding: Some(broker), ..Ask::new(Target::Same, change, Election::Recovery) },
                fx,
            );
        }
        self.publish(fx);
    }

    /// One partition's change of leader, ISR and ELR by Kafka's rules ([`partition_change`]),
    /// with its events.
    fn change_partition(&mut self, tp: &TopicPartition, ask: Ask<'_>, fx: &mut Effects) -> Option<PartitionState> {
        let Ask { target, election, removal, adding, isr_why, clean } = ask;
        let by_config = if self.unclean_enabled(&tp.topic) { ElectionType::Unclean } else { ElectionType::Online };
        let election = election.unwrap_or(by_config);
        let eligible = self.eligible();
        let min_isr = self.effective_min_isr(tp);
        let elr_enabled = self.elr_enabled;
        let p = self.metadata.partition_mut(tp)?;
        let target_isr = match target {
            Target::Same => p.isr.clone(),
            Target::Without(b) => p.isr.iter().copied().filter(|&r| r != b).collect(),
            Target::Exactly(isr) => isr,
        };
        let acceptable = |r: u32| {
            Some(r) != removal.broker
                && Some(r) != removal.unclean_shutdown
                && (Some(r) == adding || eligible.contains(&r))
        };
        let old_isr_len = p.isr.len();
        let change = Change {
            target_isr,
            election,
            acceptable: &acceptable,
            min_isr,
            elr_enabled,
            unclean_shutdown: removal.unclean_shutdown,
        };
        let outcome = partition_change::apply(p, change);
        let state = p.clone();
        if outcome.isr_changed {
            if state.isr.len() < old_isr_len {
                self.isr_shrinks += 1;
            } else {
                self.isr_expands += 1;
            }
        }
        if let Some(picked) = outcome.leader {
            let why = match picked {
                Picked::Isr | Picked::Nobody => clean,
                Picked::Elr => Election::Elr,
                Picked::LastKnownLeader => Election::LastKnownLeader,
                Picked::Unclean => Election::Unclean,
            };
            fx.event(EventKind::LeaderElected {
                tp: tp.clone(),
                leader: state.leader,
                leader_epoch: state.leader_epoch,
                isr: state.isr.clone(),
                elr: state.elr.clone(),
                why: why.reason(),
            });
        } else if outcome.isr_changed || outcome.elr_changed {
            fx.event(EventKind::IsrChanged {
                tp: tp.clone(),
                isr: state.isr.clone(),
                elr: state.elr.clone(),
                why: isr_why.into(),
            });
        }
        Some(state)
    }

    /// Kafka's `getTopicEffectiveMinIsr`: min.insync.replicas, at most the replication factor.
    fn effective_min_isr(&self, tp: &TopicPartition) -> usize {
        let Some(topic) = self.metadata.topics.get(tp.topic.as_str()) else {
            return 1;
        };
        let replicas = topic.partitions.get(tp.partition as usize).map_or(1, |p| p.replicas.len());
        (topic.config.min_insync_replicas() as usize).min(replicas)
    }

    fn balance_leaders(&mut self, fx: &mut Effects) {
        let eligible = self.eligible();
        let tps: Vec<TopicPartition> = self
            .metadata
            .partitions()
            .filter(|(_, p)| {
                let preferred = p.replicas[0];
                p.leader != Some(preferred) && p.isr.contains(&preferred) && eligible.contains(&preferred)
            })
            .map(|(tp, _)| tp)
            .collect();
        if tps.is_empty() {
            return;
        }
        for tp in tps {
            let removal = Removal { broker: None, unclean_shutdown: None };
            let preferred = ElectionType::Preferred;
            self.change_partition(
                &tp,
                Ask { election: Some(preferred), ..Ask::new(Target::Same, removal, Election::Preferred) },
                fx,
            );
        }
        self.publish(fx);
    }

    /// AlterPartition from a leader, checked as `ReplicationControlManager.alterPartition` does.
    fn alter_partition(
        &mut self,
        broker: u32,
        tp: &TopicPartition,
        leader_epoch: u32,
        partition_epoch: u32,
        new_isr: Vec<u32>,
        fx: &mut Effects,
    ) -> Result<PartitionState, KafkaError> {
        let eligible = self.eligible();
        let p = self.metadata.partition_mut(tp).ok_or(KafkaError::UnknownTopicOrPartition)?;
        if p.leader != Some(broker) {
            return Err(KafkaError::NotLeaderOrFollower);
        }
        if leader_epoch < p.leader_epoch {
            return Err(KafkaError::FencedLeaderEpoch);
        }
        if partition_epoch != p.partition_epoch {
            return Err(KafkaError::InvalidUpdateVersion);
        }
        if !new_isr.contains(&broker) || new_isr.iter().any(|r| !p.replicas.contains(r)) {
            return Err(KafkaError::InvalidRequest("the ISR must contain the leader and only replicas".into()));
        }
        if let Some(bad) = new_isr.iter().find(|r| !p.isr.contains(r) && !eligible.contains(r)) {
            return Err(KafkaError::IneligibleReplica(format!("broker-{bad} is fenced or shutting down")));
        }
        let why = if new_isr.len() < p.isr.len() { "the leader shrank it" } else { "the leader expanded it" };
        let removal = Removal { broker: None, unclean_shutdown: None };
        let online = ElectionType::Online;
        let target = Target::Exactly(new_isr);
        let state = self
            .change_partition(
                tp,
                Ask { election: Some(online), isr_why: why, ..Ask::new(target, removal, Election::Failover) },
                fx,
            )
            .ok_or(KafkaError::UnknownTopicOrPartition)?;
        self.publish(fx);
        Ok(state)
    }

    /// Brokers that may lead or join an ISR: unfenced and not shutting down.
    fn eligible(&self) -> Vec<u32> {
        self.metadata.brokers.values().filter(|b| !b.fenced && !b.shutting_down).map(|b| b.id).collect()
    }

    fn unclean_enabled(&self, topic: &str) -> bool {
        self.metadata.topics.get(topic).is_some_and(|t| t.config.flag("unclean.leader.election.enable"))
    }
}

impl Controller {
    /// Kafka's OfflinePartitionsCount.
    pub fn offline_partitions(&self) -> usize {
        // Counted every frame by the page's view: no partition names are made for it.
        self.metadata.topics.values().flat_map(|t| &t.partitions).filter(|p| p.leader.is_none()).count()
    }
}

/// A new partition's first state: the first unfenced replica leads; a fenced
/// broker may hold a replica but never starts as leader or in the ISR.
fn new_partition(meta: &Metadata, replicas: &[u32]) -> PartitionState {
    let isr: Vec<u32> = replicas.iter().copied().filter(|&id| meta.is_unfenced(id)).collect();
    PartitionState {
        leader: isr.first().copied(),
        replicas: replicas.to_vec(),
        isr,
        leader_epoch: 0,
        partition_epoch: 0,
        elr: Vec::new(),
        last_known_elr: Vec::new(),
    }
}
