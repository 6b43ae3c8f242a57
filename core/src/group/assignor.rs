//! Partition assignors of the classic consumer group protocol, as Apache
//! Kafka's `RangeAssignor`, `RoundRobinAssignor`, `StickyAssignor` and
//! `CooperativeStickyAssignor` compute them (without racks; the sticky ones
//! are in [`super::sticky`]). The group leader
//! runs one of these over every member's subscription; the result goes back
//! to the members in SyncGroup.
//!
//! Members are ordered as Kafka's `MemberInfo.compareTo` orders them: static
//! members (with a `group.instance.id`) first, by instance id, then dynamic
//! members by member id. That order is what makes static membership stable.

use crate::protocol::TopicPartition;
use crate::sorted::{SortedMap, SortedSet};
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// A group member as the assignor sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    /// Topics it subscribed to.
    pub topics: Vec<String>,
    /// Partitions it owned before this rebalance (the sticky assignors keep them where they can).
    pub owned: Vec<TopicPartition>,
    /// The generation it owned them in; owned partitions of an older generation do not count.
    pub generation: Option<u32>,
}

impl Member {
    /// A member owning nothing.
    pub fn new(member_id: &str, topics: Vec<String>) -> Self {
        Member { member_id: member_id.into(), group_instance_id: None, topics, owned: Vec::new(), generation: None }
    }
}

/// Member id to the partitions it gets, each list sorted.
pub type Assignment = SortedMap<String, Vec<TopicPartition>>;

/// `MemberInfo.compareTo`.
fn kafka_order(a: &Member, b: &Member) -> Ordering {
    match (&a.group_instance_id, &b.group_instance_id) {
        (Some(x), Some(y)) => x.cmp(y).then_with(|| a.member_id.cmp(&b.member_id)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.member_id.cmp(&b.member_id),
    }
}

fn sorted(members: &[Member]) -> Vec<&Member> {
    let mut out: Vec<&Member> = members.iter().collect();
    crate::sort::sort_by(&mut out, |a, b| kafka_order(a, b));
    out
}

fn empty(members: &[Member]) -> Assignment {
    members.iter().map(|m| (m.member_id.clone(), Vec::new())).collect()
}

/// `RangeAssignor`: per topic, its partitions in order split into contiguous
/// ranges over the subscribed members in Kafka's order; the first
/// `partitions % members` members get one more.
pub fn range(members: &[Member], partitions: &SortedMap<String, u32>) -> Assignment {
    let mut out = empty(members);
    let members = sorted(members);
    for (topic, &count) in partitions {
        let subscribed: Vec<&&Member> = members.iter().filter(|m| m.topics.contains(topic)).collect();
        if subscribed.is_empty() {
            continue;
        }
        let n = subscribed.len() as u32;
        let (per, extra) = (count / n, count % n);
        for (i, m) in subscribed.iter().enumerate() {
            let i = i as u32;
            let start = per * i + i.min(extra);
            let length = per + u32::from(i < extra);
            let list = out.entry(m.member_id.clone()).or_default();
            list.extend((start..start + length).map(|p| TopicPartition::new(topic.clone(), p)));
        }
    }
    for list in out.values_mut() {
        crate::sort::sort(list);
    }
    out
}

/// `RoundRobinAssignor`: every subscribed partition, topics in order, dealt
/// in turn to the members in Kafka's order, skipping members not subscribed
/// to the partition's topic.
pub fn round_robin(members: &[Member], partitions: &SortedMap<String, u32>) -> Assignment {
    let mut out = empty(members);
    let members = sorted(members);
    let subscribed: SortedSet<&String> = members.iter().flat_map(|m| m.topics.iter()).collect();
    if members.is_empty() {
        return out;
    }
    let mut next = 0usize;
    for (topic, &count) in partitions.iter().filter(|(t, _)| subscribed.contains(t)) {
        for p in 0..count {
            // Some member is subscribed to `topic`, so this stops within one turn round.
            for _ in 0..members.len() {
                let m = members[next % members.len()];
                next += 1;
                if m.topics.contains(topic) {
                    out.entry(m.member_id.clone()).or_default().push(TopicPartition::new(topic.clone(), p));
                    break;
                }
            }
        }
    }
    for list in out.values_mut() {
        crate::sort::sort(list);
    }
    out
}

pub use super::sticky::{cooperative_sticky, sticky, StickyAssignment};

#[cfg(test)]
mod kafka_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn member(id: &str, topics: &[&str]) -> Member {
        Member::new(id, topics.iter().map(|t| t.to_string()).collect())
    }

    fn tps(list: &[(&str, u32)]) -> Vec<TopicPartition> {
        list.iter().map(|(t, p)| TopicPartition::new(*t, *p)).collect()
    }

    fn two_topics() -> SortedMap<String, u32> {
        [("t0".to_string(), 3), ("t1".to_string(), 3)].into_iter().collect()
    }

    /// The examples of Kafka's RangeAssignor and RoundRobinAssignor javadoc.
    #[test]
    fn kafkas_documented_examples() {
        let members = vec![member("C0", &["t0", "t1"]), member("C1", &["t0", "t1"])];
        let r = range(&members, &two_topics());
        assert_eq!(r.get("C0"), Some(&tps(&[("t0", 0), ("t0", 1), ("t1", 0), ("t1", 1)])));
        assert_eq!(r.get("C1"), Some(&tps(&[("t0", 2), ("t1", 2)])));
        let rr = round_robin(&members, &two_topics());
        assert_eq!(rr.get("C0"), Some(&tps(&[("t0", 0), ("t0", 2), ("t1", 1)])));
        assert_eq!(rr.get("C1"), Some(&tps(&[("t0", 1), ("t1", 0), ("t1", 2)])));
    }

    #[test]
    fn static_members_come_first_by_instance_id() {
        let mut a = member("a-dynamic", &["t0"]);
        let mut z = member("z", &["t0"]);
        z.group_instance_id = Some("i1".into());
        a.group_instance_id = None;
        let parts: SortedMap<String, u32> = [("t0".to_string(), 3)].into_iter().collect();
        let r = range(&[a, z], &parts);
        assert_eq!(r.get("z"), Some(&tps(&[("t0", 0), ("t0", 1)])), "the static member leads the order");
        assert_eq!(r.get("a-dynamic"), Some(&tps(&[("t0", 2)])));
    }

    #[test]
    fn members_without_partitions_still_get_an_entry() {
        let members = vec![member("C0", &["t0"]), member("C1", &["t0"]), member("C2", &["t0"])];
        let parts: SortedMap<String, u32> = [("t0".to_string(), 1)].into_iter().collect();
        let r = range(&members, &parts);
        assert_eq!(r.len(), 3);
        assert_eq!(r.get("C2").map(Vec::len), Some(0));
    }
}
