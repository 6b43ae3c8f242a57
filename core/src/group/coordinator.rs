//! The group coordinator's state machine for one group of the classic
//! consumer group protocol, as Kafka's `ClassicGroup` and the classic paths
//! of `GroupMetadataManager` run it. It is pure: the broker that leads the
//! group's `__consumer_offsets` partition feeds it requests and the time,
//! and sends the [`Reply`]s it returns.
//!
//! States: Empty -> PreparingRebalance (a join, a leave, an expired session)
//! -> CompletingRebalance (every member rejoined, or the rebalance timeout
//! passed) -> Stable (the leader's SyncGroup brought the assignment).
//! A member joining without an id first gets MEMBER_ID_REQUIRED with its id
//! (KIP-394). A group's first rebalance waits group.initial.rebalance.delay.ms
//! for more members, once more each time a member arrived in the wait, up to
//! the rebalance timeout (`InitialDelayedJoin`).
//!
//! Static members (KIP-345, `group.instance.id`) join without the member-id
//! round trip; one that comes back under a new member id while the group is
//! Stable takes its old place (and assignment) without a rebalance, and a
//! rebalance does not drop static members that have not rejoined (only
//! their session timeout does).
//!
//! The broker wiring (FindCoordinator, the requests on the wire, committed
//! offsets in `__consumer_offsets`) is `crate::broker::coordinator`.
//! A deleted group is Dead. Members that do not send SyncGroup within the
//! rebalance timeout after the join phase are removed (Kafka's pending-sync
//! timeout), and the group rebalances without them.

use crate::error::KafkaError;
use crate::group::metadata::{GroupSnapshot, MemberSnapshot};
use crate::net::Node;
use crate::protocol::TopicPartition;
use crate::sorted::{SortedMap, SortedSet};
use crate::time::{Duration, Instant};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// `group.min.session.timeout.ms` (6000) and `group.max.session.timeout.ms` (1800000): the range
/// of session.timeout.ms a JoinGroup may ask for.
pub const GROUP_MIN_SESSION_TIMEOUT_MS: u64 = 6_000;
pub const GROUP_MAX_SESSION_TIMEOUT_MS: u64 = 1_800_000;

/// `group.initial.rebalance.delay.ms`.
pub const INITIAL_REBALANCE_DELAY_MS: u64 = 3_000;

/// The brokers' classic-group configs a group follows (`GroupCoordinatorConfig`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupSettings {
    /// `group.min.session.timeout.ms` and `group.max.session.timeout.ms`: a JoinGroup outside is
    /// refused with INVALID_SESSION_TIMEOUT.
    pub min_session_timeout_ms: u64,
    pub max_session_timeout_ms: u64,
    /// `group.initial.rebalance.delay.ms`: an empty group's first join waits this long for more
    /// members (and again while they keep coming, up to the rebalance timeout).
    pub initial_rebalance_delay_ms: u64,
    /// `group.consumer.heartbeat.interval.ms` and `group.consumer.session.timeout.ms`: the
    /// consumer group protocol's (KIP-848) timing, set by the brokers, not the consumers.
    pub consumer: crate::group::consumer_group::ConsumerGroupSettings,
    /// `group.share.*`: share groups' timing and their share-partitions' limits.
    pub share: crate::group::share_group::ShareGroupSettings,
}

impl Default for GroupSettings {
    fn default() -> Self {
        GroupSettings {
            min_session_timeout_ms: GROUP_MIN_SESSION_TIMEOUT_MS,
            max_session_timeout_ms: GROUP_MAX_SESSION_TIMEOUT_MS,
            initial_rebalance_delay_ms: INITIAL_REBALANCE_DELAY_MS,
            consumer: crate::group::consumer_group::ConsumerGroupSettings::default(),
            share: crate::group::share_group::ShareGroupSettings::default(),
        }
    }
}
/// Members per group, a stated limit (Kafka's `group.max.size` defaults to unbounded).
pub const GROUP_MEMBERS_MAX: usize = 64;

/// Java's `String.hashCode`, over UTF-16 code units.
pub fn java_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// The `__consumer_offsets` partition of a group: `Utils.abs(groupId.hashCode) % partitions`,
/// the topic's partitions (`offsets.topic.num.partitions` when it was created, 50 by default).
pub fn partition_for(group: &str, partitions: u32) -> u32 {
    let h = java_hash(group);
    // Kafka's Utils.abs maps Integer.MIN_VALUE to 0, where Math.abs would stay negative.
    let abs = if h == i32::MIN { 0 } else { h.unsigned_abs() };
    abs % partitions.max(1)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    /// Deleted (DeleteGroups): its offsets and metadata are tombstoned and it is gone.
    Dead,
}

impl fmt::Display for GroupState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        })
    }
}

