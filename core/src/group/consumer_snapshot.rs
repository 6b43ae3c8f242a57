//! A consumer group (KIP-848) as the coordinator writes it to `__consumer_offsets`, so a new
//! coordinator after a failover knows the group epoch, the target assignment, and every member
//! with its epochs and partitions, and the members carry on.
//!
//! Kafka writes this state as five record types (ConsumerGroupMetadata, -PartitionMetadata,
//! -MemberMetadata, -TargetAssignmentMetadata/-Member, -CurrentMemberAssignment: key types 3
//! to 8) whose values name topics by topic id; the simulation's topics have no ids, so it writes
//! the same content as one record of its own key type (0x7F00, which Kafka never uses) in
//! Kafka's primitive encoding (`wire.rs`). Like Kafka's, the coordinator writes it with acks=all
//! and answers the heartbeat that changed it only once it is replicated.

use super::consumer_group::{ConsumerGroup, ConsumerGroupSettings, ConsumerMember, Reconciliation};
use super::wire::{Reader, Writer};
use crate::net::Node;
use crate::time::{Duration, Instant};
use alloc::string::String;
use alloc::vec::Vec;

/// The record key type of a consumer group's snapshot (not one of Kafka's).
const SNAPSHOT_KEY_TYPE: i16 = 0x7F00;
/// 1: members' SubscribedTopicRegex and the resolved regular expressions (Kafka's
/// ConsumerGroupRegularExpression records).
const SNAPSHOT_VERSION: i16 = 1;

pub fn encode_key(group: &str) -> Vec<u8> {
    super::wire::encode_group_key(SNAPSHOT_KEY_TYPE, group)
}

/// A snapshot key's group; `None` for other record types.
pub fn decode_key(key: &[u8]) -> Option<String> {
    super::wire::decode_group_key(SNAPSHOT_KEY_TYPE, key)
}

pub fn encode_value(g: &ConsumerGroup) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.group_head(SNAPSHOT_VERSION, (g.epoch, g.assignment_epoch), &g.subscribed, &g.target);
    w.i32(g.members.len() as i32);
    for m in g.members.values() {
        w.string(&m.id);
        w.nullable(m.instance_id.as_deref());
        w.string(&alloc::format!("{}", m.client));
        w.i32(m.epoch);
        w.i32(m.previous_epoch);
        w.i16(match m.state {
            Reconciliation::Stable => 0,
            Reconciliation::UnrevokedPartitions => 1,
            Reconciliation::UnreleasedPartitions => 2,
        });
        w.partitions(&m.assigned);
        w.partitions(&m.pending_revocation);
        w.i32(m.topics.len() as i32);
        for t in &m.topics {
            w.string(t);
        }
        w.nullable(m.assignor.as_deref());
        w.i64(m.rebalance_timeout_ms as i64);
        w.nullable(m.regex.as_deref());
    }
    w.i32(g.resolved.len() as i32);
    for (regex, r) in g.resolved.iter() {
        w.string(regex);
        w.i32(r.topics.len() as i32);
        for t in &r.topics {
            w.string(t);
        }
        w.i64(r.version as i64);
        w.i64(r.time_ms as i64);
    }
    w.0
}

