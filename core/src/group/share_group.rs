//! One share group (KIP-932) at its coordinator, as Kafka's
//! `GroupMetadataManager.shareGroupHeartbeat` and `ShareGroup` run it. Members join and
//! stay with ShareGroupHeartbeat; a join, a leave, a subscription change or a subscribed topic's
//! new partition count bumps the **group epoch**, and the `simple` assignor computes a new target
//! assignment. Unlike a consumer group there is nothing to revoke first: records, not partitions,
//! are what members hold (each under its own acquisition lock at the partition's leader), so a
//! member takes its target at its next heartbeat, and several members may share a partition.
//! A member silent for `group.share.session.timeout.ms` is fenced. States: Empty and Stable.

use crate::error::KafkaError;
use crate::group::share_partition::ShareLimits;
use crate::group::simple_assignor::{self, SimpleMember};
use crate::net::Node;
use crate::protocol::TopicPartition;
use crate::sorted::SortedMap;
use crate::time::{Duration, Instant};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// `group.share.heartbeat.interval.ms`.
pub const SHARE_HEARTBEAT_INTERVAL_MS: u64 = 5_000;
/// `group.share.session.timeout.ms`.
pub const SHARE_SESSION_TIMEOUT_MS: u64 = 45_000;
/// `group.share.max.size`'s default (Kafka 4.3: 200).
pub const SHARE_GROUP_MAX_SIZE: usize = 200;
/// The largest `group.share.max.size` (Kafka's bound: 1 to 1000).
pub const SHARE_GROUP_MEMBERS_MAX: usize = 1_000;
/// `group.share.max.share.sessions` (Kafka 4.3: 2000): the share sessions one broker keeps; at
/// least `group.share.max.size`.
pub const SHARE_SESSIONS_MAX: usize = 2_000;
/// `share.coordinator.snapshot.update.records.per.snapshot` (Kafka 4.3: 500, between 0 and 500):
/// the ShareUpdate records the share coordinator writes between two ShareSnapshot records.
pub const SHARE_UPDATES_PER_SNAPSHOT: u32 = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ShareGroupState {
    Empty,
    Stable,
}

impl fmt::Display for ShareGroupState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShareGroupState::Empty => "Empty",
            ShareGroupState::Stable => "Stable",
        })
    }
}

/// The brokers' settings for share groups: `group.share.heartbeat.interval.ms`,
/// `group.share.session.timeout.ms`, and the share-partitions' limits
/// (`group.share.record.lock.duration.ms`, `group.share.delivery.count.limit`,
/// `group.share.partition.max.record.locks`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShareGroupSettings {
    pub heartbeat_interval_ms: u64,
    pub session_timeout_ms: u64,
    pub limits: ShareLimits,
    /// `group.share.max.size`: members one share group takes (1 to [`SHARE_GROUP_MEMBERS_MAX`]).
    pub max_size: usize,
    /// `group.share.max.share.sessions`: share sessions one broker keeps; a new one past it is
    /// refused with SHARE_SESSION_LIMIT_REACHED.
    pub max_share_sessions: usize,
    /// `share.coordinator.snapshot.update.records.per.snapshot` (0 to 500): the share coordinator's
    /// updates between snapshots of a share-partition's state.
    pub updates_per_snapshot: u32,
}

impl Default for ShareGroupSettings {
    fn default() -> Self {
        ShareGroupSettings {
            heartbeat_interval_ms: SHARE_HEARTBEAT_INTERVAL_MS,
            session_timeout_ms: SHARE_SESSION_TIMEOUT_MS,
            limits: ShareLimits::default(),
            max_size: SHARE_GROUP_MAX_SIZE,
            max_share_sessions: SHARE_SESSIONS_MAX,
            updates_per_snapshot: SHARE_UPDATES_PER_SNAPSHOT,
        }
    }
}

