//! The consumer's side of the consumer group protocol (KIP-848,
//! `group.protocol=consumer`), as the Java client's `ConsumerMembershipManager`
//! and `ConsumerHeartbeatRequestManager` run it: one request,
//! ConsumerGroupHeartbeat, joins (member epoch 0), heartbeats every
//! `group.consumer.heartbeat.interval.ms` (the coordinator says how often),
//! brings the assignment, acknowledges it, and leaves (epoch -1; -2 for a static
//! member that will come back).
//!
//! The member id is the client's own (KIP-1082), kept for the consumer's life,
//! also through a fence. A new assignment is reconciled at once: partitions it
//! no longer has are revoked (with auto-commit, their positions committed first
//! and the revocation waiting for that commit), new ones assigned, and the next
//! heartbeat goes out straight away with the partitions owned now so the
//! coordinator can move the member on. FENCED_MEMBER_EPOCH and UNKNOWN_MEMBER_ID
//! lose every partition and rejoin with epoch 0.
//!
//! A heartbeat carries only what changed since the last one answered: the
//! subscription when it changed, the owned partitions when they changed; the
//! first (and the one after an error) carries everything.

use super::group::MemberState;
use super::Consumer;
use crate::effects::{Effects, Timer};
use crate::error::KafkaError;
use crate::event::EventKind;
use crate::group::consumer_group::{
    HeartbeatAnswer, HeartbeatRequest, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH,
};
use crate::protocol::{Request, TopicPartition};
use crate::time::Duration;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// What the consumer protocol's member keeps besides the classic fields it shares.
#[derive(Clone, Debug, Default)]
pub struct Membership {
    /// The member epoch the coordinator gave (0: not in the group).
    pub epoch: i32,
    /// The subscription and owned partitions the coordinator last acknowledged seeing
    /// (`None`: send them with the next heartbeat).
    sent_topics: Option<Vec<String>>,
    /// The SubscribedTopicRegex last sent (Java's `sentFields.pattern`).
    sent_regex: Option<String>,
    sent_owned: Option<Vec<TopicPartition>>,
    /// The interval the coordinator asked for.
    pub interval_ms: u64,
    /// An assignment received and not yet reconciled.
    pub target: Option<Vec<TopicPartition>>,
    /// Send a heartbeat at the next chance, not at the interval (joining, acknowledging).
    now: bool,
    /// The next heartbeat carries every field (after an error, as Java's `sentFields.reset()`):
    /// the coordinator answers a full request with the whole assignment.
    full: bool,
    /// Heartbeats failed in a row with an error that backs off (Java's
    /// `HeartbeatRequestState.onFailedAttempt`): the wait doubles from retry.backoff.ms up to
    /// retry.backoff.max.ms, with 20% jitter; an answer resets it.
    failed_attempts: u32,
}

impl Consumer {
    /// The member's part of each round under `group.protocol=consumer`: join when subscribed,
    /// reconcile what arrived, acknowledge at once.
    pub(super) fn drive_membership(&mut self, coordinator: u32, fx: &mut Effects) {
        if self.closed {
            return;
        }
        self.maybe_reconcile(fx);
        let out = self.conn.in_flight().any(|(_, f)| f.request.api() == "ConsumerGroupHeartbeat");
        let Some(g) = self.group.as_mut() else { return };
        if !g.subscribed() || out {
            return;
        }
        if g.pattern.is_some() && !g.pattern_resolved {
            self.conn.refresh_all_metadata(fx);
            return;
        }
        if g.member_id.is_empty() {
            g.member_id = crate::client::member_id_for(&self.conn.name, fx.now.ms);
        }
        if g.membership.epoch == 0 && g.state == MemberState::Unjoined {
            g.state = MemberState::Joining;
            g.membership.now = true;
        }
        if g.rejoin_needed {
            // The subscription changed: it goes out with the next heartbeat, now.
            g.rejoin_needed = false;
            g.membership.now = true;
        }
        if g.membership.now {
            self.send_heartbeat(coordinator, fx);
        }
    }