/// The group a snapshot holds, as a coordinator loading it has it `now`: every member's session
/// (and a revoking member's rebalance timeout) starts again, as Kafka's loader schedules them.
/// `None` for a damaged value.
pub fn decode_value(name: &str, value: &[u8], settings: ConsumerGroupSettings, now: Instant) -> Option<ConsumerGroup> {
    let mut r = Reader(value);
    let head = r.group_head(SNAPSHOT_VERSION)?;
    let mut g = ConsumerGroup::new(name, settings);
    (g.epoch, g.assignment_epoch, g.subscribed, g.target) =
        (head.epoch, head.assignment_epoch, head.subscribed, head.target);
    for _ in 0..r.count(20)? {
        let id = r.string()?;
        let instance_id = r.nullable()?;
        let client = Node::Client(r.string()?.into());
        let (epoch, previous_epoch) = (r.i32()?, r.i32()?);
        let state = match r.i16()? {
            0 => Reconciliation::Stable,
            1 => Reconciliation::UnrevokedPartitions,
            2 => Reconciliation::UnreleasedPartitions,
            _ => return None,
        };
        let assigned = r.partitions()?;
        let pending_revocation = r.partitions()?;
        let topics = (0..r.count(2)?).map(|_| r.string()).collect::<Option<Vec<String>>>()?;
        let assignor = r.nullable()?;
        let rebalance_timeout_ms = u64::try_from(r.i64()?).ok()?;
        let regex = r.nullable()?;
        let revoking = state == Reconciliation::UnrevokedPartitions;
        g.members.insert(
            id.clone(),
            ConsumerMember {
                id,
                instance_id,
                client,
                epoch,
                previous_epoch,
                state,
                sent: Some(assigned.clone()),
                assigned,
                pending_revocation,
                topics,
                regex,
                assignor,
                rebalance_timeout_ms,
                session_deadline: now + Duration::from_ms(settings.session_timeout_ms),
                revocation_deadline: revoking.then(|| now + Duration::from_ms(rebalance_timeout_ms)),
            },
        );
    }
    for _ in 0..r.count(20)? {
        let regex = r.string()?;
        let topics = (0..r.count(2)?).map(|_| r.string()).collect::<Option<Vec<String>>>()?;
        let (version, time_ms) = (u64::try_from(r.i64()?).ok()?, u64::try_from(r.i64()?).ok()?);
        g.resolved.insert(regex, super::consumer_group::ResolvedRegex { topics, version, time_ms });
    }
    r.0.is_empty().then_some(())?;
    g.update_state();
    Some(g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::consumer_group::HeartbeatRequest;
    use alloc::vec;

    #[test]
    fn a_group_reads_back_as_written_with_fresh_sessions() {
        let counts = |t: &str| (t == "orders").then_some(3);
        let mut g = ConsumerGroup::new("billing", ConsumerGroupSettings::default());
        for (id, at) in [("a", 0), ("b", 10)] {
            let req = HeartbeatRequest {
                member_id: id.into(),
                member_epoch: 0,
                instance_id: (id == "b").then(|| "worker-b".into()),
                rebalance_timeout_ms: Some(300_000),
                topics: Some(vec!["orders".into()]),
                owned: Some(Vec::new()),
                assignor: Some("range".into()),
                regex: None,
            };
            g.heartbeat(req, Node::Client(id.into()), &counts, Instant::from_ms(at)).expect("joins");
        }
        // A third member subscribed by regex, resolved by the coordinator.
        let req = HeartbeatRequest {
            member_id: "c".into(),
            member_epoch: 0,
            rebalance_timeout_ms: Some(300_000),
            regex: Some("ord.*".into()),
            owned: Some(Vec::new()),
            ..Default::default()
        };
        g.heartbeat(req, Node::Client("c".into()), &counts, Instant::from_ms(20)).expect("joins");
        g.resolve_regexes(["orders", "payments"].into_iter(), 7, &counts, Instant::from_ms(21));
        let value = encode_value(&g);
        let back = decode_value("billing", &value, ConsumerGroupSettings::default(), Instant::from_ms(1_000))
            .expect("reads back");
        assert_eq!(back.members.get("c").and_then(|m| m.regex.clone()).as_deref(), Some("ord.*"));
        assert_eq!(back.resolved.get("ord.*").map(|r| (r.topics.clone(), r.version)), Some((vec!["orders".into()], 7)));
        assert_eq!(encode_value(&back), value, "the same content");
        assert_eq!((back.epoch, back.assignment_epoch, back.state), (g.epoch, g.assignment_epoch, g.state));
        assert_eq!(back.next_deadline(), Some(Instant::from_ms(46_000)), "sessions start again at the load");
        assert_eq!(decode_key(&encode_key("billing")).as_deref(), Some("billing"));
        for cut in 0..value.len() {
            assert!(decode_value("billing", &value[..cut], ConsumerGroupSettings::default(), Instant::ZERO).is_none());
        }
    }
}