/// A share group's dynamic configs (Kafka's `GroupConfig`), each over the brokers' default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ShareGroupConfigs {
    /// `share.auto.offset.reset`: `latest` (the default) or `earliest`.
    pub auto_offset_reset_earliest: bool,
    /// `share.auto.offset.reset=by_duration:PnDTnHnMn.nS`: the duration, in milliseconds.
    pub by_duration_ms: Option<u64>,
    /// `share.isolation.level=read_committed` (the default is `read_uncommitted`): deliver only
    /// to the last stable offset, and archive aborted transactions' records.
    pub read_committed: bool,
    /// `share.renew.acknowledge.enable=false` (the default is `true`): RENEW refused.
    pub renew_disabled: bool,
    pub record_lock_duration_ms: Option<u64>,
    pub delivery_count_limit: Option<u16>,
    pub max_record_locks: Option<usize>,
}

/// The share group configs a `group config` line may set, with Kafka 4.3's bounds (the brokers'
/// `group.share.min.*` and `group.share.max.*` defaults).
pub const SHARE_GROUP_CONFIGS: [(&str, u64, u64); 3] = [
    ("share.record.lock.duration.ms", 15_000, 60_000),
    ("share.delivery.count.limit", 2, 10),
    ("share.partition.max.record.locks", 100, 4_000),
];

impl ShareGroupConfigs {
    /// Sets the configs given, or says why one is refused (nothing is set then).
    pub fn alter(&mut self, configs: &[(String, String)]) -> Result<(), String> {
        let mut next = self.clone();
        for (name, value) in configs {
            if name == "share.auto.offset.reset" {
                (next.auto_offset_reset_earliest, next.by_duration_ms) = match value.as_str() {
                    "earliest" => (true, None),
                    "latest" => (false, None),
                    v => match v.strip_prefix("by_duration:").and_then(crate::time::parse_iso_duration) {
                        Some(ms) => (false, Some(ms)),
                        None => return Err(alloc::format!("Invalid value {v} for configuration share.auto.offset.reset: must be one of latest, earliest, by_duration:PnDTnHnMn.nS")),
                    },
                };
                continue;
            }
            if name == "share.isolation.level" {
                let why = "String must be one of: read_committed, read_uncommitted";
                next.read_committed = two_valued(name, value, ("read_committed", "read_uncommitted"), why)?;
                continue;
            }
            if name == "share.renew.acknowledge.enable" {
                let why = "Expected value to be either true or false";
                next.renew_disabled = two_valued(name, value, ("false", "true"), why)?;
                continue;
            }
            let Some(&(_, min, max)) = SHARE_GROUP_CONFIGS.iter().find(|(n, _, _)| n == name) else {
                return Err(alloc::format!(
                    "unknown group config '{name}': expected share.auto.offset.reset, share.isolation.level, share.renew.acknowledge.enable, {}",
                    SHARE_GROUP_CONFIGS.map(|c| c.0).join(", ")
                ));
            };
            let n: u64 = value.parse().map_err(|_| alloc::format!("{name}={value}: expected a number"))?;
            if n < min || n > max {
                return Err(alloc::format!(
                    "{name} must be between {min} and {max} (the brokers' group.share.min and max for it)"
                ));
            }
            match name.as_str() {
                "share.record.lock.duration.ms" => next.record_lock_duration_ms = Some(n),
                "share.delivery.count.limit" => next.delivery_count_limit = Some(n as u16),
                _ => next.max_record_locks = Some(n as usize),
            }
        }
        *self = next;
        Ok(())
    }
}

/// A config of two values: whether it is the first, or Kafka's ConfigException text.
fn two_valued(name: &str, value: &str, (yes, no): (&str, &str), why: &str) -> Result<bool, String> {
    match value {
        v if v == yes => Ok(true),
        v if v == no => Ok(false),
        v => Err(alloc::format!("Invalid value {v} for configuration {name}: {why}")),
    }
}

#[derive(Clone, Debug)]
pub struct ShareMember {
    pub id: String,
    pub client: Node,
    pub epoch: i32,
    pub topics: Vec<String>,
    /// Its partitions, sorted.
    pub assigned: Vec<TopicPartition>,
    pub session_deadline: Instant,
    /// The assignment last sent to it.
    sent: Option<Vec<TopicPartition>>,
}

impl ShareMember {
    /// A member read back from its group's snapshot: its assignment counts as sent.
    pub fn restored(
        id: String,
        client: Node,
        epoch: i32,
        topics: Vec<String>,
        assigned: Vec<TopicPartition>,
        session_deadline: Instant,
    ) -> Self {
        ShareMember { id, client, epoch, topics, sent: Some(assigned.clone()), assigned, session_deadline }
    }
}