    /// One ConsumerGroupHeartbeat with what changed since the last one.
    fn send_heartbeat(&mut self, coordinator: u32, fx: &mut Effects) {
        let rebalance_timeout_ms = self.config.max_poll_interval_ms;
        let instance_id = self.config.group_instance_id.clone();
        let assignor = self.config.group_remote_assignor.clone();
        let owned = self.assignment.clone();
        let Some(g) = self.group.as_mut() else { return };
        let m = &mut g.membership;
        m.now = false;
        let joining = m.epoch == 0;
        let full = joining || core::mem::take(&mut m.full);
        let mut topics = g.subscription.clone();
        crate::sort::sort(&mut topics);
        // SubscribedTopicRegex when it changed ("" clears it), or with a full request when set.
        let regex_changed = m.sent_regex != g.regex;
        let regex =
            if (full && g.regex.is_some()) || regex_changed { Some(g.regex.clone().unwrap_or_default()) } else { None };
        m.sent_regex = g.regex.clone();
        let heartbeat = HeartbeatRequest {
            member_id: g.member_id.clone(),
            member_epoch: m.epoch,
            instance_id: if full { instance_id } else { None },
            rebalance_timeout_ms: full.then_some(rebalance_timeout_ms),
            topics: (full || m.sent_topics.as_ref() != Some(&topics)).then(|| topics.clone()),
            regex,
            assignor: if full { assignor } else { None },
            owned: if joining {
                Some(Vec::new())
            } else {
                (full || m.sent_owned.as_ref() != Some(&owned)).then(|| owned.clone())
            },
        };
        m.sent_topics = Some(topics);
        m.sent_owned = Some(if joining { Vec::new() } else { owned });
        let request = Request::ConsumerGroupHeartbeat { group: g.group.clone(), heartbeat: Box::new(heartbeat) };
        self.conn.request(coordinator, request, fx);
    }

    /// The answer to a heartbeat.
    pub(super) fn on_consumer_heartbeat(
        &mut self,
        sent: &HeartbeatRequest,
        result: &Result<HeartbeatAnswer, KafkaError>,
        fx: &mut Effects,
    ) {
        let consumer = self.conn.name.clone();
        if sent.member_epoch < 0 {
            return; // The answer to a leave: nothing left to do.
        }
        let answer = match result {
            Ok(a) => a,
            Err(e) => return self.on_heartbeat_error(e.clone(), fx),
        };
        let Some(g) = self.group.as_mut() else { return };
        if g.state == MemberState::Unjoined {
            return; // Left (poll timeout or unsubscribe) while this was in flight.
        }
        let was = g.membership.epoch;
        g.membership.epoch = answer.member_epoch;
        g.generation = u32::try_from(answer.member_epoch).ok().filter(|e| *e > 0);
        g.membership.interval_ms = answer.heartbeat_interval_ms;
        g.membership.failed_attempts = 0;
        if was != answer.member_epoch {
            fx.event(EventKind::MemberEpoch {
                consumer,
                group: g.group.clone(),
                member_id: answer.member_id.clone(),
                epoch: answer.member_epoch,
                share: false,
            });
        }
        if let Some(assignment) = &answer.assignment {
            g.membership.target = Some(assignment.clone());
        }
        if g.state == MemberState::Joining || g.state == MemberState::Acknowledging {
            g.state = MemberState::Stable;
        }
        fx.cancel(Timer::GroupHeartbeat);
        fx.timer_in(Duration::from_ms(answer.heartbeat_interval_ms), Timer::GroupHeartbeat);
        self.maybe_reconcile(fx);
        if let Some(coordinator) = self.group.as_ref().and_then(|g| g.coordinator) {
            if self.group.as_ref().is_some_and(|g| g.membership.now) {
                self.send_heartbeat(coordinator, fx);
            }
        }
    }