/// What a member sends for each assignor it supports (the consumer
/// protocol's `Subscription`, version 2): its topics, the partitions it owns
/// now and the generation it owned them in (for the sticky assignors).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subscription {
    pub topics: Vec<String>,
    pub owned: Vec<TopicPartition>,
    pub generation: Option<u32>,
    /// The member's `group.instance.id`, as the JoinGroup answer gives it to the leader.
    pub group_instance_id: Option<String>,
}

impl Subscription {
    /// A subscription that owns nothing yet.
    pub fn to(topics: Vec<String>) -> Self {
        Subscription { topics, ..Subscription::default() }
    }
}

/// Assignor names with the subscription sent under each, in the member's preference order.
pub type Protocols = Vec<(String, Subscription)>;

/// A JoinGroup as the coordinator needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinRequest {
    /// Empty for a consumer that has not been given an id yet.
    pub member_id: String,
    /// `group.instance.id`: a static member.
    pub group_instance_id: Option<String>,
    pub client: Node,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    pub protocols: Protocols,
}

/// A completed join: the generation, who leads, and (for the leader) every member's subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinResult {
    pub generation: u32,
    pub protocol: String,
    pub leader: String,
    pub member_id: String,
    /// Every member and its subscription, sent to the leader only; empty for followers.
    pub members: Vec<(String, Subscription)>,
    /// KIP-814: a static leader that came back into a Stable group must not assign again.
    pub skip_assignment: bool,
}

/// An answer to a JoinGroup or SyncGroup, possibly long after it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Join {
        to: Node,
        correlation_id: u32,
        /// With MEMBER_ID_REQUIRED: the id to join again with.
        member_id: String,
        result: Result<JoinResult, KafkaError>,
    },
    Sync {
        to: Node,
        correlation_id: u32,
        result: Result<Vec<TopicPartition>, KafkaError>,
    },
    /// The leader's assignment must be written to the group's offsets partition (acks=all)
    /// before anyone learns it; the broker calls [`Group::stored`] with the outcome.
    Store {
        generation: u32,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    },
}

/// A leader's assignment: each member id with its partitions.
pub type Assignments = Vec<(String, Vec<TopicPartition>)>;

#[derive(Clone, Debug)]
pub struct Member {
    pub id: String,
    pub instance_id: Option<String>,
    pub client: Node,
    pub session_timeout_ms: u64,
    pub rebalance_timeout_ms: u64,
    pub protocols: Protocols,
    pub last_heartbeat: Instant,
    /// A JoinGroup waiting for the join phase to end: its correlation id.
    pub join_pending: Option<u32>,
    /// A SyncGroup waiting for the leader's assignment: its correlation id.
    pub sync_pending: Option<u32>,
    pub assignment: Vec<TopicPartition>,
}

impl Member {
    /// Kafka's `shouldKeepAlive`: members waiting on a join or sync are not expired.
    fn alive_at(&self, now: Instant) -> bool {
        self.join_pending.is_some()
            || self.sync_pending.is_some()
            || self.last_heartbeat + Duration::from_ms(self.session_timeout_ms) > now
    }
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    pub state: GroupState,
    pub generation: u32,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    pub members: SortedMap<String, Member>,
    /// Static members: `group.instance.id` to the member id it has now.
    pub static_members: SortedMap<String, String>,
    /// Ids handed out with MEMBER_ID_REQUIRED, not yet joined.
    pending_ids: SortedSet<String>,
    next_member: u32,
    /// When the join phase ends even if some members have not rejoined.
    pub join_deadline: Option<Instant>,
    /// When members that have not sent SyncGroup since the join phase ended are removed.
    pub sync_deadline: Option<Instant>,
    /// Members of this generation that have not sent SyncGroup yet.
    pending_sync: SortedSet<String>,
    /// The leader's assignment of this generation, being written before the group is Stable.
    storing: Option<(u32, Assignments)>,
    /// The group's first rebalance, which waits for more members.
    initial_join: bool,
    /// A member arrived during the current initial delay.
    new_member_added: bool,
    /// What is left of the rebalance timeout for further initial delays.
    initial_remaining_ms: u64,
    /// When the group last became Empty (Kafka's `currentStateTimestamp`): committed offsets
    /// expire offsets.retention.minutes after it (KIP-211).
    pub empty_since_ms: u64,
    /// Its coordinator's group configs.
    pub settings: GroupSettings,
}

impl Group {
    pub fn new(name: &str) -> Self {
        Group {
            name: name.into(),
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: SortedMap::new(),
            static_members: SortedMap::new(),
            pending_ids: SortedSet::new(),
            next_member: 0,
            join_deadline: None,
            sync_deadline: None,
            pending_sync: SortedSet::new(),
            storing: None,
            initial_join: false,
            new_member_added: false,
            empty_since_ms: 0,
            initial_remaining_ms: 0,
            settings: GroupSettings::default(),
        }
    }

