//! One group of the consumer group protocol (KIP-848), as Kafka's
//! `GroupMetadataManager.consumerGroupHeartbeat`, `ConsumerGroup` and
//! `CurrentAssignmentBuilder` run it. The coordinator owns the assignment:
//!
//! 1. A heartbeat that joins, leaves or changes a member's subscription (or a
//!    subscribed topic's partition count) bumps the **group epoch**.
//! 2. When the group epoch is past the **target assignment epoch**, the
//!    server-side assignor (`uniform` or `range`) computes a new target.
//! 3. Each member is reconciled towards the target on its own heartbeats: it
//!    first gives up what the target takes from it (UNREVOKED_PARTITIONS, its
//!    epoch unchanged), then moves to the target epoch and gets the partitions
//!    no other member still holds (UNRELEASED_PARTITIONS while some are held).
//!    No group-wide barrier: a partition is never owned by two members, and
//!    every other partition keeps being consumed.
//!
//! Members that stop heartbeating for `group.consumer.session.timeout.ms` are
//! fenced; one that does not revoke within its rebalance timeout is fenced too.
//! Group states: Empty, Assigning (epoch ahead of the target), Reconciling
//! (some member not at the target), Stable.

use crate::error::KafkaError;
use crate::group::server_assignor::{self, AssignorMember, TargetAssignment, SERVER_ASSIGNORS};
use crate::net::Node;
use crate::pattern::TopicPattern;
use crate::protocol::TopicPartition;
use crate::sorted::SortedMap;
use crate::time::{Duration, Instant};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// `group.consumer.heartbeat.interval.ms`.
pub const CONSUMER_HEARTBEAT_INTERVAL_MS: u64 = 5_000;
/// `group.consumer.session.timeout.ms`.
pub const CONSUMER_SESSION_TIMEOUT_MS: u64 = 45_000;
/// `group.consumer.max.size` (Kafka: Integer.MAX_VALUE), a stated limit here.
pub const CONSUMER_GROUP_MEMBERS_MAX: usize = 64;
/// `group.consumer.regex.refresh.interval.ms` (internal, default 10 minutes): a group's resolved
/// regular expressions older than this are resolved again at a member's next heartbeat.
pub const CONSUMER_REGEX_REFRESH_INTERVAL_MS: u64 = 600_000;
/// `GroupMetadataManager.REGEX_BATCH_REFRESH_MIN_INTERVAL_MS`: a group's regular expressions are
/// resolved at most once in this long, all together, so that one change brings one rebalance.
pub const REGEX_BATCH_REFRESH_MIN_INTERVAL_MS: u64 = 10_000;
/// The member epoch of a heartbeat that leaves the group.
pub const LEAVE_GROUP_MEMBER_EPOCH: i32 = -1;
/// The member epoch of a static member's heartbeat that leaves for now (it may come back).
pub const LEAVE_GROUP_STATIC_MEMBER_EPOCH: i32 = -2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ConsumerGroupState {
    Empty,
    Assigning,
    Reconciling,
    Stable,
    Dead,
}

impl fmt::Display for ConsumerGroupState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConsumerGroupState::Empty => "Empty",
            ConsumerGroupState::Assigning => "Assigning",
            ConsumerGroupState::Reconciling => "Reconciling",
            ConsumerGroupState::Stable => "Stable",
            ConsumerGroupState::Dead => "Dead",
        })
    }
}

/// Where a member is in its reconciliation (Kafka's `modern.MemberState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reconciliation {
    Stable,
    /// It must give up partitions (reported owned) before it moves to the next epoch.
    UnrevokedPartitions,
    /// It is at the target epoch, waiting for partitions other members still hold.
    UnreleasedPartitions,
}

impl Reconciliation {
    pub fn name(self) -> &'static str {
        match self {
            Reconciliation::Stable => "STABLE",
            Reconciliation::UnrevokedPartitions => "UNREVOKED_PARTITIONS",
            Reconciliation::UnreleasedPartitions => "UNRELEASED_PARTITIONS",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ConsumerMember {
    pub id: String,
    pub instance_id: Option<String>,
    pub client: Node,
    pub epoch: i32,
    pub previous_epoch: i32,
    pub state: Reconciliation,
    /// What it owns now, sorted.
    pub assigned: Vec<TopicPartition>,
    /// What it must give up, sorted.
    pub pending_revocation: Vec<TopicPartition>,
    pub topics: Vec<String>,
    /// SubscribedTopicRegex (`subscribe(SubscriptionPattern)`): an RE2/J regular expression the
    /// coordinator resolves against its metadata image.
    pub regex: Option<String>,
    pub assignor: Option<String>,
    pub rebalance_timeout_ms: u64,
    pub session_deadline: Instant,
    /// Set while it is in UNREVOKED_PARTITIONS: fenced if still there at this time.
    pub revocation_deadline: Option<Instant>,
    /// The assignment last sent to it, to send a new one only when it changed.
    pub(super) sent: Option<Vec<TopicPartition>>,
}

/// A ConsumerGroupHeartbeat's fields; `None` is Kafka's "unchanged since the last one".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeartbeatRequest {
    pub member_id: String,
    pub member_epoch: i32,
    pub instance_id: Option<String>,
    pub rebalance_timeout_ms: Option<u64>,
    pub topics: Option<Vec<String>>,
    /// SubscribedTopicRegex; `Some("")` clears it.
    pub regex: Option<String>,
    pub assignor: Option<String>,
    pub owned: Option<Vec<TopicPartition>>,
}

/// A regular expression as the coordinator resolved it (Kafka's `ResolvedRegularExpression`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedRegex {
    /// The topics whose whole name it matched, sorted.
    pub topics: Vec<String>,
    /// The metadata offset of the image it was resolved against.
    pub version: u64,
    /// When it was resolved.
    pub time_ms: u64,
}

