//! The consumer's side of its group, as the Java client's
//! `ConsumerCoordinator` runs the classic protocol: find the coordinator,
//! join (learning a member id first, KIP-394), let the leader assign with the
//! chosen assignor, sync, heartbeat every heartbeat.interval.ms, take
//! starting positions from committed offsets (OffsetFetch), commit
//! (OffsetCommit: on request, automatically inside poll, before a rebalance
//! and on close), and leave on close or when max.poll.interval.ms passes
//! without a poll.
//!
//! Rebalances are eager or cooperative, as the assignors allow. Eager: before
//! rejoining, a member revokes every partition (committing first when
//! auto-commit is on). Cooperative (only cooperative-sticky listed): a member
//! keeps consuming through the rebalance, revokes only what its new
//! assignment lacks, and then rejoins once more so the group can hand those
//! partitions on. Either way, partitions are lost, not revoked, when the
//! member's generation is no longer valid.

use super::Consumer;
use crate::client::config::AssignorName;
use crate::command::CommitOffset;
use crate::effects::{Effects, Timer};
use crate::error::{CommandError, KafkaError};
use crate::event::EventKind;
use crate::group::assignor::{self, Member};
use crate::group::coordinator::{JoinResult, Subscription};
use crate::pattern::TopicPattern;
use crate::protocol::{Request, Response, TopicPartition};
use crate::sorted::{SortedMap, SortedSet};
use crate::time::{Duration, Instant};
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

/// Where a member is in the protocol (the Java client's `MemberState`, with
/// the wait for the assignment made explicit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum MemberState {
    Unjoined,
    Joining,
    /// Joined; waiting for SyncGroup to bring the assignment.
    Syncing,
    Stable,
    /// Consumer protocol: an assignment arrived; revoking waits for the commit before it.
    Reconciling,
    /// Consumer protocol: reconciled; the heartbeat telling the coordinator is on its way.
    Acknowledging,
}

impl MemberState {
    pub fn name(self) -> &'static str {
        match self {
            MemberState::Unjoined => "unjoined",
            MemberState::Joining => "joining",
            MemberState::Syncing => "syncing",
            MemberState::Stable => "stable",
            MemberState::Reconciling => "reconciling",
            MemberState::Acknowledging => "acknowledging",
        }
    }
}

/// What a consumer with a `group.id` knows of its group.
#[derive(Clone, Debug)]
pub struct GroupMember {
    pub group: String,
    /// Topics of `subscribe` (or those its pattern matches now); empty when the consumer assigns
    /// partitions itself.
    pub subscription: Vec<String>,
    /// `subscribe(Pattern)`: the subscription follows the topics metadata shows.
    pub pattern: Option<TopicPattern>,
    /// A pattern has been matched against a full topic list at least once.
    pub(super) pattern_resolved: bool,
    /// `subscribe(SubscriptionPattern)`: the RE2/J regex the group coordinator resolves (consumer
    /// protocol only); the topics arrive as the assignment.
    pub regex: Option<String>,
    pub coordinator: Option<u32>,
    pub member_id: String,
    pub generation: Option<u32>,
    pub state: MemberState,
    pub leader: bool,
    pub protocol: String,
    pub rejoin_needed: bool,
    /// Offsets this consumer knows the group has committed.
    pub committed: SortedMap<TopicPartition, u64>,
    /// Assigned partitions the group has no commit for: auto.offset.reset decides.
    pub(super) no_committed: SortedSet<TopicPartition>,
    /// The last assignment and its generation, which the sticky assignor's user data carries.
    last_assignment: Vec<TopicPartition>,
    last_generation: Option<u32>,
    /// Commits in the order the application made them, each sent as soon as the coordinator is
    /// known and kept until answered (Java sends every commitAsync in order, and commitSync
    /// completes before the next); at most [`COMMITS_QUEUED_MAX`].
    pub(super) commits: VecDeque<QueuedCommit>,
    /// Partition counts the leader assigned with; other counts in fresh metadata mean rejoin.
    assigned_counts: SortedMap<String, u32>,
    /// The leader's join answer, kept until metadata of every subscribed topic is known.
    pending_assign: Option<JoinResult>,
    /// No FindCoordinator before this (retry.backoff.ms after a failure).
    pub(super) retry_at: Instant,
    /// No OffsetFetch before this: retry.backoff.ms after UNSTABLE_OFFSET_COMMIT.
    offset_fetch_at: Instant,
    /// No commit sent before this: retry.backoff.ms after STALE_MEMBER_EPOCH (the member's epoch
    /// has to catch up first).
    commit_retry_at: Instant,
    /// A `GroupRetry` timer is set: a waiting poll is not over yet.
    pub(super) retry_armed: bool,
    pub last_poll: Instant,
    next_auto_commit: Option<Instant>,
    /// The consumer group protocol's state (`group.protocol=consumer`).
    pub membership: super::membership::Membership,
}

/// Commits a member keeps waiting for the coordinator or its answer; a commit past them fails at
/// once (Java's commitSync would time out; commitAsync's callback would get the error).
pub const COMMITS_QUEUED_MAX: usize = 64;

/// A commit on its way: why (`sync`, `async`, `auto`, `rebalance`, `close`, ...), what, and
/// whether it is out.
#[derive(Clone, Debug)]
pub(super) struct QueuedCommit {
    pub(super) why: &'static str,
    offsets: Vec<CommitOffset>,
    sent: bool,
    /// The generation the commit was made in. A commit still waiting when the member's generation
    /// changed is failed, not sent under the new one: Java's commitSync blocks the poll loop, so
    /// no rebalance completes while it retries, and a commit of the old assignment's offsets
    /// under the new generation would move partitions another member now owns.
    generation: Option<u32>,
    /// A commitSync (the person's `commit`, or the loop's before / after processing): the
    /// application waits for its answer before its next step.
    blocking: bool,
}