/// A ShareGroupHeartbeat's fields; `topics: None` is "unchanged since the last one".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShareHeartbeatRequest {
    pub member_id: String,
    pub member_epoch: i32,
    pub topics: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareHeartbeatAnswer {
    pub member_id: String,
    pub member_epoch: i32,
    pub heartbeat_interval_ms: u64,
    /// The member's whole assignment, only when it changed (or the request was a full one).
    pub assignment: Option<Vec<TopicPartition>>,
}

#[derive(Clone, Debug)]
pub struct ShareGroup {
    pub name: String,
    pub epoch: i32,
    pub assignment_epoch: i32,
    pub target: SortedMap<String, Vec<TopicPartition>>,
    pub members: SortedMap<String, ShareMember>,
    /// The subscribed topics' partition counts the target was computed for.
    pub subscribed: SortedMap<String, u32>,
    pub state: ShareGroupState,
    pub settings: ShareGroupSettings,
}

impl ShareGroup {
    pub fn new(name: &str, settings: ShareGroupSettings) -> Self {
        ShareGroup {
            name: name.into(),
            epoch: 0,
            assignment_epoch: 0,
            target: SortedMap::new(),
            members: SortedMap::new(),
            subscribed: SortedMap::new(),
            state: ShareGroupState::Empty,
            settings,
        }
    }

    /// ShareGroupHeartbeat: join with epoch 0, leave with -1, otherwise stay (its epoch must be
    /// the member's: FENCED_MEMBER_EPOCH, as `throwIfShareGroupMemberEpochIsInvalid`).
    pub fn heartbeat(
        &mut self,
        req: ShareHeartbeatRequest,
        from: Node,
        partitions: &dyn Fn(&str) -> Option<u32>,
        now: Instant,
    ) -> Result<ShareHeartbeatAnswer, KafkaError> {
        if req.member_id.is_empty() {
            return Err(KafkaError::InvalidRequest("MemberId can't be empty.".into()));
        }
        let interval = self.settings.heartbeat_interval_ms;
        if req.member_epoch == -1 {
            if self.members.remove(&req.member_id).is_none() {
                return Err(KafkaError::UnknownMemberId);
            }
            self.epoch += 1;
            self.update(partitions);
            return Ok(ShareHeartbeatAnswer {
                member_id: req.member_id,
                member_epoch: -1,
                heartbeat_interval_ms: interval,
                assignment: None,
            });
        }
        let full = req.member_epoch == 0 || req.topics.is_some();
        if req.member_epoch == 0 {
            let Some(topics) = req.topics.clone() else {
                return Err(KafkaError::InvalidRequest("SubscribedTopicNames must be set in first request.".into()));
            };
            if !self.members.contains_key(&req.member_id) && self.members.len() >= self.settings.max_size {
                return Err(KafkaError::GroupMaxSizeReached);
            }
            // A member joining again under its id starts over.
            self.members.insert(
                req.member_id.clone(),
                ShareMember {
                    id: req.member_id.clone(),
                    client: from.clone(),
                    epoch: 0,
                    topics,
                    assigned: Vec::new(),
                    session_deadline: now,
                    sent: None,
                },
            );
            self.epoch += 1;
        } else {
            let m = self.members.get_mut(&req.member_id).ok_or(KafkaError::UnknownMemberId)?;
            if req.member_epoch != m.epoch {
                return Err(KafkaError::FencedMemberEpoch);
            }
            if let Some(topics) = &req.topics {
                if *topics != m.topics {
                    m.topics = topics.clone();
                    self.epoch += 1;
                }
            }
        }
        self.update(partitions);
        let target = self.target.get(&req.member_id).cloned().unwrap_or_default();
        let (epoch, deadline) = (self.assignment_epoch, now + Duration::from_ms(self.settings.session_timeout_ms));
        let m = self.members.get_mut(&req.member_id).ok_or(KafkaError::UnknownMemberId)?;
        m.client = from;
        m.epoch = epoch;
        m.assigned = target;
        m.session_deadline = deadline;
        let assignment = (full || m.sent.as_ref() != Some(&m.assigned)).then(|| m.assigned.clone());
        if assignment.is_some() {
            m.sent = Some(m.assigned.clone());
        }
        Ok(ShareHeartbeatAnswer {
            member_id: req.member_id,
            member_epoch: epoch,
            heartbeat_interval_ms: interval,
            assignment,
        })
    }