    /// The group under its coordinator's configs.
    pub fn with_settings(self, settings: GroupSettings) -> Self {
        Group { settings, ..self }
    }

    /// JoinGroup. Replies come now or when the join phase ends.
    pub fn join(&mut self, req: JoinRequest, correlation_id: u32, now: Instant) -> Vec<Reply> {
        let fail = |req: &JoinRequest, error| {
            let member_id = req.member_id.clone();
            alloc::vec![Reply::Join { to: req.client.clone(), correlation_id, member_id, result: Err(error) }]
        };
        // GroupCoordinatorService.joinGroup checks this before it looks at the group.
        if !(self.settings.min_session_timeout_ms..=self.settings.max_session_timeout_ms)
            .contains(&req.session_timeout_ms)
        {
            return fail(&req, KafkaError::InvalidSessionTimeout);
        }
        if self.state == GroupState::Dead {
            // A group being deleted: the member finds its coordinator again and joins anew.
            return fail(&req, KafkaError::CoordinatorNotAvailable);
        }
        if req.protocols.is_empty() || !self.supports(&req.protocols) {
            // Kafka answers this without a message.
            return fail(&req, KafkaError::InconsistentGroupProtocol(String::new()));
        }
        let mut req = req;
        if req.member_id.is_empty() {
            if let Some(instance) = req.group_instance_id.clone() {
                // A static member gets its id at once (no MEMBER_ID_REQUIRED round trip).
                let id = self.new_member_id(&instance);
                if let Some(old) = self.static_members.get(&instance).cloned() {
                    return self.replace_static_member(&old, id, req, correlation_id, now);
                }
                if self.members.len() + self.pending_ids.len() >= GROUP_MEMBERS_MAX {
                    return fail(&req, KafkaError::GroupMaxSizeReached);
                }
                self.pending_ids.insert(id.clone());
                req.member_id = id;
            }
        }
        if req.member_id.is_empty() {
            if self.members.len() + self.pending_ids.len() >= GROUP_MEMBERS_MAX {
                return fail(&req, KafkaError::GroupMaxSizeReached);
            }
            // KIP-394: the member learns its id and joins again with it.
            let id = self.new_member_id(&format!("{}", req.client));
            self.pending_ids.insert(id.clone());
            let to = req.client;
            return alloc::vec![Reply::Join {
                to,
                correlation_id,
                member_id: id,
                result: Err(KafkaError::MemberIdRequired)
            }];
        }
        if let Some(existing) = self.members.get_mut(&req.member_id) {
            existing.last_heartbeat = now;
            let same = existing.protocols == req.protocols;
            let is_leader = self.leader.as_deref() == Some(req.member_id.as_str());
            match self.state {
                // Nothing changed: the member gets the generation it already has.
                GroupState::Stable if same && !is_leader => return alloc::vec![self.current_join(&req, correlation_id)],
                GroupState::CompletingRebalance if same => return alloc::vec![self.current_join(&req, correlation_id)],
                _ => {}
            }
            existing.protocols = req.protocols;
            existing.client = req.client;
            existing.session_timeout_ms = req.session_timeout_ms;
            existing.rebalance_timeout_ms = req.rebalance_timeout_ms;
            existing.join_pending = Some(correlation_id);
        } else if self.pending_ids.remove(&req.member_id) {
            if let Some(instance) = &req.group_instance_id {
                self.static_members.insert(instance.clone(), req.member_id.clone());
            }
            let member = Member {
                id: req.member_id.clone(),
                instance_id: req.group_instance_id.clone(),
                client: req.client,
                session_timeout_ms: req.session_timeout_ms,
                rebalance_timeout_ms: req.rebalance_timeout_ms,
                protocols: req.protocols,
                last_heartbeat: now,
                join_pending: Some(correlation_id),
                sync_pending: None,
                assignment: Vec::new(),
            };
            if self.leader.is_none() {
                // The first member to join leads.
                self.leader = Some(member.id.clone());
            }
            self.members.insert(member.id.clone(), member);
            if self.state == GroupState::PreparingRebalance && self.generation == 0 {
                self.new_member_added = true;
            }
        } else {
            return fail(&req, KafkaError::UnknownMemberId);
        }
        let mut replies = self.prepare_rebalance(now);
        replies.extend(self.maybe_complete_join(now));
        replies
    }

    /// A member id no member or pending member has (Kafka's are `client-UUID`; here `prefix-N`).
    fn new_member_id(&mut self, prefix: &str) -> String {
        loop {
            let id = format!("{prefix}-{}", self.next_member);
            self.next_member += 1;
            if !self.members.contains_key(&id) && !self.pending_ids.contains(&id) {
                return id;
            }
        }
    }

