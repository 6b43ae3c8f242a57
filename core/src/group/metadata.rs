//! A group's membership as `__consumer_offsets` stores it: Kafka's
//! `GroupMetadataKey` (record type 2, then the group) and
//! `GroupMetadataValue` version 3 (protocol type, generation, protocol,
//! leader, state timestamp, and each member with its ids, timeouts, and its
//! subscription and assignment in the consumer protocol's own encoding:
//! `ConsumerProtocolSubscription` v2 and `ConsumerProtocolAssignment` v1).
//! The coordinator writes one after every rebalance, so a new coordinator
//! reads back a Stable group whose members carry on without a rebalance.

use super::coordinator::Subscription;
use super::wire::{Reader, Writer};
use crate::protocol::TopicPartition;
use alloc::string::String;
use alloc::vec::Vec;

const GROUP_METADATA_KEY_TYPE: i16 = 2;
const GROUP_METADATA_VALUE_VERSION: i16 = 3;
const SUBSCRIPTION_VERSION: i16 = 2;
const ASSIGNMENT_VERSION: i16 = 1;

/// A group as written after a rebalance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupSnapshot {
    pub generation: u32,
    pub protocol: Option<String>,
    pub leader: Option<String>,
    pub timestamp_ms: u64,
    pub members: Vec<MemberSnapshot>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberSnapshot {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    /// The client id: here the client's name, which is also where replies go.
    pub client: String,
    pub rebalance_timeout_ms: u64,
    pub session_timeout_ms: u64,
    /// Its subscription under the group's protocol.
    pub subscription: Subscription,
    pub assignment: Vec<TopicPartition>,
}

/// The record key of a group's metadata.
pub fn encode_key(group: &str) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(GROUP_METADATA_KEY_TYPE);
    w.string(group);
    w.0
}

/// A group metadata key's group; `None` for other record types.
pub fn decode_key(key: &[u8]) -> Option<String> {
    let mut r = Reader(key);
    (r.i16()? == GROUP_METADATA_KEY_TYPE).then_some(())?;
    r.string()
}

fn encode_subscription(s: &Subscription) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(SUBSCRIPTION_VERSION);
    w.i32(s.topics.len() as i32);
    for t in &s.topics {
        w.string(t);
    }
    w.i32(-1); // no user data
    w.partitions(&s.owned);
    w.i32(s.generation.map_or(-1, |g| g as i32));
    w.0
}

fn decode_subscription(b: &[u8]) -> Option<Subscription> {
    let mut r = Reader(b);
    let version = r.i16()?;
    let mut topics = Vec::new();
    for _ in 0..r.count(2)? {
        topics.push(r.string()?);
    }
    let user_data = r.i32()?;
    if user_data > 0 {
        r.take(user_data as usize)?;
    }
    let owned = if version >= 1 { r.partitions()? } else { Vec::new() };
    let generation = if version >= 2 { u32::try_from(r.i32()?).ok() } else { None };
    Some(Subscription { topics, owned, generation, group_instance_id: None })
}

fn encode_assignment(tps: &[TopicPartition]) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(ASSIGNMENT_VERSION);
    w.partitions(tps);
    w.i32(-1); // no user data
    w.0
}

fn decode_assignment(b: &[u8]) -> Option<Vec<TopicPartition>> {
    let mut r = Reader(b);
    r.i16()?;
    r.partitions()
}

/// The record value of a group's metadata.
pub fn encode_value(g: &GroupSnapshot) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(GROUP_METADATA_VALUE_VERSION);
    w.string("consumer");
    w.i32(g.generation as i32);
    w.nullable(g.protocol.as_deref());
    w.nullable(g.leader.as_deref());
    w.i64(g.timestamp_ms as i64);
    w.i32(g.members.len() as i32);
    for m in &g.members {
        w.string(&m.member_id);
        w.nullable(m.group_instance_id.as_deref());
        w.string(&m.client);
        w.string("/simulated");
        w.i32(m.rebalance_timeout_ms.min(i32::MAX as u64) as i32);
        w.i32(m.session_timeout_ms.min(i32::MAX as u64) as i32);
        w.bytes(&encode_subscription(&m.subscription));
        w.bytes(&encode_assignment(&m.assignment));
    }
    w.0
}

/// A group metadata value of version 3 (the one written here).
pub fn decode_value(value: &[u8]) -> Option<GroupSnapshot> {
    let mut r = Reader(value);
    (r.i16()? == GROUP_METADATA_VALUE_VERSION).then_some(())?;
    r.string()?;
    let generation = u32::try_from(r.i32()?).ok()?;
    let protocol = r.nullable()?;
    let leader = r.nullable()?;
    let timestamp_ms = u64::try_from(r.i64()?).unwrap_or(0);
    let mut members = Vec::new();
    for _ in 0..r.count(20)? {
        let member_id = r.string()?;
        let group_instance_id = r.nullable()?;
        let client = r.string()?;
        r.string()?;
        let rebalance_timeout_ms = u64::try_from(r.i32()?).ok()?;
        let session_timeout_ms = u64::try_from(r.i32()?).ok()?;
        let subscription = decode_subscription(r.bytes()?)?;
        let assignment = decode_assignment(r.bytes()?)?;
        members.push(MemberSnapshot {
            member_id,
            group_instance_id,
            client,
            rebalance_timeout_ms,
            session_timeout_ms,
            subscription,
            assignment,
        });
    }
    Some(GroupSnapshot { generation, protocol, leader, timestamp_ms, members })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn a_group_snapshot_round_trips_through_kafkas_layout() {
        let tp = |t: &str, p| TopicPartition::new(t, p);
        let g = GroupSnapshot {
            generation: 4,
            protocol: Some("range".into()),
            leader: Some("c1-0".into()),
            timestamp_ms: 9_000,
            members: vec![MemberSnapshot {
                member_id: "c1-0".into(),
                group_instance_id: Some("i1".into()),
                client: "c1".into(),
                rebalance_timeout_ms: 300_000,
                session_timeout_ms: 45_000,
                subscription: Subscription {
                    topics: vec!["orders".into()],
                    owned: vec![tp("orders", 0)],
                    generation: Some(3),
                    group_instance_id: None,
                },
                assignment: vec![tp("orders", 0), tp("orders", 1)],
            }],
        };
        let key = encode_key("billing");
        assert_eq!(&key[..4], &[0, 2, 0, 7], "record type 2, then the group as a STRING");
        assert_eq!(decode_key(&key).as_deref(), Some("billing"));
        assert_eq!(decode_value(&encode_value(&g)), Some(g));
        // An offset commit's key is not a group's.
        assert_eq!(decode_key(&crate::group::offsets::encode_key("billing", &tp("orders", 0))), None);
    }

    #[test]
    fn damaged_values_decode_to_none_without_huge_allocations() {
        let mut v = vec![0, 3, 0, 8];
        v.extend_from_slice(b"consumer");
        v.extend_from_slice(&[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
        v.extend_from_slice(&[0x7f, 0xff, 0xff, 0xff]);
        assert_eq!(decode_value(&v), None);
        assert_eq!(decode_value(&[0, 3]), None);
    }
}