impl GroupMember {
    pub fn new(group: String) -> Self {
        GroupMember {
            group,
            subscription: Vec::new(),
            pattern: None,
            pattern_resolved: false,
            regex: None,
            coordinator: None,
            member_id: String::new(),
            generation: None,
            state: MemberState::Unjoined,
            leader: false,
            protocol: String::new(),
            rejoin_needed: false,
            committed: SortedMap::new(),
            no_committed: SortedSet::new(),
            last_assignment: Vec::new(),
            last_generation: None,
            commits: VecDeque::new(),
            pending_assign: None,
            assigned_counts: SortedMap::new(),
            retry_at: Instant::ZERO,
            offset_fetch_at: Instant::ZERO,
            commit_retry_at: Instant::ZERO,
            retry_armed: false,
            last_poll: Instant::ZERO,
            next_auto_commit: None,
            membership: Default::default(),
        }
    }

    /// The state's name, as the Java client's `MemberState` names it for the member's protocol.
    pub fn state_name(&self) -> &'static str {
        if self.membership.epoch > 0 || self.state != MemberState::Unjoined {
            self.state.name()
        } else {
            "unjoined"
        }
    }

    /// Whether the consumer subscribed (to topics or a pattern) rather than assigned.
    pub fn subscribed(&self) -> bool {
        !self.subscription.is_empty() || self.pattern.is_some() || self.regex.is_some()
    }

    /// Kafka's `resetGeneration`: a member whose generation the coordinator refused starts over.
    fn reset_generation(&mut self, forget_member_id: bool) {
        self.generation = None;
        self.state = MemberState::Unjoined;
        self.leader = false;
        self.rejoin_needed = true;
        if forget_member_id {
            self.member_id.clear();
        }
    }
}

/// The Java client's message for group operations without a group.id.
fn no_group_id() -> CommandError {
    CommandError::Invalid(
        "To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration."
            .into(),
    )
}

impl Consumer {
    fn group_request_out(&self, api: &str) -> bool {
        self.conn.in_flight().any(|(_, f)| f.request.api() == api)
    }

    /// `subscribe(topics)` or `subscribe(pattern)`: the group assigns partitions; a changed
    /// subscription rejoins.
    pub fn subscribe(&mut self, topics: Vec<String>, pattern: Option<TopicPattern>) -> Result<(), CommandError> {
        let manual = !self.assignment.is_empty();
        let g = self.group.as_mut().ok_or_else(no_group_id)?;
        if manual && !g.subscribed() {
            return Err(CommandError::Invalid(
                "Subscription to topics, partitions and pattern are mutually exclusive".into(),
            ));
        }
        if topics.is_empty() && pattern.is_none() {
            return Err(CommandError::Invalid("subscribe needs at least one topic".into()));
        }
        if pattern.is_some() {
            if g.pattern != pattern {
                g.pattern = pattern;
                g.pattern_resolved = false;
                g.regex = None;
                g.rejoin_needed = true;
            }
        } else if g.subscription != topics || g.pattern.is_some() || g.regex.is_some() {
            g.pattern = None;
            g.regex = None;
            g.subscription = topics;
            g.rejoin_needed = true;
        }
        Ok(())
    }

    /// `subscribe(SubscriptionPattern)`: the regex goes to the coordinator with the next
    /// heartbeat, which resolves it; only the consumer group protocol has it.
    pub fn subscribe_regex(&mut self, regex: &str) -> Result<(), CommandError> {
        if !self.config.consumer_protocol {
            // `ClassicKafkaConsumer.subscribe(SubscriptionPattern)`.
            return Err(CommandError::Invalid(
                "UnsupportedOperationException: Subscribe to RE2/J pattern is not supported when using the CLASSIC protocol defined in config group.protocol".into(),
            ));
        }
        let manual = !self.assignment.is_empty();
        let g = self.group.as_mut().ok_or_else(no_group_id)?;
        if manual && !g.subscribed() {
            return Err(CommandError::Invalid(
                "Subscription to topics, partitions and pattern are mutually exclusive".into(),
            ));
        }
        if g.regex.as_deref() != Some(regex) {
            g.regex = Some(regex.into());
            g.pattern = None;
            g.pattern_resolved = false;
            g.subscription.clear();
            g.rejoin_needed = true;
        }
        Ok(())
    }

    /// Whether a partition without a position waits for the group's committed offset.
    pub(super) fn awaits_committed(&self, tp: &TopicPartition) -> bool {
        self.group.as_ref().is_some_and(|g| !g.no_committed.contains(tp))
            && !self.pending_seeks.contains_key(tp)
            && !self.resetting.contains(tp)
    }

    /// Whether a commitSync is unanswered (the application's thread is inside it).
    pub(super) fn sync_commit_pending(&self) -> bool {
        self.group.as_ref().is_some_and(|g| g.commits.iter().any(|c| c.blocking))
    }

    /// Positions of assigned partitions, as `commitSync()` without arguments commits them.
    /// `groupMetadata()` as sendOffsetsToTransaction takes it: the member id and generation while
    /// the consumer is in its group (KIP-447), else nothing to fence by.
    pub fn group_metadata(&self) -> Option<(String, u32)> {
        let g = self.group.as_ref()?;
        g.generation.map(|generation| (g.member_id.clone(), generation))
    }

    pub(super) fn consumed(&self) -> Vec<(TopicPartition, u64)> {
        self.assignment.iter().filter_map(|tp| self.positions.get(tp).map(|&o| (tp.clone(), o))).collect()
    }