/// What a member's change of regular expression asks of the group (`UpdateRegularExpressionStatus`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum RegexUpdate {
    NoChange,
    /// Changed to one not resolved yet: the group epoch moves when it is.
    Updated,
    /// Changed to one already resolved, or cleared: the group epoch moves now.
    UpdatedAndResolved,
}

/// A ConsumerGroupHeartbeat answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeartbeatAnswer {
    pub member_id: String,
    pub member_epoch: i32,
    pub heartbeat_interval_ms: u64,
    /// The member's whole assignment, only when it changed (or the request was a full one).
    pub assignment: Option<Vec<TopicPartition>>,
}

/// The coordinator's settings for consumer groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConsumerGroupSettings {
    pub heartbeat_interval_ms: u64,
    pub session_timeout_ms: u64,
}

impl Default for ConsumerGroupSettings {
    fn default() -> Self {
        ConsumerGroupSettings {
            heartbeat_interval_ms: CONSUMER_HEARTBEAT_INTERVAL_MS,
            session_timeout_ms: CONSUMER_SESSION_TIMEOUT_MS,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ConsumerGroup {
    pub name: String,
    pub epoch: i32,
    pub assignment_epoch: i32,
    pub target: TargetAssignment,
    pub members: SortedMap<String, ConsumerMember>,
    /// The subscribed topics' partition counts the target was computed for (Kafka's
    /// subscription metadata): a change bumps the group epoch.
    pub subscribed: SortedMap<String, u32>,
    pub state: ConsumerGroupState,
    pub settings: ConsumerGroupSettings,
    /// The members' regular expressions as last resolved, by regex.
    pub resolved: SortedMap<String, ResolvedRegex>,
    /// When the resolution of the regular expressions is due (the coordinator's executor task
    /// `GROUP-regex`; `None`: none scheduled).
    pub regex_refresh_at: Option<Instant>,
    /// The metadata offset of the last image that created topics (Kafka's
    /// `lastMetadataImageWithNewTopics`), set by the coordinator before each heartbeat.
    pub new_topics_at: u64,
}

/// A member fenced by the coordinator, with why.
pub type Fenced = (String, &'static str);

impl ConsumerGroup {
    pub fn new(name: &str, settings: ConsumerGroupSettings) -> Self {
        ConsumerGroup {
            name: name.into(),
            epoch: 0,
            assignment_epoch: 0,
            target: TargetAssignment::new(),
            members: SortedMap::new(),
            subscribed: SortedMap::new(),
            state: ConsumerGroupState::Empty,
            settings,
            resolved: SortedMap::new(),
            regex_refresh_at: None,
            new_topics_at: 0,
        }
    }

    /// The assignor the group uses: the one its members ask for most (ties to the first in
    /// `group.consumer.assignors`), else the default, as `ConsumerGroup.preferredServerAssignor`.
    pub fn assignor(&self) -> &'static str {
        let mut best = (0usize, SERVER_ASSIGNORS[0]);
        for name in SERVER_ASSIGNORS {
            let n = self.members.values().filter(|m| m.assignor.as_deref() == Some(name)).count();
            if n > best.0 {
                best = (n, name);
            }
        }
        best.1
    }

    /// `throwIfConsumerGroupHeartbeatRequestIsInvalid`, the parts the simulation can get wrong.
    fn validate(req: &HeartbeatRequest) -> Result<(), KafkaError> {
        let invalid = |m: &str| Err(KafkaError::InvalidRequest(m.into()));
        if req.member_id.is_empty() {
            return invalid("MemberId can't be empty.");
        }
        match req.member_epoch {
            0 => {
                if req.rebalance_timeout_ms.is_none() {
                    return invalid("RebalanceTimeoutMs must be provided in first request.");
                }
                if req.owned.as_ref().is_none_or(|o| !o.is_empty()) {
                    return invalid("TopicPartitions must be empty when (re-)joining.");
                }
                // An empty list or regex is accepted: a member of the group with no topics.
                if req.topics.is_none() && req.regex.is_none() {
                    return invalid(
                        "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.",
                    );
                }
            }
            e if e > 0 || e == LEAVE_GROUP_MEMBER_EPOCH => {}
            LEAVE_GROUP_STATIC_MEMBER_EPOCH if req.instance_id.is_none() => {
                return invalid("InstanceId can't be null.");
            }
            LEAVE_GROUP_STATIC_MEMBER_EPOCH => {}
            _ => return invalid("MemberEpoch is invalid."),
        }
        if let Some(a) = &req.assignor {
            if !SERVER_ASSIGNORS.contains(&a.as_str()) {
                return Err(KafkaError::UnsupportedAssignor(format!(
                    "ServerAssignor {a} is not supported. Supported assignors: {}.",
                    SERVER_ASSIGNORS.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// A ConsumerGroupHeartbeat. `partitions` gives a topic's partition count from the
    /// coordinator's metadata (`None`: no such topic).
    pub fn heartbeat(
        &mut self,
        req: HeartbeatRequest,
        client: Node,
        partitions: &dyn Fn(&str) -> Option<u32>,
        now: Instant,
    ) -> Result<HeartbeatAnswer, KafkaError> {
        Self::validate(&req)?;
        if let Some(regex) = req.regex.as_deref().filter(|r| !r.is_empty()) {
            // A regex no member has yet is compiled first (`throwIfRegularExpressionIsInvalid`).
            if self.subscribers(regex) == 0 {
                TopicPattern::parse(regex).map_err(|e| {
                    KafkaError::InvalidRegularExpression(format!(
                        "SubscribedTopicRegex `{regex}` is not a valid regular expression: {e}."
                    ))
                })?;
            }
        }
        if req.member_epoch == LEAVE_GROUP_MEMBER_EPOCH || req.member_epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH {
            return self.leave(&req, partitions);
        }
        let joining = req.member_epoch == 0;
        let existing = match self.members.get(&req.member_id) {
            Some(m) => {
                Self::check_epoch(m, req.member_epoch, req.owned.as_deref())?;
                Some(m.clone())
            }
            None if joining => None,
            None => return Err(KafkaError::UnknownMemberId),
        };
        if existing.is_none() && self.members.len() >= CONSUMER_GROUP_MEMBERS_MAX {
            return Err(KafkaError::GroupMaxSizeReached);
        }
        // A static member coming back under a new member id takes its predecessor's place
        // (`getOrMaybeSubscribeStaticConsumerGroupMember`): a copy of it (subscription,
        // partitions, target) under the new id, at epoch 0, once the old one left with -2.
        let mut replaced: Option<ConsumerMember> = None;
        if let (None, Some(instance)) = (&existing, &req.instance_id) {
            let old = self.members.values().find(|m| m.instance_id.as_ref() == Some(instance)).cloned();
            if let Some(old) = old {
                if old.epoch != LEAVE_GROUP_STATIC_MEMBER_EPOCH {
                    return Err(KafkaError::UnreleasedInstanceId);
                }
                self.members.remove(&old.id);
                if let Some(t) = self.target.remove(&old.id) {
                    self.target.insert(req.member_id.clone(), t);
                }
                replaced = Some(old);
            }
        }
        let session_deadline = now + Duration::from_ms(self.settings.session_timeout_ms);
        let mut member = match (existing.clone(), replaced.clone()) {
            (Some(m), _) => m,
            (None, Some(old)) => ConsumerMember {
                id: req.member_id.clone(),
                epoch: 0,
                previous_epoch: 0,
                revocation_deadline: None,
                sent: None,
                ..old
            },
            (None, None) => ConsumerMember {
                id: req.member_id.clone(),
                instance_id: req.instance_id.clone(),
                client: client.clone(),
                epoch: 0,
                previous_epoch: 0,
                state: Reconciliation::Stable,
                assigned: Vec::new(),
                pending_revocation: Vec::new(),
                topics: Vec::new(),
                regex: None,
                assignor: None,
                rebalance_timeout_ms: 0,
                session_deadline,
                revocation_deadline: None,
                sent: None,
            },
        };
        member.client = client;
        member.session_deadline = session_deadline;
        if let Some(t) = req.rebalance_timeout_ms {
            member.rebalance_timeout_ms = t;
        }
        if let Some(a) = &req.assignor {
            member.assignor = Some(a.clone());
        }
        // A new member's subscription differs from the empty one it had (`hasMemberSubscriptionChanged`).
        let mut bump = false;
        if let Some(mut topics) = req.topics.clone() {
            crate::sort::sort(&mut topics);
            topics.dedup();
            if topics != member.topics {
                member.topics = topics;
                bump = true;
            }
        }
        let old_regex = member.regex.clone();
        if let Some(regex) = &req.regex {
            member.regex = (!regex.is_empty()).then(|| regex.clone());
        }
        let regex_update = self.update_regexes(&member.id, old_regex.as_deref(), member.regex.as_deref(), now);
        bump |= regex_update == RegexUpdate::UpdatedAndResolved;
        if existing.as_ref().is_some_and(|m| m.assignor != member.assignor) {
            bump = true;
        }
        self.members.insert(member.id.clone(), member);
        self.forget_unused_regexes();
        // The subscription metadata: a subscribed topic created, deleted or grown bumps the epoch.
        let subscribed = self.subscription_metadata(partitions);
        if subscribed != self.subscribed {
            self.subscribed = subscribed;
            bump = true;
        }
        if bump {
            self.epoch += 1;
        }
        if self.epoch > self.assignment_epoch {
            self.update_target();
        }
        let full = joining
            || (req.rebalance_timeout_ms.is_some()
                && (req.topics.is_some() || req.regex.is_some())
                && req.owned.is_some());
        let owned = req.owned.clone();
        self.reconcile(&req.member_id, owned.as_deref(), now);
        self.update_state();
        let m = self.members.get_mut(&req.member_id).ok_or(KafkaError::UnknownMemberId)?;
        let changed = m.sent.as_ref() != Some(&m.assigned);
        let assignment = (full || changed).then(|| m.assigned.clone());
        if assignment.is_some() {
            m.sent = Some(m.assigned.clone());
        }
        Ok(HeartbeatAnswer {
            member_id: m.id.clone(),
            member_epoch: m.epoch,
            heartbeat_interval_ms: self.settings.heartbeat_interval_ms,
            assignment,
        })
    }

    /// `throwIfConsumerGroupMemberEpochIsInvalid`: epoch 0 rejoins; an epoch ahead is fenced; one
    /// behind only when it is the previous epoch and the member owns a subset of its assignment (the answer
    /// that bumped it may have been lost).
    fn check_epoch(m: &ConsumerMember, epoch: i32, owned: Option<&[TopicPartition]>) -> Result<(), KafkaError> {
        if epoch == 0 {
            // A fenced member rejoining under its own member id (KIP-1082 keeps it) is accepted,
            // as Kafka 4.3 does (KAFKA-19233); it is answered with its whole assignment.
            return Ok(());
        }
        if epoch > m.epoch {
            return Err(KafkaError::FencedMemberEpoch);
        }
        if epoch < m.epoch {
            let subset = owned.is_some_and(|o| o.iter().all(|tp| m.assigned.contains(tp)));
            if epoch != m.previous_epoch || !subset {
                return Err(KafkaError::FencedMemberEpoch);
            }
        }
        Ok(())
    }

    fn leave(
        &mut self,
        req: &HeartbeatRequest,
        partitions: &dyn Fn(&str) -> Option<u32>,
    ) -> Result<HeartbeatAnswer, KafkaError> {
        let answer = |epoch| HeartbeatAnswer {
            member_id: req.member_id.clone(),
            member_epoch: epoch,
            heartbeat_interval_ms: 0,
            assignment: None,
        };
        if !self.members.contains_key(&req.member_id) {
            return Err(KafkaError::UnknownMemberId);
        }
        if req.member_epoch == LEAVE_GROUP_STATIC_MEMBER_EPOCH {
            // A static member leaving for now keeps its place, its target and its partitions
            // (nobody else is given them) with epoch -2, so it comes back without a rebalance;
            // its session timeout still ends it (`consumerGroupStaticMemberGroupLeave`).
            if let Some(m) = self.members.get_mut(&req.member_id) {
                m.epoch = LEAVE_GROUP_STATIC_MEMBER_EPOCH;
                m.pending_revocation.clear();
            }
            self.update_state();
            return Ok(answer(LEAVE_GROUP_STATIC_MEMBER_EPOCH));
        }
        self.remove(&req.member_id, partitions);
        Ok(answer(LEAVE_GROUP_MEMBER_EPOCH))
    }

    /// `consumerGroupFenceMember`: the member and its target go and the group epoch moves; the
    /// next heartbeat of any member computes the new target (until then the group is Assigning).
    fn remove(&mut self, member_id: &str, partitions: &dyn Fn(&str) -> Option<u32>) {
        self.members.remove(member_id);
        self.target.remove(member_id);
        self.forget_unused_regexes();
        self.subscribed = self.subscription_metadata(partitions);
        self.epoch += 1;
        if self.members.is_empty() {
            self.target.clear();
            self.assignment_epoch = self.epoch;
        }
        self.update_state();
    }

    /// The subscribed topics that exist, with their partition counts.
    fn subscription_metadata(&self, partitions: &dyn Fn(&str) -> Option<u32>) -> SortedMap<String, u32> {
        let mut out = SortedMap::new();
        for m in self.members.values() {
            for t in self.member_topics(m) {
                if let Some(n) = partitions(t) {
                    out.insert(t.into(), n);
                }
            }
        }
        out
    }

    /// A member's topics: those it names and those its regex resolved to (not sorted together).
    pub fn member_topics<'a>(&'a self, m: &'a ConsumerMember) -> impl Iterator<Item = &'a str> + 'a {
        let resolved = m.regex.as_ref().and_then(|r| self.resolved.get(r));
        m.topics.iter().chain(resolved.into_iter().flat_map(|r| r.topics.iter())).map(String::as_str)
    }

    /// How many members are subscribed to `regex`.
    fn subscribers(&self, regex: &str) -> usize {
        self.members.values().filter(|m| m.regex.as_deref() == Some(regex)).count()
    }

    /// `maybeUpdateRegularExpressions`, with the group's members as they were before this
    /// member's heartbeat: what its change of regex means, and whether the group's regexes are
    /// to be resolved (again): a new one, or new topics, or the last resolution older than
    /// `group.consumer.regex.refresh.interval.ms`, but never twice within 10 s.
    fn update_regexes(&mut self, member_id: &str, old: Option<&str>, new: Option<&str>, now: Instant) -> RegexUpdate {
        let mut update = RegexUpdate::NoChange;
        let mut required = false;
        if old != new {
            update = RegexUpdate::Updated;
            match new {
                Some(n) if self.subscribers(n) == 0 => required = true,
                Some(n) if self.resolved.contains_key(n) => update = RegexUpdate::UpdatedAndResolved,
                Some(_) => {}
                None => update = RegexUpdate::UpdatedAndResolved,
            }
        }
        let subscribed_before = self.members.values().any(|m| m.regex.is_some());
        if (!required && !subscribed_before) || self.regex_refresh_at.is_some() {
            return update;
        }
        let last = self.resolved.values().next();
        if let Some(last) = last {
            if now.ms <= last.time_ms + REGEX_BATCH_REFRESH_MIN_INTERVAL_MS {
                return update;
            }
        }
        let regexes = self.regexes(Some((member_id, new)));
        required |= regexes.len() != self.resolved.len();
        required |= last.map_or(0, |l| l.version) < self.new_topics_at;
        required |= last.is_none_or(|l| now.ms > l.time_ms + CONSUMER_REGEX_REFRESH_INTERVAL_MS);
        if required && !regexes.is_empty() {
            self.regex_refresh_at = Some(now);
        }
        update
    }

    /// The group's distinct regexes, sorted; with `change`, as they will be once that member's
    /// regex is the one given.
    fn regexes(&self, change: Option<(&str, Option<&str>)>) -> Vec<String> {
        let others = self.members.values().filter(|m| change.is_none_or(|(id, _)| m.id != id));
        let changed = change.and_then(|(_, regex)| regex);
        let mut out: Vec<String> = others.filter_map(|m| m.regex.as_deref()).chain(changed).map(String::from).collect();
        crate::sort::sort(&mut out);
        out.dedup();
        out
    }

    /// Resolved regexes no member is subscribed to any more go (Kafka writes their tombstones).
    fn forget_unused_regexes(&mut self) {
        let members = &self.members;
        self.resolved.retain(|r, _| members.values().any(|m| m.regex.as_ref() == Some(r)));
    }

    /// The coordinator's regex task (`TopicRegexResolver.resolveRegularExpressions`, then
    /// `handleRegularExpressionsResult`): every regex the members have, matched against every
    /// topic of the metadata image (internal ones too: Kafka filters by ACLs only), at `version`.
    /// A regex whose topics changed moves the group epoch. Returns those, with their topics.
    pub fn resolve_regexes<'a>(
        &mut self,
        topic_names: impl Iterator<Item = &'a str> + Clone,
        version: u64,
        partitions: &dyn Fn(&str) -> Option<u32>,
        now: Instant,
    ) -> Vec<(String, Vec<String>)> {
        self.regex_refresh_at = None;
        let regexes = self.regexes(None);
        let mut changed = Vec::new();
        for regex in regexes {
            // Validated when a member brought it; one that does not compile is left out, as Kafka logs and ignores it.
            let Ok(pattern) = TopicPattern::parse(&regex) else { continue };
            let mut topics: Vec<String> =
                topic_names.clone().filter(|t| pattern.matches(t)).map(String::from).collect();
            crate::sort::sort(&mut topics);
            let resolved = ResolvedRegex { topics, version, time_ms: now.ms };
            if self.resolved.get(&regex).is_none_or(|old| old.topics != resolved.topics) {
                changed.push((regex.clone(), resolved.topics.clone()));
            }
            self.resolved.insert(regex, resolved);
        }
        let subscribed = self.subscription_metadata(partitions);
        if !changed.is_empty() || subscribed != self.subscribed {
            self.subscribed = subscribed;
            self.epoch += 1;
            self.update_state();
        }
        changed
    }

    /// `updateTargetAssignment`: the assignor over every member, the target epoch to the group's.
    fn update_target(&mut self) {
        let members: Vec<AssignorMember> = self
            .members
            .values()
            .map(|m| AssignorMember {
                member_id: m.id.clone(),
                instance_id: m.instance_id.clone(),
                topics: {
                    let mut topics: Vec<String> =
                        self.member_topics(m).filter(|t| self.subscribed.contains_key(*t)).map(String::from).collect();
                    crate::sort::sort(&mut topics);
                    topics.dedup();
                    topics
                },
                target: self.target.get(&m.id).cloned().unwrap_or_default(),
            })
            .collect();
        self.target = server_assignor::assign(self.assignor(), &members, &self.subscribed);
        self.assignment_epoch = self.epoch;
    }

    /// Whether another member holds `tp` (assigned or still to revoke): Kafka's
    /// `currentPartitionEpoch(tp) != -1`.
    fn held_by_other(&self, member_id: &str, tp: &TopicPartition) -> bool {
        self.members
            .values()
            .any(|m| m.id != member_id && (m.assigned.contains(tp) || m.pending_revocation.contains(tp)))
    }

    /// `CurrentAssignmentBuilder.build` for one member.
    fn reconcile(&mut self, member_id: &str, owned: Option<&[TopicPartition]>, now: Instant) {
        let Some(m) = self.members.get(member_id) else { return };
        let target_epoch = self.assignment_epoch;
        let owns_any = |set: &[TopicPartition]| owned.is_none_or(|o| o.iter().any(|tp| set.contains(tp)));
        let from_epoch = match m.state {
            Reconciliation::Stable if m.epoch == target_epoch => return,
            Reconciliation::Stable | Reconciliation::UnreleasedPartitions => m.epoch,
            Reconciliation::UnrevokedPartitions if owns_any(&m.pending_revocation) => return,
            Reconciliation::UnrevokedPartitions => m.epoch + 1,
        };
        let target = self.target.get(member_id).cloned().unwrap_or_default();
        let kept: Vec<TopicPartition> = m.assigned.iter().filter(|tp| target.contains(tp)).cloned().collect();
        let revoke: Vec<TopicPartition> = m.assigned.iter().filter(|tp| !target.contains(tp)).cloned().collect();
        let mut unreleased = false;
        let mut add = Vec::new();
        for tp in target.iter().filter(|tp| !kept.contains(tp)) {
            if self.held_by_other(member_id, tp) {
                unreleased = true;
            } else {
                add.push(tp.clone());
            }
        }
        let rebalance_timeout = Duration::from_ms(m.rebalance_timeout_ms);
        let Some(m) = self.members.get_mut(member_id) else { return };
        let set_epoch = |m: &mut ConsumerMember, epoch: i32| {
            if m.epoch != epoch {
                m.previous_epoch = m.epoch;
                m.epoch = epoch;
            }
        };
        if !revoke.is_empty() && owns_any(&revoke) {
            set_epoch(m, from_epoch);
            m.state = Reconciliation::UnrevokedPartitions;
            m.assigned = kept;
            m.pending_revocation = revoke;
            if m.revocation_deadline.is_none() {
                m.revocation_deadline = Some(now + rebalance_timeout);
            }
            return;
        }
        let mut assigned = kept;
        assigned.extend(add);
        crate::sort::sort(&mut assigned);
        set_epoch(m, target_epoch);
        m.state = if unreleased { Reconciliation::UnreleasedPartitions } else { Reconciliation::Stable };
        m.assigned = assigned;
        m.pending_revocation.clear();
        m.revocation_deadline = None;
    }

    /// `ConsumerGroup.maybeUpdateGroupState`.
    pub(super) fn update_state(&mut self) {
        self.state = if self.members.is_empty() {
            ConsumerGroupState::Empty
        } else if self.epoch > self.assignment_epoch {
            ConsumerGroupState::Assigning
        } else if self.members.values().any(|m| m.epoch != self.assignment_epoch || m.state != Reconciliation::Stable) {
            ConsumerGroupState::Reconciling
        } else {
            ConsumerGroupState::Stable
        };
    }

    /// Session and revocation deadlines that passed: those members are fenced.
    pub fn tick(&mut self, partitions: &dyn Fn(&str) -> Option<u32>, now: Instant) -> Vec<Fenced> {
        let mut fenced = Vec::new();
        let due: Vec<(String, &'static str)> = self
            .members
            .values()
            .filter_map(|m| {
                if m.session_deadline <= now {
                    Some((m.id.clone(), "the member session expired (group.consumer.session.timeout.ms)"))
                } else if m.revocation_deadline.is_some_and(|d| d <= now) {
                    Some((m.id.clone(), "it did not revoke its partitions within its rebalance timeout"))
                } else {
                    None
                }
            })
            .collect();
        for (id, why) in due {
            self.remove(&id, partitions);
            fenced.push((id, why));
        }
        fenced
    }

    /// The next session or revocation deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        let members = self.members.values().flat_map(|m| [Some(m.session_deadline), m.revocation_deadline]);
        members.flatten().chain(self.regex_refresh_at).min()
    }

    /// OffsetCommit under the consumer protocol (`ConsumerGroup.validateOffsetCommit`): the
    /// member must exist and commit with its current epoch.
    pub fn validate_commit(&self, member_id: &str, epoch: Option<u32>) -> Result<(), KafkaError> {
        let Some(epoch) = epoch else {
            // A commit without member id and epoch (a consumer outside the group) is only
            // accepted while the group is empty.
            return if self.members.is_empty() { Ok(()) } else { Err(KafkaError::UnknownMemberId) };
        };
        let m = self.members.get(member_id).ok_or(KafkaError::UnknownMemberId)?;
        if i64::from(epoch) != i64::from(m.epoch) {
            return Err(KafkaError::StaleMemberEpoch);
        }
        Ok(())
    }

    /// The describe rows: member id, client, assignment.
    pub fn describe(&self) -> Vec<(String, String, Vec<TopicPartition>)> {
        self.members.values().map(|m| (m.id.clone(), m.client.to_string(), m.assigned.clone())).collect()
    }

    /// Deleted (DeleteGroups): only an empty group may be.
    pub fn delete(&mut self) -> Result<(), KafkaError> {
        if !self.members.is_empty() {
            return Err(KafkaError::NonEmptyGroup);
        }
        self.state = ConsumerGroupState::Dead;
        Ok(())
    }
}

#[cfg(test)]
#[allow(non_snake_case)] // Tests ported from Kafka keep their Java names.
mod tests {
    use super::*;
    use alloc::vec;

    fn tp(t: &str, p: u32) -> TopicPartition {
        TopicPartition::new(t, p)
    }

    fn counts(topic: &str) -> Option<u32> {
        (topic == "orders").then_some(3)
    }

    fn join(g: &mut ConsumerGroup, id: &str, at: u64) -> HeartbeatAnswer {
        let req = HeartbeatRequest {
            member_id: id.into(),
            member_epoch: 0,
            rebalance_timeout_ms: Some(300_000),
            topics: Some(vec!["orders".into()]),
            owned: Some(Vec::new()),
            ..Default::default()
        };
        g.heartbeat(req, Node::Client(id.into()), &counts, Instant::from_ms(at)).expect("joins")
    }

    fn beat(g: &mut ConsumerGroup, id: &str, epoch: i32, owned: &[TopicPartition], at: u64) -> HeartbeatAnswer {
        let req = HeartbeatRequest {
            member_id: id.into(),
            member_epoch: epoch,
            owned: Some(owned.to_vec()),
            ..Default::default()
        };
        g.heartbeat(req, Node::Client(id.into()), &counts, Instant::from_ms(at)).expect("heartbeat accepted")
    }

    #[test]
    fn a_partition_moves_only_after_its_owner_revoked_it() {
        let mut g = ConsumerGroup::new("g", ConsumerGroupSettings::default());
        let a = join(&mut g, "a", 0);
        assert_eq!(
            (a.member_epoch, a.assignment.clone()),
            (1, Some(vec![tp("orders", 0), tp("orders", 1), tp("orders", 2)]))
        );
        assert_eq!(g.state, ConsumerGroupState::Stable);
        // b joins: epoch 2, the target gives it one partition a still owns.
        let b = join(&mut g, "b", 10);
        assert_eq!((b.member_epoch, b.assignment), (2, Some(Vec::new())), "b waits for a partition a holds");
        assert_eq!(g.state, ConsumerGroupState::Reconciling);
        // a's next heartbeat asks it to revoke, at its old epoch.
        let a = beat(&mut g, "a", 1, &[tp("orders", 0), tp("orders", 1), tp("orders", 2)], 20);
        assert_eq!(a.member_epoch, 1);
        let a_keeps = a.assignment.expect("a's assignment shrank");
        assert_eq!(a_keeps.len(), 2);
        let moved = [tp("orders", 0), tp("orders", 1), tp("orders", 2)].into_iter().find(|p| !a_keeps.contains(p));
        let moved = moved.expect("one partition moves");
        // b still cannot have it: a has not acknowledged.
        let b = beat(&mut g, "b", 2, &[], 30);
        assert_eq!(b.assignment, None);
        // a acknowledges the revocation: epoch 2.
        let a = beat(&mut g, "a", 1, &a_keeps, 40);
        assert_eq!(a.member_epoch, 2);
        let b = beat(&mut g, "b", 2, &[], 50);
        assert_eq!(b.assignment, Some(vec![moved]));
        assert_eq!(g.state, ConsumerGroupState::Stable);
    }

    #[test]
    fn an_epoch_ahead_is_fenced_and_the_previous_one_accepted_once() {
        let mut g = ConsumerGroup::new("g", ConsumerGroupSettings::default());
        join(&mut g, "a", 0);
        let req =
            HeartbeatRequest { member_id: "a".into(), member_epoch: 5, owned: Some(Vec::new()), ..Default::default() };
        assert_eq!(
            g.heartbeat(req, Node::Client("a".into()), &counts, Instant::ZERO),
            Err(KafkaError::FencedMemberEpoch)
        );
        let unknown = HeartbeatRequest { member_id: "z".into(), member_epoch: 3, ..Default::default() };
        assert_eq!(
            g.heartbeat(unknown, Node::Client("z".into()), &counts, Instant::ZERO),
            Err(KafkaError::UnknownMemberId)
        );
    }

    /// GroupMetadataManagerTest's rejoin tests of KAFKA-19233: a member the coordinator still has
    /// comes back with epoch 0 (fenced, it kept its member id) and gets its assignment again.
    #[test]
    fn a_fenced_member_rejoins_with_epoch_zero_under_its_member_id() {
        let mut g = ConsumerGroup::new("g", ConsumerGroupSettings::default());
        join(&mut g, "a", 0);
        let again = join(&mut g, "a", 100);
        assert_eq!(again.member_epoch, 1, "the same epoch: nothing changed in the group");
        assert_eq!(again.assignment.map(|v| v.len()), Some(3), "the whole assignment, as to a full request");
        assert_eq!(g.epoch, 1, "no new group epoch");
    }

    #[test]
    fn a_silent_member_is_fenced_after_the_session_timeout() {
        let mut g = ConsumerGroup::new("g", ConsumerGroupSettings::default());
        join(&mut g, "a", 0);
        join(&mut g, "b", 0);
        beat(&mut g, "a", 1, &[], 40_000);
        assert_eq!(g.next_deadline(), Some(Instant::from_ms(45_000)));
        let fenced = g.tick(&counts, Instant::from_ms(45_000));
        assert_eq!(fenced.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), vec!["b"]);
        assert_eq!(g.state, ConsumerGroupState::Assigning, "the epoch moved; no target yet");
        let a = beat(&mut g, "a", 2, &[], 46_000);
        assert_eq!(a.member_epoch, 3);
        assert_eq!(a.assignment.map(|v| v.len()), Some(3), "a's target takes b's partitions");
    }

    /// Topics `foo` (6 partitions), `bar` (3), and `fooo` (1) once created.
    fn foo_topics(topic: &str) -> Option<u32> {
        match topic {
            "foo" => Some(6),
            "bar" => Some(3),
            "fooo" => Some(1),
            _ => None,
        }
    }

    fn regex_join(g: &mut ConsumerGroup, id: &str, regex: &str, at: u64) -> HeartbeatAnswer {
        let req = HeartbeatRequest {
            member_id: id.into(),
            member_epoch: 0,
            rebalance_timeout_ms: Some(5_000),
            regex: Some(regex.into()),
            owned: Some(Vec::new()),
            ..Default::default()
        };
        g.heartbeat(req, Node::Client(id.into()), &foo_topics, Instant::from_ms(at)).expect("joins")
    }

    fn regex_beat(g: &mut ConsumerGroup, id: &str, at: u64) -> HeartbeatAnswer {
        let epoch = g.members.get(id).map_or(0, |m| m.epoch);
        // At epoch 0 (a new group whose regexes are not resolved yet) a heartbeat is a full one.
        let full = epoch == 0;
        let req = HeartbeatRequest {
            member_id: id.into(),
            member_epoch: epoch,
            rebalance_timeout_ms: full.then_some(5_000),
            topics: full.then(Vec::new),
            owned: full.then(Vec::new),
            ..Default::default()
        };
        g.heartbeat(req, Node::Client(id.into()), &foo_topics, Instant::from_ms(at)).expect("heartbeat accepted")
    }

    /// GroupMetadataManagerTest.testConsumerHeartbeatRegexValidation.
    #[test]
    fn testConsumerHeartbeatRegexValidation() {
        let mut g = ConsumerGroup::new("foo", ConsumerGroupSettings::default());
        let req = HeartbeatRequest {
            member_id: "m".into(),
            rebalance_timeout_ms: Some(5_000),
            regex: Some("[".into()),
            owned: Some(Vec::new()),
            ..Default::default()
        };
        let err = g.heartbeat(req, Node::Client("m".into()), &foo_topics, Instant::ZERO).unwrap_err();
        assert_eq!(err.name(), "INVALID_REGULAR_EXPRESSION");
        let text = alloc::format!("{err}");
        assert!(
            text.starts_with(
                "INVALID_REGULAR_EXPRESSION: SubscribedTopicRegex `[` is not a valid regular expression: "
            ),
            "{text}"
        );
        assert!(g.members.is_empty(), "a refused heartbeat changes nothing");
        regex_join(&mut g, "m", ".*", 0);
        assert_eq!(g.members.len(), 1);
    }

    /// GroupMetadataManagerTest.testConsumerGroupMemberJoinsWithNewRegex: a member bringing a
    /// regex nobody has joins at the current epoch with nothing; the coordinator's task resolves
    /// it and only then is the group epoch bumped.
    #[test]
    fn testConsumerGroupMemberJoinsWithNewRegex() {
        let mut g = ConsumerGroup::new("fooup", ConsumerGroupSettings::default());
        let req = HeartbeatRequest {
            member_id: "m1".into(),
            rebalance_timeout_ms: Some(5_000),
            topics: Some(vec!["foo".into()]),
            owned: Some(Vec::new()),
            ..Default::default()
        };
        g.heartbeat(req, Node::Client("m1".into()), &foo_topics, Instant::ZERO).expect("joins");
        assert_eq!(g.epoch, 1);
        let m2 = regex_join(&mut g, "m2", "foo*", 10);
        assert_eq!((m2.member_epoch, m2.assignment), (1, Some(Vec::new())), "at the current epoch, nothing yet");
        assert_eq!(g.epoch, 1, "no bump before the regex is resolved");
        assert_eq!(g.regex_refresh_at, Some(Instant::from_ms(10)), "the resolution is scheduled");
        let names = ["bar", "foo"];
        let changed = g.resolve_regexes(names.iter().copied(), 12_345, &foo_topics, Instant::from_ms(11));
        assert_eq!(changed, vec![("foo*".into(), vec!["foo".into()])]);
        assert_eq!(g.resolved.get("foo*").map(|r| (r.version, r.time_ms)), Some((12_345, 11)));
        assert_eq!((g.epoch, g.regex_refresh_at), (2, None), "the group epoch is bumped");
    }

    /// GroupMetadataManagerTest.testConsumerGroupMemberPicksUpExistingResolvedRegularExpression.
    #[test]
    fn testConsumerGroupMemberPicksUpExistingResolvedRegularExpression() {
        let mut g = ConsumerGroup::new("fooup", ConsumerGroupSettings::default());
        regex_join(&mut g, "m1", "foo*", 0);
        g.resolve_regexes(["foo"].into_iter(), 100, &foo_topics, Instant::from_ms(1));
        regex_beat(&mut g, "m1", 2);
        assert_eq!(g.epoch, 1);
        let m2 = regex_join(&mut g, "m2", "foo*", 3);
        assert_eq!(m2.member_epoch, 2, "an already resolved regex bumps the group epoch at once");
        assert_eq!(g.regex_refresh_at, None, "and needs no resolution");
    }

    /// GroupMetadataManagerTest.testConsumerGroupMemberJoinRefreshesExpiredRegexes: new topics
    /// bring a resolution, but not within 10 s of the last one.
    #[test]
    fn testConsumerGroupMemberJoinRefreshesExpiredRegexes() {
        let mut g = ConsumerGroup::new("fooup", ConsumerGroupSettings::default());
        regex_join(&mut g, "m1", "foo*", 0);
        regex_join(&mut g, "m2", "bar*", 0);
        let changed = g.resolve_regexes(["bar", "foo"].into_iter(), 1, &foo_topics, Instant::ZERO);
        assert_eq!(changed.len(), 2);
        regex_beat(&mut g, "m1", 1);
        regex_beat(&mut g, "m2", 1);
        let epoch = g.epoch;
        // The image now has topic fooo (created at metadata offset 2).
        g.new_topics_at = 2;
        regex_beat(&mut g, "m1", 1_000);
        assert_eq!(g.regex_refresh_at, None, "not scheduled: resolved less than 10 s ago");
        regex_beat(&mut g, "m1", 12_000);
        assert_eq!(g.regex_refresh_at, Some(Instant::from_ms(12_000)), "scheduled");
        let changed = g.resolve_regexes(["bar", "foo", "fooo"].into_iter(), 2, &foo_topics, Instant::from_ms(12_000));
        assert_eq!(changed, vec![("foo*".into(), vec!["foo".into(), "fooo".into()])], "bar* is unchanged");
        assert_eq!(g.resolved.get("bar*").map(|r| r.version), Some(2), "both are resolved again");
        assert_eq!(g.epoch, epoch + 1);
    }

    /// GroupMetadataManagerTest.testConsumerGroupMemberClearsRegex: clearing the regex is a
    /// subscription change the group acts on at once; the resolved regex goes with its last member.
    #[test]
    fn testConsumerGroupMemberClearsRegex() {
        let mut g = ConsumerGroup::new("fooup", ConsumerGroupSettings::default());
        regex_join(&mut g, "m1", "foo*", 0);
        g.resolve_regexes(["foo"].into_iter(), 1, &foo_topics, Instant::ZERO);
        let a = regex_beat(&mut g, "m1", 1);
        assert_eq!(a.assignment.map(|v| v.len()), Some(6));
        let req = HeartbeatRequest {
            member_id: "m1".into(),
            member_epoch: 1,
            regex: Some(String::new()),
            ..Default::default()
        };
        g.heartbeat(req, Node::Client("m1".into()), &foo_topics, Instant::from_ms(2)).expect("accepted");
        assert_eq!(g.epoch, 2, "bumped at once");
        assert!(g.resolved.is_empty(), "nobody is subscribed to foo* any more");
        assert_eq!(g.members.get("m1").map(|m| m.regex.clone()), Some(None));
    }

    /// GroupMetadataManagerTest.testResolvedRegularExpressionsRemovedWhenMembersLeaveOrFenced.
    #[test]
    fn testResolvedRegularExpressionsRemovedWhenMembersLeaveOrFenced() {
        let mut g = ConsumerGroup::new("fooup", ConsumerGroupSettings::default());
        regex_join(&mut g, "m1", "foo*", 0);
        regex_join(&mut g, "m2", "bar*", 0);
        g.resolve_regexes(["bar", "foo"].into_iter(), 1, &foo_topics, Instant::ZERO);
        let leave =
            HeartbeatRequest { member_id: "m1".into(), member_epoch: LEAVE_GROUP_MEMBER_EPOCH, ..Default::default() };
        g.heartbeat(leave, Node::Client("m1".into()), &foo_topics, Instant::from_ms(1)).expect("leaves");
        assert_eq!(g.resolved.keys().cloned().collect::<Vec<_>>(), vec![String::from("bar*")]);
        let fenced = g.tick(&foo_topics, Instant::from_ms(CONSUMER_SESSION_TIMEOUT_MS));
        assert_eq!(fenced.len(), 1);
        assert!(g.resolved.is_empty());
    }

    #[test]
    fn an_unsupported_assignor_is_refused_with_kafkas_message() {
        let mut g = ConsumerGroup::new("g", ConsumerGroupSettings::default());
        let req = HeartbeatRequest {
            member_id: "a".into(),
            rebalance_timeout_ms: Some(1),
            topics: Some(vec!["orders".into()]),
            owned: Some(Vec::new()),
            assignor: Some("sticky".into()),
            ..Default::default()
        };
        let err = g.heartbeat(req, Node::Client("a".into()), &counts, Instant::ZERO).unwrap_err();
        assert_eq!(
            alloc::format!("{err}"),
            "UNSUPPORTED_ASSIGNOR: ServerAssignor sticky is not supported. Supported assignors: uniform, range."
        );
    }
}