    /// A subscribed topic's partition count changed, or the group epoch moved: a new target.
    fn update(&mut self, partitions: &dyn Fn(&str) -> Option<u32>) {
        let mut subscribed = SortedMap::new();
        for m in self.members.values() {
            for t in &m.topics {
                if let Some(n) = partitions(t) {
                    subscribed.insert(t.clone(), n);
                }
            }
        }
        if subscribed != self.subscribed {
            self.subscribed = subscribed;
            self.epoch += 1;
        }
        if self.epoch > self.assignment_epoch {
            let members: Vec<SimpleMember<'_>> = self
                .members
                .values()
                .map(|m| SimpleMember {
                    id: &m.id,
                    topics: &m.topics,
                    current: self.target.get(&m.id).map_or(&[], |v| v),
                })
                .collect();
            self.target = simple_assignor::assign(&members, partitions);
            self.assignment_epoch = self.epoch;
        }
        self.refresh_state();
    }

    /// Empty without members, else Stable.
    pub fn refresh_state(&mut self) {
        self.state = if self.members.is_empty() { ShareGroupState::Empty } else { ShareGroupState::Stable };
    }

    /// Fences members whose session expired by `now`; returns their ids.
    pub fn tick(&mut self, partitions: &dyn Fn(&str) -> Option<u32>, now: Instant) -> Vec<String> {
        let expired: Vec<String> =
            self.members.values().filter(|m| m.session_deadline <= now).map(|m| m.id.clone()).collect();
        for id in &expired {
            self.members.remove(id);
        }
        if !expired.is_empty() {
            self.epoch += 1;
        }
        self.update(partitions);
        expired
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.members.values().map(|m| m.session_deadline).min()
    }

    /// Whether `member` is in the group and has `tp` in its assignment.
    pub fn holds(&self, member: &str, tp: &TopicPartition) -> bool {
        self.members.get(member).is_some_and(|m| m.assigned.binary_search(tp).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(t: &str) -> Option<u32> {
        (t == "jobs").then_some(2)
    }

    fn join(g: &mut ShareGroup, id: &str, at: u64) -> ShareHeartbeatAnswer {
        let req =
            ShareHeartbeatRequest { member_id: id.into(), member_epoch: 0, topics: Some(alloc::vec!["jobs".into()]) };
        g.heartbeat(req, Node::Client(id.into()), &counts, Instant { ms: at }).unwrap()
    }

    #[test]
    fn three_members_on_two_partitions_share_one_of_them() {
        let mut g = ShareGroup::new("q", ShareGroupSettings::default());
        join(&mut g, "a", 0);
        join(&mut g, "b", 0);
        let c = join(&mut g, "c", 0);
        assert_eq!(c.member_epoch, g.epoch);
        // Every partition has two members (ceil(3/2)); the members hold 2, 1 and 1 of the 4 slots.
        for p in 0..2 {
            let tp = TopicPartition::new("jobs", p);
            assert_eq!(g.target.values().filter(|v| v.contains(&tp)).count(), 2);
        }
        assert_eq!(g.state, ShareGroupState::Stable);
    }

    #[test]
    fn an_old_epoch_is_fenced_and_a_silent_member_leaves() {
        let mut g = ShareGroup::new("q", ShareGroupSettings::default());
        let a = join(&mut g, "a", 0);
        join(&mut g, "b", 0);
        let stale = ShareHeartbeatRequest { member_id: "a".into(), member_epoch: a.member_epoch + 5, topics: None };
        assert_eq!(
            g.heartbeat(stale, Node::Client("a".into()), &counts, Instant { ms: 1 }).err(),
            Some(KafkaError::FencedMemberEpoch)
        );
        let gone = g.tick(&counts, Instant { ms: SHARE_SESSION_TIMEOUT_MS });
        assert_eq!(gone, ["a", "b"]);
        assert_eq!(g.state, ShareGroupState::Empty);
    }
}