    /// `commitSync()` (all consumed positions), `commitSync(offsets)`, or the
    /// same with `commitAsync`, which does not try again with a new coordinator.
    pub fn commit(
        &mut self,
        offsets: Option<Vec<CommitOffset>>,
        asynchronous: bool,
        fx: &mut Effects,
    ) -> Result<(), CommandError> {
        if self.group.is_none() {
            return Err(no_group_id());
        }
        let offsets = match offsets {
            Some(o) => {
                o.iter().try_for_each(|(tp, _, _)| self.check_assigned(tp))?;
                o
            }
            None => self.consumed().into_iter().map(|(tp, o)| (tp, o, String::new())).collect(),
        };
        self.queue_commit_offsets(if asynchronous { "async" } else { "sync" }, offsets, fx);
        Ok(())
    }

    /// Commits offsets without metadata.
    pub(super) fn queue_commit(&mut self, why: &'static str, offsets: Vec<(TopicPartition, u64)>, fx: &mut Effects) {
        let offsets = offsets.into_iter().map(|(tp, o)| (tp, o, String::new())).collect();
        self.queue_commit_offsets(why, offsets, fx);
    }

    fn queue_commit_offsets(&mut self, why: &'static str, offsets: Vec<CommitOffset>, fx: &mut Effects) {
        let consumer = self.conn.name.clone();
        let Some(g) = self.group.as_mut() else {
            return;
        };
        if offsets.is_empty() {
            return;
        }
        if g.commits.len() >= COMMITS_QUEUED_MAX {
            let error = KafkaError::Timeout(alloc::format!(
                "{COMMITS_QUEUED_MAX} commits are already waiting for the group coordinator"
            ));
            fx.event(EventKind::CommitFailed { consumer, why, error });
            return;
        }
        let generation = g.generation;
        let blocking = matches!(why, "sync" | "before processing" | "after processing");
        g.commits.push_back(QueuedCommit { why, offsets, sent: false, generation, blocking });
        self.send_commits(fx);
    }

    /// Sends every commit not yet out, in order; without a coordinator, looks for it first (a
    /// commit before the first poll finds the coordinator itself, as commitSync does).
    pub(super) fn send_commits(&mut self, fx: &mut Effects) {
        let finding = self.group_request_out("FindCoordinator");
        let consumer = self.conn.name.clone();
        let Some(g) = self.group.as_mut() else {
            return;
        };
        let generation = g.generation;
        // A subscribed member commits only as a member of a stable generation
        // (`ConsumerCoordinator.sendOffsetCommitRequest`'s `generationIfStable`): while it
        // rejoins the commit fails with RebalanceInProgressException, and when it is not in the
        // group (removed, or not joined yet) with CommitFailedException, never as generation -1.
        // A consumer with assigned partitions commits outside any generation.
        let consumer_protocol = self.config.consumer_protocol;
        let outside = match g.state {
            _ if !g.subscribed() => None,
            // The consumer protocol has no group-wide rebalance: a member commits with its
            // epoch whenever it has one (a commit queued under an older epoch goes with the new).
            _ if consumer_protocol && generation.is_some() => None,
            _ if consumer_protocol => Some(KafkaError::CommitFailed),
            MemberState::Stable if generation.is_some() => None,
            MemberState::Joining | MemberState::Syncing => Some(KafkaError::RebalanceInProgress),
            _ => Some(KafkaError::CommitFailed),
        };
        let mut stale = Vec::new();
        g.commits.retain(|c| {
            let error = match &outside {
                _ if c.sent => None,
                Some(e) => Some(e.clone()),
                // A commit made in an earlier generation has lost its partitions' ownership.
                None if !consumer_protocol && c.generation.is_some() && c.generation != generation => {
                    Some(KafkaError::CommitFailed)
                }
                None => None,
            };
            if let Some(error) = error {
                stale.push((c.why, error));
                return false;
            }
            true
        });
        for (why, error) in stale {
            fx.event(EventKind::CommitFailed { consumer: consumer.clone(), why, error });
        }
        if g.commits.iter().all(|c| c.sent) {
            return;
        }
        if g.commit_retry_at > fx.now {
            if !g.retry_armed {
                g.retry_armed = true;
                fx.timer_in(g.commit_retry_at.saturating_since(fx.now), Timer::GroupRetry);
            }
            return;
        }
        let Some(coordinator) = g.coordinator else {
            if finding {
                return;
            }
            if g.retry_at <= fx.now {
                if let Some(broker) = self.conn.least_loaded(fx.now) {
                    self.conn.request(broker, Request::FindCoordinator { group: g.group.clone() }, fx);
                }
            } else if !g.retry_armed {
                // Look again after retry.backoff.ms, as commitSync does within its timeout.
                g.retry_armed = true;
                fx.timer_in(g.retry_at.saturating_since(fx.now), Timer::GroupRetry);
            }
            return;
        };
        let mut requests = Vec::new();
        for c in g.commits.iter_mut().filter(|c| !c.sent) {
            c.sent = true;
            requests.push(Request::OffsetCommit {
                group: g.group.clone(),
                member_id: g.member_id.clone(),
                // A member that is not in the group (generation -1) commits without naming an instance.
                group_instance_id: g.generation.and(self.config.group_instance_id.clone()),
                generation: g.generation,
                offsets: c.offsets.clone(),
            });
        }
        for request in requests {
            self.conn.request(coordinator, request, fx);
        }
    }