    /// The group as the coordinator writes it to `__consumer_offsets` after a rebalance.
    pub fn snapshot(&self, now: Instant) -> GroupSnapshot {
        let protocol = self.protocol.clone().unwrap_or_default();
        let members = self
            .members
            .values()
            .map(|m| MemberSnapshot {
                member_id: m.id.clone(),
                group_instance_id: m.instance_id.clone(),
                client: match &m.client {
                    Node::Client(name) => String::from(name.as_str()),
                    other => format!("{other}"),
                },
                rebalance_timeout_ms: m.rebalance_timeout_ms,
                session_timeout_ms: m.session_timeout_ms,
                subscription: m
                    .protocols
                    .iter()
                    .find(|(p, _)| *p == protocol)
                    .map(|(_, s)| s.clone())
                    .unwrap_or_default(),
                assignment: m.assignment.clone(),
            })
            .collect();
        GroupSnapshot {
            generation: self.generation,
            protocol: self.protocol.clone(),
            leader: self.leader.clone(),
            timestamp_ms: now.ms,
            members,
        }
    }

    /// A group read back by a new coordinator: Stable with its members (their
    /// sessions start now), or Empty.
    pub fn restore(name: &str, s: GroupSnapshot, now: Instant) -> Self {
        let mut g = Group::new(name);
        g.generation = s.generation;
        g.leader = s.leader;
        g.empty_since_ms = s.timestamp_ms;
        for m in s.members {
            if let Some(i) = &m.group_instance_id {
                g.static_members.insert(i.clone(), m.member_id.clone());
            }
            let protocol = s.protocol.clone().unwrap_or_default();
            let member = Member {
                id: m.member_id.clone(),
                instance_id: m.group_instance_id,
                client: Node::Client(m.client.into()),
                session_timeout_ms: m.session_timeout_ms,
                rebalance_timeout_ms: m.rebalance_timeout_ms,
                protocols: alloc::vec![(protocol, m.subscription)],
                last_heartbeat: now,
                join_pending: None,
                sync_pending: None,
                assignment: m.assignment,
            };
            g.members.insert(m.member_id, member);
        }
        if g.members.is_empty() {
            g.leader = None;
        } else {
            g.state = GroupState::Stable;
            g.protocol = s.protocol;
        }
        g
    }

    /// Kafka's `updateStaticMemberThenRebalanceOrCompleteJoin`: a known
    /// `group.instance.id` under a new member id takes the old member's place.
    fn replace_static_member(
        &mut self,
        old: &str,
        new_id: String,
        req: JoinRequest,
        correlation_id: u32,
        now: Instant,
    ) -> Vec<Reply> {
        let Some(mut member) = self.members.remove(old) else {
            return Vec::new();
        };
        let mut replies = Vec::new();
        // Requests the old instance left waiting are answered as fenced.
        if let Some(corr) = member.join_pending.take() {
            let (to, member_id) = (member.client.clone(), old.into());
            replies.push(Reply::Join {
                to,
                correlation_id: corr,
                member_id,
                result: Err(KafkaError::FencedInstanceId),
            });
        }
        if let Some(corr) = member.sync_pending.take() {
            let to = member.client.clone();
            replies.push(Reply::Sync { to, correlation_id: corr, result: Err(KafkaError::FencedInstanceId) });
        }
        member.id = new_id.clone();
        member.client = req.client.clone();
        member.last_heartbeat = now;
        member.protocols = req.protocols;
        member.session_timeout_ms = req.session_timeout_ms;
        member.rebalance_timeout_ms = req.rebalance_timeout_ms;
        if self.leader.as_deref() == Some(old) {
            self.leader = Some(new_id.clone());
        }
        if let Some(instance) = &member.instance_id {
            self.static_members.insert(instance.clone(), new_id.clone());
        }
        member.join_pending = Some(correlation_id);
        self.members.insert(new_id.clone(), member);
        match self.state {
            GroupState::Stable if self.select_protocol() == self.protocol => {
                // No rebalance: the member takes up its old assignment with the current generation.
                if let Some(m) = self.members.get_mut(&new_id) {
                    m.join_pending = None;
                }
                let is_leader = self.leader.as_deref() == Some(new_id.as_str());
                let result = JoinResult {
                    generation: self.generation,
                    protocol: self.protocol.clone().unwrap_or_default(),
                    leader: self.leader.clone().unwrap_or_default(),
                    member_id: new_id.clone(),
                    members: if is_leader { self.subscriptions() } else { Vec::new() },
                    skip_assignment: is_leader,
                };
                replies.push(Reply::Join { to: req.client, correlation_id, member_id: new_id, result: Ok(result) });
            }
            GroupState::Stable | GroupState::CompletingRebalance => {
                replies.extend(self.prepare_rebalance(now));
                replies.extend(self.maybe_complete_join(now));
            }
            GroupState::PreparingRebalance | GroupState::Empty => replies.extend(self.maybe_complete_join(now)),
            GroupState::Dead => {}
        }
        replies
    }