    /// Reconciles a received assignment: revoke (after the auto-commit of their positions has
    /// been answered), assign, then acknowledge.
    fn maybe_reconcile(&mut self, fx: &mut Effects) {
        let consumer = self.conn.name.clone();
        let auto_commit = self.config.enable_auto_commit;
        let Some(g) = self.group.as_ref() else { return };
        let Some(target) = g.membership.target.clone() else { return };
        let committing = g.commits.iter().any(|c| c.why == "rebalance");
        let revoked: Vec<TopicPartition> = self.assignment.iter().filter(|tp| !target.contains(tp)).cloned().collect();
        let added: Vec<TopicPartition> = target.iter().filter(|tp| !self.assignment.contains(tp)).cloned().collect();
        if revoked.is_empty() && added.is_empty() && !committing {
            // The assignment it has (`processAssignmentReceived`: "Nothing to reconcile"): nothing
            // to acknowledge; a member joining with none is stable at once.
            if let Some(g) = self.group.as_mut() {
                g.membership.target = None;
                if g.state == MemberState::Reconciling {
                    g.state = MemberState::Stable;
                }
            }
            return;
        }
        if !revoked.is_empty() && auto_commit && g.state != MemberState::Reconciling {
            // `autoCommitSyncBeforeRevocation`: the consumed positions are committed, and the
            // partitions given up only once that commit is answered.
            if let Some(g) = self.group.as_mut() {
                g.state = MemberState::Reconciling;
            }
            let offsets = self.consumed();
            self.queue_commit("rebalance", offsets, fx);
            if self.group.as_ref().is_some_and(|g| g.commits.iter().any(|c| c.why == "rebalance")) {
                return;
            }
        } else if committing {
            return;
        }
        if let Some(g) = self.group.as_mut() {
            g.membership.target = None;
            g.state = MemberState::Acknowledging;
            g.membership.now = true;
        }
        if !revoked.is_empty() {
            fx.event(EventKind::PartitionsChanged {
                consumer: consumer.clone(),
                change: "revoked",
                partitions: revoked,
            });
        }
        if !added.is_empty() {
            if let Some(g) = self.group.as_mut() {
                for tp in &added {
                    g.no_committed.remove(tp);
                }
            }
            fx.event(EventKind::PartitionsChanged { consumer, change: "assigned", partitions: added });
        }
        self.set_assignment(target);
    }

    /// What a heartbeat's error means (`ConsumerHeartbeatRequestManager.onErrorResponse`).
    pub(super) fn on_heartbeat_error(&mut self, error: KafkaError, fx: &mut Effects) {
        let consumer = self.conn.name.clone();
        let attempts = self.group.as_ref().map_or(0, |g| g.membership.failed_attempts);
        // NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE skip the backoff (`heartbeatRequestState.reset()`):
        // the next heartbeat goes once the coordinator is found again, as FindCoordinator's retry allows.
        let backs_off = matches!(
            error,
            KafkaError::CoordinatorLoadInProgress | KafkaError::RequestTimedOut | KafkaError::NetworkException
        );
        let retry = if backs_off {
            Duration::from_ms(self.config.retry_backoff().backoff(attempts, &mut self.conn.backoff_rng))
        } else {
            Duration::from_ms(self.config.retry_backoff_ms)
        };
        let Some(g) = self.group.as_mut() else { return };
        g.membership.failed_attempts = if backs_off { attempts.saturating_add(1) } else { 0 };
        // The next heartbeat is a full one.
        g.membership.sent_topics = None;
        g.membership.sent_regex = None;
        g.membership.sent_owned = None;
        g.membership.full = true;
        match error {
            KafkaError::FencedMemberEpoch | KafkaError::UnknownMemberId => {
                // `transitionToFenced`: every partition is lost, and the member rejoins with
                // epoch 0 under the same member id.
                let group = g.group.clone();
                g.membership.epoch = 0;
                g.membership.target = None;
                g.generation = None;
                g.state = MemberState::Unjoined;
                let lost = core::mem::take(&mut self.assignment);
                fx.event(EventKind::MemberFencedByCoordinator {
                    consumer: consumer.clone(),
                    group,
                    error,
                    share: false,
                });
                if !lost.is_empty() {
                    fx.event(EventKind::PartitionsChanged { consumer, change: "lost", partitions: lost });
                }
                self.set_assignment(Vec::new());
                self.kick_membership(fx);
            }
            KafkaError::NotCoordinator
            | KafkaError::CoordinatorNotAvailable
            | KafkaError::CoordinatorLoadInProgress
            | KafkaError::RequestTimedOut
            | KafkaError::NetworkException => {
                if error != KafkaError::CoordinatorLoadInProgress {
                    g.coordinator = None;
                }
                g.retry_at = fx.now + retry;
                g.membership.now = true;
                if !g.retry_armed {
                    g.retry_armed = true;
                    fx.timer_in(retry, Timer::GroupRetry);
                }
            }
            e => {
                // Fatal for the member (GROUP_ID_NOT_FOUND, UNSUPPORTED_ASSIGNOR, INVALID_REQUEST,
                // UNRELEASED_INSTANCE_ID, ...): the Java client's poll throws it.
                g.state = MemberState::Unjoined;
                g.membership.epoch = 0;
                fx.cancel(Timer::GroupHeartbeat);
                self.stop_polling(e, fx);
            }
        }
    }