    /// At the start of `poll`: the poll is recorded, and auto-commit commits
    /// the positions the previous poll reached once the interval has passed.
    pub(super) fn on_poll_start(&mut self, fx: &mut Effects) {
        let now = fx.now;
        let auto = self.config.enable_auto_commit;
        let interval = Duration::from_ms(self.config.auto_commit_interval_ms);
        let Some(g) = self.group.as_mut() else {
            return;
        };
        g.last_poll = now;
        if !auto {
            return;
        }
        match g.next_auto_commit {
            None => g.next_auto_commit = Some(now + interval),
            Some(at) if at <= now => {
                g.next_auto_commit = Some(now + interval);
                let offsets = self.consumed();
                // The Java client commits every interval regardless; committing only what
                // moved keeps the trace readable and changes no committed offset.
                let committed = self.group.as_ref().map(|g| &g.committed);
                if offsets.iter().any(|(tp, o)| committed.and_then(|c| c.get(tp)) != Some(o)) {
                    self.queue_commit("auto", offsets, fx);
                }
            }
            Some(_) => {}
        }
    }

    /// The group's part of each round: coordinator, commits, joining, committed offsets.
    pub(super) fn drive_group(&mut self, fx: &mut Effects) {
        let Some(g) = self.group.as_ref() else {
            return;
        };
        let Some(coordinator) = g.coordinator else {
            if self.group_request_out("FindCoordinator") {
                return;
            }
            if g.retry_at <= fx.now {
                if let Some(broker) = self.conn.least_loaded(fx.now) {
                    self.conn.request(broker, Request::FindCoordinator { group: g.group.clone() }, fx);
                }
            } else if !g.retry_armed {
                // A poll goes on trying after retry.backoff.ms, as the Java client's poll does within its timeout.
                let after = g.retry_at.saturating_since(fx.now);
                if let Some(g) = self.group.as_mut() {
                    g.retry_armed = true;
                }
                fx.timer_in(after, Timer::GroupRetry);
            }
            return;
        };
        self.send_commits(fx);
        if self.config.consumer_protocol {
            self.drive_membership(coordinator, fx);
            return self.fetch_committed(coordinator, fx);
        }
        let Some(g) = self.group.as_ref() else { return };
        let joining = self.group_request_out("JoinGroup") || self.group_request_out("SyncGroup");
        if g.pattern.is_some() && !g.pattern_resolved {
            // A pattern needs the full topic list before the first join.
            self.conn.refresh_all_metadata(fx);
            return;
        }
        if g.subscribed() && (g.rejoin_needed || g.state == MemberState::Unjoined) && !joining {
            let unknown: Vec<String> = g
                .subscription
                .iter()
                .filter(|t| !self.conn.topics.contains_key(t.as_str()) && !self.missing_topics.contains(t.as_str()))
                .cloned()
                .collect();
            if unknown.is_empty() {
                // Topics that do not exist are joined without: the leader assigns what exists, and
                // a missing topic's partitions are assigned once metadata shows it.
                self.join_group(coordinator, fx);
            } else {
                // The subscription's partitions must be known before joining (allow.auto.create.topics).
                self.conn.refresh_metadata(unknown, true, fx);
            }
        }
        self.fetch_committed(coordinator, fx);
    }

    /// OffsetFetch for assigned partitions that wait for the group's committed offsets.
    fn fetch_committed(&mut self, coordinator: u32, fx: &mut Effects) {
        let Some(g) = self.group.as_ref() else { return };
        let want: Vec<TopicPartition> = self
            .assignment
            .iter()
            .filter(|tp| !self.positions.contains_key(*tp) && self.awaits_committed(tp))
            .cloned()
            .collect();
        if !want.is_empty() && !self.group_request_out("OffsetFetch") && g.offset_fetch_at <= fx.now {
            let request = Request::OffsetFetch { group: g.group.clone(), partitions: want };
            self.conn.request(coordinator, request, fx);
        }
    }

    /// Kafka's `onJoinPrepare`, then JoinGroup.
    fn join_group(&mut self, coordinator: u32, fx: &mut Effects) {
        let consumer = self.conn.name.clone();
        let lost = self.group.as_ref().is_some_and(|g| g.generation.is_none());
        // onJoinPrepare runs once per rebalance (Java's needsJoinPrepare), not at every retry of
        // a JoinGroup that failed: one rebalance commit waiting is enough.
        let prepared = self.group.as_ref().is_some_and(|g| g.commits.iter().any(|c| c.why == "rebalance"));
        if !lost && !prepared && self.config.enable_auto_commit && !self.assignment.is_empty() {
            let offsets = self.consumed();
            self.queue_commit("rebalance", offsets, fx);
        }
        let subscription = self.group.as_ref().map(|g| g.subscription.clone()).unwrap_or_default();
        // Eager gives up everything; cooperative only partitions of topics no longer subscribed.
        let (gone, kept): (Vec<TopicPartition>, Vec<TopicPartition>) = self
            .assignment
            .iter()
            .cloned()
            .partition(|tp| lost || !self.config.cooperative() || !subscription.iter().any(|t| *t == tp.topic));
        if !gone.is_empty() {
            let change = if lost { "lost" } else { "revoked" };
            fx.event(EventKind::PartitionsChanged { consumer, change, partitions: gone });
            self.set_assignment(kept);
        }
        let rebalance_timeout_ms = self.config.max_poll_interval_ms;
        let Some(g) = self.group.as_mut() else {
            return;
        };
        g.rejoin_needed = false;
        g.state = MemberState::Joining;
        let topics = g.subscription.clone();
        let owned = self.assignment.clone();
        let protocols = self
            .config
            .partition_assignment_strategy
            .iter()
            .map(|a| {
                // The eager sticky assignor remembers its last assignment in its user data;
                // every other assignor sends what the member owns now.
                let (owned, generation) = match a {
                    AssignorName::Sticky => (g.last_assignment.clone(), g.last_generation),
                    _ => (owned.clone(), g.generation.or(g.last_generation)),
                };
                (
                    String::from(a.name()),
                    Subscription { topics: topics.clone(), owned, generation, group_instance_id: None },
                )
            })
            .collect();
        let request = Request::JoinGroup {
            group: g.group.clone(),
            member_id: g.member_id.clone(),
            group_instance_id: self.config.group_instance_id.clone(),
            session_timeout_ms: self.config.session_timeout_ms,
            rebalance_timeout_ms,
            protocols,
        };
        // The Java client waits for a join as long as the rebalance may take, plus 5 s.
        let timeout = Duration::from_ms(self.config.request_timeout_ms.max(rebalance_timeout_ms + 5_000));
        self.conn.request_with_timeout(coordinator, request, timeout, fx);
    }