    /// SyncGroup: the leader brings the assignment; every member waits for its part.
    pub fn sync(
        &mut self,
        member_id: &str,
        generation: u32,
        assignments: Vec<(String, Vec<TopicPartition>)>,
        client: Node,
        correlation_id: u32,
    ) -> Vec<Reply> {
        let reply = |result| alloc::vec![Reply::Sync { to: client.clone(), correlation_id, result }];
        let Some(member) = self.members.get_mut(member_id) else {
            return reply(Err(KafkaError::UnknownMemberId));
        };
        if generation != self.generation {
            return reply(Err(KafkaError::IllegalGeneration));
        }
        match self.state {
            GroupState::Dead => reply(Err(KafkaError::CoordinatorNotAvailable)),
            GroupState::Empty => reply(Err(KafkaError::UnknownMemberId)),
            GroupState::PreparingRebalance => reply(Err(KafkaError::RebalanceInProgress)),
            GroupState::Stable => reply(Ok(member.assignment.clone())),
            GroupState::CompletingRebalance => {
                member.sync_pending = Some(correlation_id);
                self.pending_sync.remove(member_id);
                let storing = self.storing.as_ref().is_some_and(|(g, _)| *g == generation);
                if self.leader.as_deref() == Some(member_id) && !storing {
                    // GroupMetadataManager.storeGroup: the assignment is written (acks=all) first;
                    // only then is the group Stable and every member told its partitions, so a
                    // new coordinator after a failover knows this generation and its owners.
                    self.storing = Some((generation, assignments.clone()));
                    alloc::vec![Reply::Store { generation, assignments }]
                } else {
                    Vec::new()
                }
            }
        }
    }

    /// Heartbeat: keeps the session alive and tells the member when to rejoin.
    pub fn heartbeat(&mut self, member_id: &str, generation: u32, now: Instant) -> Result<(), KafkaError> {
        let Some(member) = self.members.get_mut(member_id) else {
            return Err(KafkaError::UnknownMemberId);
        };
        if generation != self.generation {
            return Err(KafkaError::IllegalGeneration);
        }
        member.last_heartbeat = now;
        match self.state {
            GroupState::Dead => Err(KafkaError::CoordinatorNotAvailable),
            GroupState::Empty => Err(KafkaError::UnknownMemberId),
            GroupState::PreparingRebalance => Err(KafkaError::RebalanceInProgress),
            // Heartbeats may start right after the join answer, before the sync.
            GroupState::CompletingRebalance | GroupState::Stable => Ok(()),
        }
    }

    /// LeaveGroup: the member is gone at once; the others rebalance.
    pub fn leave(&mut self, member_id: &str, now: Instant) -> Result<Vec<Reply>, KafkaError> {
        if !self.members.contains_key(member_id) {
            return Err(KafkaError::UnknownMemberId);
        }
        Ok(self.remove(member_id, now))
    }

    /// Kafka's `validateMember` for a request naming a `group.instance.id`: an
    /// instance id now held by another member id means this one was replaced (a zombie).
    pub fn check_instance(&self, member_id: &str, instance: Option<&str>) -> Result<(), KafkaError> {
        match instance.map(|i| self.static_members.get(i)) {
            None => Ok(()),
            Some(None) => Err(KafkaError::UnknownMemberId),
            Some(Some(current)) if current != member_id => Err(KafkaError::FencedInstanceId),
            Some(Some(_)) => Ok(()),
        }
    }

    /// Kafka's `ClassicGroup.validateOffsetCommit`. `generation` is `None`
    /// (Kafka's -1) for a consumer outside group management, which may commit
    /// only while the group is empty.
    pub fn validate_commit(&self, member_id: &str, generation: Option<u32>) -> Result<(), KafkaError> {
        if generation.is_none() && self.state == GroupState::Empty {
            return Ok(());
        }
        if generation.is_some() || !member_id.is_empty() {
            if !self.members.contains_key(member_id) {
                return Err(KafkaError::UnknownMemberId);
            }
            if generation != Some(self.generation) {
                return Err(KafkaError::IllegalGeneration);
            }
        } else {
            return Err(KafkaError::UnknownMemberId);
        }
        if self.state == GroupState::CompletingRebalance {
            // The member has its join answer but not its assignment yet.
            return Err(KafkaError::RebalanceInProgress);
        }
        Ok(())
    }