    /// Sends what the membership needs now, polling or not (the background thread's work).
    fn kick_membership(&mut self, fx: &mut Effects) {
        if let Some(c) = self.group.as_ref().and_then(|g| g.coordinator) {
            self.drive_membership(c, fx);
        }
    }

    /// The heartbeat interval passed: check max.poll.interval.ms, then heartbeat.
    pub(super) fn on_membership_timer(&mut self, fx: &mut Effects) {
        let now = fx.now;
        let max_poll = Duration::from_ms(self.config.max_poll_interval_ms);
        let static_member = self.config.group_instance_id.is_some();
        let consumer = self.conn.name.clone();
        if self.closed {
            return;
        }
        let Some(g) = self.group.as_mut() else { return };
        // In the group: an epoch given, or epoch 0 in a group whose epoch is still 0 (a member
        // whose regex the coordinator has not resolved yet).
        let in_group = g.membership.epoch > 0 || (g.membership.epoch == 0 && g.state == MemberState::Stable);
        if !in_group {
            return;
        }
        if now.saturating_since(g.last_poll) > max_poll {
            // `maybeLeaveGroup` from the poll timer: the member leaves (a static one with -2,
            // keeping its place) and its next poll rejoins.
            let group = g.group.clone();
            let why = "consumer poll timeout has expired (max.poll.interval.ms)";
            fx.event(EventKind::LeftGroup { consumer, group, why });
            self.leave_consumer_group(static_member, fx);
            return;
        }
        g.membership.now = true;
        self.kick_membership(fx);
        if let Some(g) = self.group.as_mut() {
            if g.membership.now && g.membership.epoch >= 0 && g.state != MemberState::Unjoined {
                // A heartbeat still in flight: try again at the next interval.
                let interval = Duration::from_ms(g.membership.interval_ms.max(1));
                fx.timer_in(interval, Timer::GroupHeartbeat);
            }
        }
    }

    /// Leaves: a heartbeat with epoch -1 (or -2 for a static member), every partition given
    /// up. The member may join again with epoch 0.
    pub(super) fn leave_consumer_group(&mut self, temporarily: bool, fx: &mut Effects) {
        let consumer = self.conn.name.clone();
        let revoked = core::mem::take(&mut self.assignment);
        self.set_assignment(Vec::new());
        let Some(g) = self.group.as_mut() else { return };
        fx.cancel(Timer::GroupHeartbeat);
        let epoch = if temporarily { LEAVE_GROUP_STATIC_MEMBER_EPOCH } else { LEAVE_GROUP_MEMBER_EPOCH };
        let was = g.membership.epoch;
        g.membership = Membership::default();
        g.generation = None;
        g.state = MemberState::Unjoined;
        if !revoked.is_empty() {
            fx.event(EventKind::PartitionsChanged { consumer, change: "revoked", partitions: revoked });
        }
        if let (true, Some(coordinator)) = (was > 0, g.coordinator) {
            let heartbeat = HeartbeatRequest {
                member_id: g.member_id.clone(),
                member_epoch: epoch,
                instance_id: self.config.group_instance_id.clone(),
                ..Default::default()
            };
            let request = Request::ConsumerGroupHeartbeat { group: g.group.clone(), heartbeat: Box::new(heartbeat) };
            self.conn.request(coordinator, request, fx);
        }
    }
}