    /// The leader assigns once every subscribed topic's partition count is known.
    fn assign_as_leader(&mut self, join: JoinResult, fx: &mut Effects) {
        if join.skip_assignment {
            // KIP-814: a static leader back in a Stable group keeps the assignment as it is.
            return self.sync_group(join.generation, Vec::new(), fx);
        }
        let topics: SortedSet<String> = join.members.iter().flat_map(|(_, s)| s.topics.iter().cloned()).collect();
        let unknown: Vec<String> = topics
            .iter()
            .filter(|t| !self.conn.topics.contains_key(t.as_str()) && !self.missing_topics.contains(t.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            self.conn.refresh_metadata(unknown, true, fx);
            if let Some(g) = self.group.as_mut() {
                g.pending_assign = Some(join);
            }
            return;
        }
        let partitions: SortedMap<String, u32> =
            topics.iter().map(|t| (t.clone(), self.conn.partition_count(t.as_str()).unwrap_or(0))).collect();
        if let Some(g) = self.group.as_mut() {
            g.assigned_counts = partitions.clone();
        }
        let members: Vec<Member> = join
            .members
            .iter()
            .map(|(id, s)| Member {
                member_id: id.clone(),
                group_instance_id: s.group_instance_id.clone(),
                topics: s.topics.clone(),
                owned: s.owned.clone(),
                generation: s.generation,
            })
            .collect();
        let assignment = match AssignorName::from_name(&join.protocol) {
            Some(AssignorName::RoundRobin) => assignor::round_robin(&members, &partitions),
            Some(AssignorName::Sticky) => assignor::sticky(&members, &partitions).assignment,
            Some(AssignorName::CooperativeSticky) => assignor::cooperative_sticky(&members, &partitions),
            Some(AssignorName::Range) | None => assignor::range(&members, &partitions),
        };
        self.sync_group(join.generation, assignment.into_iter().collect(), fx);
    }

    fn sync_group(&mut self, generation: u32, assignments: Vec<(String, Vec<TopicPartition>)>, fx: &mut Effects) {
        let Some(g) = self.group.as_mut() else {
            return;
        };
        let Some(coordinator) = g.coordinator else {
            g.reset_generation(false);
            return;
        };
        g.state = MemberState::Syncing;
        let request = Request::SyncGroup {
            group: g.group.clone(),
            member_id: g.member_id.clone(),
            group_instance_id: self.config.group_instance_id.clone(),
            generation,
            assignments,
        };
        self.conn.request(coordinator, request, fx);
    }

    /// Answers to the group's requests. Returns `false` for other answers.
    pub(super) fn on_group_response(&mut self, request: &Request, response: &Response, fx: &mut Effects) -> bool {
        let consumer = self.conn.name.clone();
        let closed = self.closed;
        let Some(g) = self.group.as_mut() else {
            return false;
        };
        match response {
            Response::FindCoordinator { result } => match result {
                Ok(broker) => g.coordinator = Some(*broker),
                Err(_) => g.retry_at = fx.now + Duration::from_ms(self.config.retry_backoff_ms),
            },
            Response::JoinGroup { member_id, result } if !closed => match result {
                Ok(join) => {
                    g.member_id = join.member_id.clone();
                    g.generation = Some(join.generation);
                    g.leader = join.leader == join.member_id;
                    g.protocol = join.protocol.clone();
                    fx.event(EventKind::JoinedGroup {
                        consumer,
                        group: g.group.clone(),
                        member_id: join.member_id.clone(),
                        generation: join.generation,
                        leader: g.leader,
                        protocol: join.protocol.clone(),
                        skip_assignment: join.skip_assignment,
                    });
                    let interval = Duration::from_ms(self.config.heartbeat_interval_ms);
                    fx.cancel(Timer::GroupHeartbeat);
                    fx.timer_in(interval, Timer::GroupHeartbeat);
                    fx.cancel(Timer::MetadataRefresh);
                    fx.timer_in(Duration::from_ms(self.config.metadata_max_age_ms), Timer::MetadataRefresh);
                    if !g.leader {
                        g.assigned_counts.clear();
                    }
                    if g.leader {
                        self.assign_as_leader(join.clone(), fx);
                    } else {
                        self.sync_group(join.generation, Vec::new(), fx);
                    }
                }
                Err(KafkaError::MemberIdRequired) => {
                    // KIP-394: join again, now with the id the coordinator gave.
                    g.member_id = member_id.clone();
                    g.rejoin_needed = true;
                    if let Some(c) = g.coordinator {
                        self.join_group(c, fx);
                    }
                }
                Err(
                    e @ (KafkaError::InconsistentGroupProtocol(_)
                    | KafkaError::InvalidSessionTimeout
                    | KafkaError::GroupMaxSizeReached),
                ) => {
                    // JoinGroupResponseHandler raises these: poll() throws, and the loop ends.
                    g.rejoin_needed = true;
                    self.stop_polling(e.clone(), fx);
                }
                Err(e) => self.on_group_error(e.clone(), fx),
            },
            Response::SyncGroup { result } if !closed => match result {
                Ok(partitions) => {
                    g.state = MemberState::Stable;
                    // The heartbeat thread is enabled again with its timers reset: max.poll.interval.ms
                    // counts from the end of the rebalance a poll waited for (`Heartbeat.resetTimeouts`).
                    g.last_poll = fx.now;
                    if g.rejoin_needed {
                        return true;
                    }
                    g.no_committed.clear();
                    g.last_assignment = partitions.clone();
                    g.last_generation = g.generation;
                    let assigned = partitions.clone();
                    let owned = self.assignment.clone();
                    let revoked: Vec<TopicPartition> =
                        owned.iter().filter(|tp| !assigned.contains(tp)).cloned().collect();
                    let added: Vec<TopicPartition> =
                        assigned.iter().filter(|tp| !owned.contains(tp)).cloned().collect();
                    if !revoked.is_empty() {
                        // Cooperative: give these up, then rejoin so the group can hand them on.
                        fx.event(EventKind::PartitionsChanged {
                            consumer: consumer.clone(),
                            change: "revoked",
                            partitions: revoked,
                        });
                        if let Some(g) = self.group.as_mut() {
                            g.rejoin_needed = true;
                        }
                    }
                    fx.event(EventKind::PartitionsChanged { consumer, change: "assigned", partitions: added });
                    self.set_assignment(assigned);
                }
                Err(e) => self.on_group_error(e.clone(), fx),
            },
            Response::Heartbeat { result } if !closed => {
                if let Err(e) = result {
                    self.on_group_error(e.clone(), fx);
                }
            }
            Response::OffsetCommit { partitions } => {
                let sent: &[CommitOffset] = match request {
                    Request::OffsetCommit { offsets, .. } => offsets,
                    _ => &[],
                };
                // Answers come in the order the commits went out: the first out with these offsets.
                let Some(i) = g.commits.iter().position(|c| c.sent && c.offsets == sent) else {
                    return true;
                };
                let why = g.commits[i].why;
                match partitions.iter().find_map(|(_, r)| r.as_ref().err()) {
                    None => {
                        g.commits.remove(i);
                        let offsets: Vec<(TopicPartition, u64)> =
                            partitions.iter().filter_map(|(tp, r)| r.as_ref().ok().map(|o| (tp.clone(), *o))).collect();
                        g.committed.extend(offsets.iter().cloned());
                        fx.event(EventKind::OffsetsCommitted { consumer, why, offsets });
                    }
                    Some(e @ (KafkaError::NotCoordinator | KafkaError::CoordinatorNotAvailable)) => {
                        // markCoordinatorUnknown, and commitSync's retry waits retry.backoff.ms: brokers
                        // whose metadata disagree must not bounce the lookup back and forth at once.
                        g.coordinator = None;
                        g.retry_at = fx.now + Duration::from_ms(self.config.retry_backoff_ms);
                        if why == "auto" || why == "async" {
                            // commitAsync does not retry: its callback gets the error.
                            g.commits.remove(i);
                            fx.event(EventKind::CommitFailed { consumer, why, error: e.clone() });
                        } else {
                            // commitSync tries again with the coordinator found next.
                            g.commits[i].sent = false;
                        }
                    }
                    Some(KafkaError::StaleMemberEpoch) if why != "auto" && why != "async" => {
                        // The member's epoch moved while the commit was out: commitSync sends it
                        // again, after retry.backoff.ms, with the epoch its heartbeat brings.
                        g.commits[i].sent = false;
                        g.commit_retry_at = fx.now + Duration::from_ms(self.config.retry_backoff_ms);
                    }
                    Some(e) => {
                        g.commits.remove(i);
                        let error = match e {
                            KafkaError::UnknownMemberId | KafkaError::IllegalGeneration => KafkaError::CommitFailed,
                            other => other.clone(),
                        };
                        fx.event(EventKind::CommitFailed { consumer, why, error });
                        // Under the consumer protocol a refused commit changes no membership: the
                        // heartbeat alone learns of fencing.
                        if !closed && !self.config.consumer_protocol {
                            self.on_group_error(e.clone(), fx);
                        }
                    }
                }
            }
            Response::OffsetFetch { result } if !closed => match result {
                Ok(list) => {
                    for (tp, offset) in list.clone() {
                        if !self.assignment.contains(&tp)
                            || self.positions.contains_key(&tp)
                            || !self.awaits_committed(&tp)
                        {
                            continue;
                        }
                        let Some(g) = self.group.as_mut() else { return true };
                        match offset {
                            Some(offset) => {
                                g.committed.insert(tp.clone(), offset);
                                self.positions.insert(tp.clone(), offset);
                                fx.event(EventKind::PositionFromCommitted { consumer: consumer.clone(), tp, offset });
                            }
                            None => {
                                g.no_committed.insert(tp);
                            }
                        }
                    }
                }
                Err(KafkaError::UnstableOffsetCommit) => {
                    // A transaction's offsets are not decided yet: fetch again after retry.backoff.ms
                    // (UnstableOffsetCommitException is retriable; the position waits for it).
                    let backoff = Duration::from_ms(self.config.retry_backoff_ms);
                    if let Some(g) = self.group.as_mut() {
                        g.offset_fetch_at = fx.now + backoff;
                        if !g.retry_armed {
                            g.retry_armed = true;
                            fx.timer_in(backoff, Timer::GroupRetry);
                        }
                    }
                }
                Err(e) => self.on_group_error(e.clone(), fx),
            },
            Response::LeaveGroup { .. } => {}
            Response::ConsumerGroupHeartbeat { result } if !closed => {
                if let Request::ConsumerGroupHeartbeat { heartbeat, .. } = request {
                    self.on_consumer_heartbeat(heartbeat, result, fx);
                }
            }
            Response::ConsumerGroupHeartbeat { .. } => {}
            Response::JoinGroup { .. }
            | Response::SyncGroup { .. }
            | Response::Heartbeat { .. }
            | Response::OffsetFetch { .. } => {}
            _ => return false,
        }
        true
    }

    /// What an error from the coordinator means for the member.
    fn on_group_error(&mut self, error: KafkaError, fx: &mut Effects) {
        if error == KafkaError::FencedInstanceId {
            // Fatal, as the Java client's FencedInstanceIdException: a newer process holds this
            // group.instance.id, so this one (a zombie) stops for good, without leaving.
            let consumer = self.conn.name.clone();
            let group = self.group.as_ref().map(|g| g.group.clone()).unwrap_or_default();
            fx.event(EventKind::LeftGroup {
                consumer,
                group,
                why: "FENCED_INSTANCE_ID: another process took its group.instance.id; the consumer stops",
            });
            fx.cancel(Timer::GroupHeartbeat);
            self.closed = true;
            self.looping = false;
            return;
        }
        let Some(g) = self.group.as_mut() else {
            return;
        };
        match error {
            KafkaError::RebalanceInProgress => g.rejoin_needed = true,
            KafkaError::IllegalGeneration => g.reset_generation(false),
            KafkaError::UnknownMemberId => g.reset_generation(true),
            KafkaError::NotCoordinator
            | KafkaError::CoordinatorNotAvailable
            | KafkaError::RequestTimedOut
            | KafkaError::NetworkException => {
                // markCoordinatorUnknown: find it again after retry.backoff.ms.
                g.coordinator = None;
                g.retry_at = fx.now + Duration::from_ms(self.config.retry_backoff_ms);
                if g.state == MemberState::Joining || g.state == MemberState::Syncing {
                    g.rejoin_needed = true;
                }
            }
            _ => g.rejoin_needed = true,
        }
    }

    /// A group request timed out or its connection broke.
    pub(super) fn on_group_request_failed(&mut self, request: &Request, error: KafkaError, fx: &mut Effects) {
        if self.group.is_none() {
            return;
        }
        match request {
            Request::FindCoordinator { .. } => {
                if let Some(g) = self.group.as_mut() {
                    g.retry_at = fx.now + Duration::from_ms(self.config.retry_backoff_ms);
                }
            }
            Request::OffsetCommit { offsets, .. } => {
                let consumer = self.conn.name.clone();
                if let Some(g) = self.group.as_mut() {
                    if let Some(i) = g.commits.iter().position(|c| c.sent && &c.offsets == offsets) {
                        let why = g.commits[i].why;
                        if why == "auto" || why == "async" {
                            g.commits.remove(i);
                            fx.event(EventKind::CommitFailed { consumer, why, error: error.clone() });
                        } else {
                            g.commits[i].sent = false;
                        }
                    }
                }
                self.on_group_error(error, fx);
            }
            Request::ConsumerGroupHeartbeat { heartbeat, .. } if heartbeat.member_epoch >= 0 && !self.closed => {
                self.on_heartbeat_error(error, fx)
            }
            Request::JoinGroup { .. }
            | Request::SyncGroup { .. }
            | Request::Heartbeat { .. }
            | Request::OffsetFetch { .. } => self.on_group_error(error, fx),
            _ => {}
        }
    }

    /// The heartbeat thread: checks max.poll.interval.ms, then heartbeats.
    pub(super) fn on_heartbeat_timer(&mut self, fx: &mut Effects) {
        if self.config.consumer_protocol {
            return self.on_membership_timer(fx);
        }
        let now = fx.now;
        let max_poll = Duration::from_ms(self.config.max_poll_interval_ms);
        let out = self.group_request_out("Heartbeat");
        let finding = self.group_request_out("FindCoordinator");
        let consumer = self.conn.name.clone();
        let Some(g) = self.group.as_mut() else {
            return;
        };
        // The heartbeat thread runs while the member has a generation; a join arms it again.
        let Some(generation) = g.generation else {
            return;
        };
        if self.closed {
            return;
        }
        fx.timer_in(Duration::from_ms(self.config.heartbeat_interval_ms), Timer::GroupHeartbeat);
        if now.saturating_since(g.last_poll) > max_poll && self.config.group_instance_id.is_some() {
            // maybeLeaveGroup: since 2.3 a static member sends no LeaveGroup; only its session
            // ends its membership. It forgets its generation, and its next poll rejoins.
            fx.event(EventKind::StaticPollTimeout { consumer, group: g.group.clone() });
            g.reset_generation(true);
            return;
        }
        if now.saturating_since(g.last_poll) > max_poll {
            // The Java client's heartbeat thread leaves the group for a consumer stuck outside poll().
            let request = Request::LeaveGroup { group: g.group.clone(), member_id: g.member_id.clone() };
            let why = "consumer poll timeout has expired (max.poll.interval.ms)";
            fx.event(EventKind::LeftGroup { consumer, group: g.group.clone(), why });
            g.reset_generation(true);
            if let Some(coordinator) = g.coordinator {
                self.conn.request(coordinator, request, fx);
            }
            return;
        }
        let Some(coordinator) = g.coordinator else {
            // The heartbeat thread looks for the coordinator itself, polls or not.
            if !finding && g.retry_at <= now {
                if let Some(broker) = self.conn.least_loaded(now) {
                    let request = Request::FindCoordinator { group: g.group.clone() };
                    self.conn.request(broker, request, fx);
                }
            }
            return;
        };
        if !out && matches!(g.state, MemberState::Syncing | MemberState::Stable) {
            let request = Request::Heartbeat {
                group: g.group.clone(),
                member_id: g.member_id.clone(),
                group_instance_id: self.config.group_instance_id.clone(),
                generation,
            };
            self.conn.request(coordinator, request, fx);
        }
    }

    /// Metadata arrived: a leader waiting for partition counts assigns now; a
    /// leader whose assignment was made for other partition counts asks for a
    /// rebalance (the Java client's "cached metadata has changed").
    pub(super) fn on_group_metadata(&mut self, all_topics: bool, fx: &mut Effects) {
        let consumer = self.conn.name.clone();
        if all_topics {
            self.match_pattern(fx);
        }
        if let Some(join) = self.group.as_mut().and_then(|g| g.pending_assign.take()) {
            return self.assign_as_leader(join, fx);
        }
        let Some(g) = self.group.as_ref() else {
            return;
        };
        if !g.leader || g.rejoin_needed {
            return;
        }
        let changed: Vec<(String, u32, u32)> = g
            .assigned_counts
            .iter()
            .filter_map(|(t, &was)| {
                self.conn.partition_count(t.as_str()).filter(|&now| now != was).map(|now| (t.clone(), was, now))
            })
            .collect();
        if let Some((topic, was, now)) = changed.into_iter().next() {
            fx.event(EventKind::MetadataChanged { consumer, topic, was, now });
            if let Some(g) = self.group.as_mut() {
                g.rejoin_needed = true;
            }
        }
    }

    /// A full topic list arrived: the pattern's topics are those whose whole
    /// name matches, internal topics left out (exclude.internal.topics=true).
    fn match_pattern(&mut self, fx: &mut Effects) {
        let consumer = self.conn.name.clone();
        let topics: Vec<String> =
            self.conn.topics.keys().filter(|t| !t.starts_with("__")).map(|t| String::from(t.as_str())).collect();
        let Some(g) = self.group.as_mut() else {
            return;
        };
        let Some(pattern) = &g.pattern else {
            return;
        };
        let matched: Vec<String> = topics.into_iter().filter(|t| pattern.matches(t)).collect();
        if !g.pattern_resolved || matched != g.subscription {
            let pattern = String::from(pattern.as_str());
            fx.event(EventKind::PatternMatched { consumer, pattern, topics: matched.clone() });
            g.subscription = matched;
            g.pattern_resolved = true;
            g.rejoin_needed = true;
        }
    }

    /// metadata.max.age.ms passed: a subscribed consumer refreshes its topics' metadata
    /// (every topic's, for a pattern).
    pub(super) fn on_metadata_refresh(&mut self, fx: &mut Effects) {
        let Some(g) = self.group.as_ref() else {
            return;
        };
        if self.closed || !g.subscribed() {
            return;
        }
        if g.pattern.is_some() {
            self.conn.refresh_all_metadata(fx);
        } else if g.regex.is_some() {
            // The assignment's topics: the coordinator chose them.
            let mut topics: Vec<String> = self.assignment.iter().map(|tp| String::from(tp.topic.as_str())).collect();
            topics.dedup();
            if !topics.is_empty() {
                self.conn.refresh_metadata(topics, false, fx);
            }
        } else {
            let topics = g.subscription.clone();
            self.conn.refresh_metadata(topics, true, fx);
        }
        fx.timer_in(Duration::from_ms(self.config.metadata_max_age_ms), Timer::MetadataRefresh);
    }

    /// `close()` with a group: auto-commit commits the positions, then the member leaves.
    pub(super) fn close_group(&mut self, fx: &mut Effects) {
        if self.processing.commit == crate::command::CommitMode::After {
            // The graceful-shutdown worker: a last commit of what it processed.
            let offsets = self.take_processed_offsets();
            self.queue_commit("close", offsets, fx);
        } else if self.config.enable_auto_commit {
            // Auto-commit on close commits positions, processed or not.
            let offsets = self.consumed();
            self.queue_commit("close", offsets, fx);
        }
        if self.config.consumer_protocol {
            // A static member leaves for now (epoch -2): its place waits for it.
            let static_member = self.config.group_instance_id.is_some();
            if let Some(g) = self.group.as_ref().filter(|g| g.membership.epoch > 0) {
                let why = "the consumer is being closed";
                let consumer = self.conn.name.clone();
                fx.event(EventKind::LeftGroup { consumer, group: g.group.clone(), why });
            }
            return self.leave_consumer_group(static_member, fx);
        }
        let consumer = self.conn.name.clone();
        let Some(g) = self.group.as_mut() else {
            return;
        };
        fx.cancel(Timer::GroupHeartbeat);
        if self.config.group_instance_id.is_some() {
            // A static member stays in the group when it closes (KIP-345): a restart within
            // session.timeout.ms takes its place back without a rebalance.
            return;
        }
        if let (Some(_), Some(coordinator)) = (g.generation, g.coordinator) {
            let request = Request::LeaveGroup { group: g.group.clone(), member_id: g.member_id.clone() };
            fx.event(EventKind::LeftGroup { consumer, group: g.group.clone(), why: "the consumer is being closed" });
            g.reset_generation(true);
            self.conn.request(coordinator, request, fx);
        }
    }
}