    /// The coordinator moved away: every request still waiting gets NOT_COORDINATOR.
    pub fn unload(&mut self) -> Vec<Reply> {
        let mut replies = Vec::new();
        for m in self.members.values_mut() {
            if let Some(correlation_id) = m.join_pending.take() {
                let (to, member_id) = (m.client.clone(), m.id.clone());
                replies.push(Reply::Join { to, correlation_id, member_id, result: Err(KafkaError::NotCoordinator) });
            }
            if let Some(correlation_id) = m.sync_pending.take() {
                let to = m.client.clone();
                replies.push(Reply::Sync { to, correlation_id, result: Err(KafkaError::NotCoordinator) });
            }
        }
        replies
    }

    /// DeleteGroups: only an Empty group may go; it becomes Dead.
    pub fn delete(&mut self) -> Result<(), KafkaError> {
        match self.state {
            GroupState::Empty => {
                self.state = GroupState::Dead;
                Ok(())
            }
            GroupState::Dead => Err(KafkaError::GroupIdNotFound(format!("Group {} not found.", self.name))),
            _ => Err(KafkaError::NonEmptyGroup),
        }
    }

    /// Advances time: expired sessions leave, a join phase past its deadline ends.
    pub fn tick(&mut self, now: Instant) -> Vec<Reply> {
        let mut replies = Vec::new();
        let expired: Vec<String> = self.members.values().filter(|m| !m.alive_at(now)).map(|m| m.id.clone()).collect();
        for id in expired {
            replies.extend(self.remove(&id, now));
        }
        if self.state == GroupState::CompletingRebalance && self.sync_deadline.is_some_and(|d| d <= now) {
            // The pending-sync timeout: members that never synced are gone.
            self.sync_deadline = None;
            for id in core::mem::take(&mut self.pending_sync) {
                if self.members.contains_key(&id) {
                    replies.extend(self.remove(&id, now));
                }
            }
        }
        replies.extend(self.maybe_complete_join(now));
        replies
    }

    /// The next instant `tick` has something to do, for the broker's timer.
    pub fn next_deadline(&self) -> Option<Instant> {
        let sessions = self
            .members
            .values()
            .filter(|m| m.join_pending.is_none() && m.sync_pending.is_none())
            .map(|m| m.last_heartbeat + Duration::from_ms(m.session_timeout_ms));
        let sync = self.sync_deadline.filter(|_| self.state == GroupState::CompletingRebalance);
        sessions.chain(self.join_deadline).chain(sync).min()
    }

    /// Members with the client they run in and their assignment, for the view.
    pub fn describe(&self) -> Vec<(String, String, Vec<TopicPartition>)> {
        self.members.values().map(|m| (m.id.clone(), m.client.to_string(), m.assignment.clone())).collect()
    }

    /// Protocols every current member supports.
    fn candidates(&self) -> Option<SortedSet<String>> {
        let mut members = self.members.values();
        let first: SortedSet<String> = members.next()?.protocols.iter().map(|(n, _)| n.clone()).collect();
        Some(
            members.fold(first, |acc, m| acc.into_iter().filter(|p| m.protocols.iter().any(|(n, _)| n == p)).collect()),
        )
    }

    fn supports(&self, protocols: &Protocols) -> bool {
        self.candidates().is_none_or(|c| protocols.iter().any(|(n, _)| c.contains(n)))
    }

    /// Kafka's `selectProtocol`: every member votes for its most preferred
    /// protocol that all members support; most votes wins (a tie goes to the
    /// leader's preference order, where Kafka's is a hash map's).
    fn select_protocol(&self) -> Option<String> {
        let candidates = self.candidates()?;
        let mut votes: SortedMap<&str, usize> = SortedMap::new();
        for m in self.members.values() {
            if let Some((name, _)) = m.protocols.iter().find(|(n, _)| candidates.contains(n)) {
                *votes.entry(name).or_default() += 1;
            }
        }
        let leader = self.leader.as_ref().and_then(|l| self.members.get(l)).or_else(|| self.members.values().next())?;
        let order = |name: &str| leader.protocols.iter().position(|(n, _)| n == name).unwrap_or(usize::MAX);
        votes.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| order(b.0).cmp(&order(a.0)))).map(|(n, _)| n.into())
    }

    /// The answer for a member whose join changes nothing.
    fn current_join(&self, req: &JoinRequest, correlation_id: u32) -> Reply {
        let leader = self.leader.clone().unwrap_or_default();
        let members = if leader == req.member_id { self.subscriptions() } else { Vec::new() };
        let result = JoinResult {
            generation: self.generation,
            protocol: self.protocol.clone().unwrap_or_default(),
            leader,
            member_id: req.member_id.clone(),
            members,
            skip_assignment: false,
        };
        Reply::Join { to: req.client.clone(), correlation_id, member_id: req.member_id.clone(), result: Ok(result) }
    }

    fn subscriptions(&self) -> Vec<(String, Subscription)> {
        let protocol = self.protocol.clone().unwrap_or_default();
        let topics = |m: &Member| m.protocols.iter().find(|(p, _)| *p == protocol).map(|(_, t)| t.clone());
        self.members
            .values()
            .map(|m| {
                let mut s = topics(m).unwrap_or_default();
                s.group_instance_id = m.instance_id.clone();
                (m.id.clone(), s)
            })
            .collect()
    }

    /// Starts a rebalance unless one is under way. Syncs waiting on a
    /// rebalance that will not complete are told to rejoin.
    fn prepare_rebalance(&mut self, now: Instant) -> Vec<Reply> {
        let mut replies = Vec::new();
        self.storing = None;
        match self.state {
            GroupState::PreparingRebalance | GroupState::Dead => return replies,
            GroupState::CompletingRebalance => {
                for m in self.members.values_mut() {
                    m.assignment.clear();
                    if let Some(corr) = m.sync_pending.take() {
                        let result = Err(KafkaError::RebalanceInProgress);
                        replies.push(Reply::Sync { to: m.client.clone(), correlation_id: corr, result });
                    }
                }
            }
            GroupState::Empty | GroupState::Stable => {}
        }
        let rebalance_ms = self.members.values().map(|m| m.rebalance_timeout_ms).max().unwrap_or(0);
        self.initial_join = self.state == GroupState::Empty;
        self.state = GroupState::PreparingRebalance;
        self.new_member_added = false;
        if self.initial_join {
            let delay_ms = self.settings.initial_rebalance_delay_ms.min(rebalance_ms);
            self.initial_remaining_ms = rebalance_ms.saturating_sub(delay_ms);
            self.join_deadline = Some(now + Duration::from_ms(delay_ms));
        } else {
            self.join_deadline = Some(now + Duration::from_ms(rebalance_ms));
        }
        replies
    }

    /// Ends the join phase if it can end: at its deadline (after the initial
    /// delays), or as soon as every member rejoined (outside the initial delay).
    fn maybe_complete_join(&mut self, now: Instant) -> Vec<Reply> {
        if self.state != GroupState::PreparingRebalance {
            return Vec::new();
        }
        let due = |g: &Self| g.join_deadline.is_some_and(|d| d <= now);
        if self.initial_join {
            while due(self) && self.new_member_added && self.initial_remaining_ms > 0 {
                // InitialDelayedJoin: someone came during the wait; wait once more.
                let delay_ms = self.settings.initial_rebalance_delay_ms.min(self.initial_remaining_ms);
                self.initial_remaining_ms -= delay_ms;
                self.new_member_added = false;
                self.join_deadline = self.join_deadline.map(|d| d + Duration::from_ms(delay_ms));
            }
            if !due(self) {
                return Vec::new();
            }
        } else {
            let all_joined = self.members.values().all(|m| m.join_pending.is_some());
            if !due(self) && !all_joined {
                return Vec::new();
            }
        }
        self.complete_join(now)
    }

    /// Members that did not rejoin are dropped, a new generation starts, and
    /// every waiting JoinGroup is answered; the leader gets all subscriptions.
    fn complete_join(&mut self, now: Instant) -> Vec<Reply> {
        // Static members stay without rejoining; only their session timeout removes them.
        let static_members = &mut self.static_members;
        self.members.retain(|_, m| {
            let keep = m.join_pending.is_some() || m.instance_id.is_some();
            if !keep {
                if let Some(i) = &m.instance_id {
                    static_members.remove(i);
                }
            }
            keep
        });
        if !self.members.is_empty() && self.members.values().all(|m| m.join_pending.is_none()) {
            // Kafka's maybeElectNewJoinedLeader failed: nobody rejoined; wait for sessions to expire.
            let rebalance_ms = self.members.values().map(|m| m.rebalance_timeout_ms).max().unwrap_or(0);
            self.join_deadline = Some(now + Duration::from_ms(rebalance_ms));
            return Vec::new();
        }
        self.join_deadline = None;
        self.initial_join = false;
        if self.members.is_empty() {
            self.state = GroupState::Empty;
            self.empty_since_ms = now.ms;
            self.leader = None;
            self.protocol = None;
            // Kafka bumps the generation of an emptied group too.
            self.generation += 1;
            return Vec::new();
        }
        let joined = |g: &Self, l: &String| g.members.get(l).is_some_and(|m| m.join_pending.is_some());
        if !self.leader.as_ref().is_some_and(|l| joined(self, l)) {
            // The leader must be a member that rejoined.
            self.leader = self.members.values().find(|m| m.join_pending.is_some()).map(|m| m.id.clone());
        }
        self.generation += 1;
        self.protocol = self.select_protocol();
        self.state = GroupState::CompletingRebalance;
        self.pending_sync = self.members.keys().cloned().collect();
        let rebalance_ms = self.members.values().map(|m| m.rebalance_timeout_ms).max().unwrap_or(0);
        self.sync_deadline = Some(now + Duration::from_ms(rebalance_ms));
        let subscriptions = self.subscriptions();
        let leader = self.leader.clone().unwrap_or_default();
        let (generation, protocol) = (self.generation, self.protocol.clone().unwrap_or_default());
        let mut replies = Vec::new();
        for m in self.members.values_mut() {
            let Some(corr) = m.join_pending.take() else { continue };
            // The session restarts with the join answer.
            m.last_heartbeat = now;
            let members = if m.id == leader { subscriptions.clone() } else { Vec::new() };
            let result = JoinResult {
                generation,
                protocol: protocol.clone(),
                leader: leader.clone(),
                member_id: m.id.clone(),
                members,
                skip_assignment: false,
            };
            let member_id = m.id.clone();
            replies.push(Reply::Join { to: m.client.clone(), correlation_id: corr, member_id, result: Ok(result) });
        }
        replies
    }

    /// The leader's SyncGroup: every member gets its part; the group is Stable.
    /// The leader's assignment was written (or the write failed): the sync completes, or every
    /// waiting member gets the error and the group rebalances (`resetAndPropagateAssignmentError`,
    /// then `maybePrepareRebalance`). Ignored when the group has moved on meanwhile.
    pub fn stored(&mut self, generation: u32, result: Result<(), KafkaError>, now: Instant) -> Vec<Reply> {
        let current = self.state == GroupState::CompletingRebalance && self.generation == generation;
        let Some((g, assignments)) = self.storing.take_if(|(g, _)| *g == generation && current) else {
            return Vec::new();
        };
        debug_assert_eq!(g, generation, "the stored generation is the one being completed");
        // completeAndScheduleNextHeartbeatExpiration: the members waited on the write, not idled.
        for m in self.members.values_mut() {
            m.last_heartbeat = now;
        }
        match result {
            Ok(()) => self.complete_sync(assignments),
            Err(e) => {
                let mut replies = Vec::new();
                for m in self.members.values_mut() {
                    m.assignment.clear();
                    if let Some(corr) = m.sync_pending.take() {
                        replies.push(Reply::Sync {
                            to: m.client.clone(),
                            correlation_id: corr,
                            result: Err(e.clone()),
                        });
                    }
                }
                replies.extend(self.prepare_rebalance(now));
                replies
            }
        }
    }

    /// A snapshot of the group as it will be once `assignments` are handed out: what is written
    /// before the sync completes.
    pub fn snapshot_assigned(&self, assignments: &[(String, Vec<TopicPartition>)], now: Instant) -> GroupSnapshot {
        let mut snapshot = self.snapshot(now);
        for m in &mut snapshot.members {
            m.assignment =
                assignments.iter().find(|(id, _)| *id == m.member_id).map(|(_, a)| a.clone()).unwrap_or_default();
        }
        snapshot
    }

    fn complete_sync(&mut self, assignments: Vec<(String, Vec<TopicPartition>)>) -> Vec<Reply> {
        let mut map: SortedMap<String, Vec<TopicPartition>> = assignments.into_iter().collect();
        self.state = GroupState::Stable;
        self.sync_deadline = None;
        self.pending_sync.clear();
        let mut replies = Vec::new();
        for m in self.members.values_mut() {
            m.assignment = map.remove(&m.id).unwrap_or_default();
            if let Some(corr) = m.sync_pending.take() {
                replies.push(Reply::Sync {
                    to: m.client.clone(),
                    correlation_id: corr,
                    result: Ok(m.assignment.clone()),
                });
            }
        }
        replies
    }

    /// Removes a member; the others rebalance, or the group empties.
    fn remove(&mut self, member: &str, now: Instant) -> Vec<Reply> {
        if let Some(i) = self.members.remove(member).and_then(|m| m.instance_id) {
            self.static_members.remove(&i);
        }
        if self.leader.as_deref() == Some(member) {
            self.leader = None;
        }
        if self.members.is_empty() {
            if self.state != GroupState::Empty {
                // Kafka completes the (empty) join: a new generation, and the group is Empty.
                self.generation += 1;
            }
            if self.state != GroupState::Empty {
                self.empty_since_ms = now.ms;
            }
            self.state = GroupState::Empty;
            self.join_deadline = None;
            self.initial_join = false;
            self.protocol = None;
            return Vec::new();
        }
        if self.leader.is_none() {
            self.leader = self.members.keys().next().cloned();
        }
        let mut replies = self.prepare_rebalance(now);
        replies.extend(self.maybe_complete_join(now));
        replies
    }
}
