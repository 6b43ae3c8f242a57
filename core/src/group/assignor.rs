//! Partition assignors of the classic consumer group protocol, as Apache
//! Kafka's `RangeAssignor`, `RoundRobinAssignor`, `StickyAssignor` and
//! `CooperativeStickyAssignor` compute them (without racks). The group leader
//! runs one of these over every member's subscription; the result goes back
//! to the members in SyncGroup.
//!
//! Members are ordered as Kafka's `MemberInfo.compareTo` orders them: static
//! members (with a `group.instance.id`) first, by instance id, then dynamic
//! members by member id. That order is what makes static membership stable.

use crate::protocol::TopicPartition;
use crate::sorted::{SortedMap, SortedSet};
use alloc::collections::VecDeque;
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
    out.sort_by(|a, b| kafka_order(a, b));
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
        list.sort();
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
        list.sort();
    }
    out
}

/// A sticky assignment and the partitions it moves from one owner to another
/// (partition to its new owner), which the cooperative protocol holds back
/// for a second rebalance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StickyAssignment {
    pub assignment: Assignment,
    pub transferring: SortedMap<TopicPartition, String>,
}

/// Each member's owned partitions that count (`allSubscriptionsEqual`): only
/// members of the highest generation seen keep theirs (a member without a
/// generation only while none was seen); partitions of topics no longer
/// subscribed are dropped; a partition claimed by two members of that
/// generation belongs to neither. Also says whether all subscriptions are equal.
fn valid_owned(
    members: &[&Member],
    partitions: &SortedMap<String, u32>,
) -> (bool, SortedMap<String, Vec<TopicPartition>>, SortedSet<TopicPartition>) {
    let first: SortedSet<&String> = members.first().map(|m| m.topics.iter().collect()).unwrap_or_default();
    let all_equal = members.iter().all(|m| m.topics.iter().collect::<SortedSet<_>>() == first);
    let mut owned: SortedMap<String, Vec<TopicPartition>> =
        members.iter().map(|m| (m.member_id.clone(), Vec::new())).collect();
    let mut highest: Vec<&str> = Vec::new();
    let mut max_generation: Option<u32> = None;
    let mut owner_of: SortedMap<TopicPartition, String> = SortedMap::new();
    let mut multiple: SortedSet<TopicPartition> = SortedSet::new();
    for m in members {
        let counts = match (m.generation, max_generation) {
            (Some(g), Some(max)) => g >= max,
            (Some(_), None) => true,
            (None, max) => max.is_none(),
        };
        if !counts {
            continue;
        }
        if m.generation.is_some() && m.generation > max_generation {
            // A newer generation: what members of older ones claimed is void.
            owner_of.clear();
            multiple.clear();
            for id in highest.drain(..) {
                owned.entry(id.into()).or_default().clear();
            }
            max_generation = m.generation;
        }
        highest.push(&m.member_id);
        for tp in &m.owned {
            if partitions.get(tp.topic.as_str()).is_none_or(|&n| tp.partition >= n) {
                continue;
            }
            match owner_of.insert(tp.clone(), m.member_id.clone()) {
                None => owned.entry(m.member_id.clone()).or_default().push(tp.clone()),
                Some(other) => {
                    owned.entry(other).or_default().retain(|t| t != tp);
                    multiple.insert(tp.clone());
                }
            }
        }
    }
    (all_equal, owned, multiple)
}

/// Every partition of `partitions`, topics in order.
fn all_partitions(partitions: &SortedMap<String, u32>) -> Vec<TopicPartition> {
    partitions.iter().flat_map(|(t, &n)| (0..n).map(move |p| TopicPartition::new(t.clone(), p))).collect()
}

/// `StickyAssignor` (and the first half of `CooperativeStickyAssignor`): as
/// balanced as possible, moving as few owned partitions as possible.
///
/// With equal subscriptions this is Kafka's `constrainedAssign` step by step
/// (members taken in member-id order where Kafka walks a hash map). With
/// unequal ones it keeps owned partitions, gives each unowned partition
/// (least-subscribed first) to the subscribed member with the fewest, then
/// moves partitions from a member to another subscribed one holding at least
/// two fewer until none can move: the balance and stickiness Kafka's
/// `generalAssign` guarantees, reached by a simpler path.
pub fn sticky(members: &[Member], partitions: &SortedMap<String, u32>) -> StickyAssignment {
    let mut ordered: Vec<&Member> = members.iter().collect();
    ordered.sort_by(|a, b| a.member_id.cmp(&b.member_id));
    // Only topics someone subscribes to are assigned.
    let subscribed: SortedSet<&String> = ordered.iter().flat_map(|m| m.topics.iter()).collect();
    let partitions: SortedMap<String, u32> =
        partitions.iter().filter(|(t, _)| subscribed.contains(t)).map(|(t, n)| (t.clone(), *n)).collect();
    let (all_equal, owned, multiple) = valid_owned(&ordered, &partitions);
    if ordered.is_empty() {
        return StickyAssignment::default();
    }
    let mut result = if all_equal {
        constrained(&owned, &partitions, &multiple)
    } else {
        let assignment = general(&ordered, &owned, &partitions);
        let transferring = moved(&owned, &assignment);
        StickyAssignment { assignment, transferring }
    };
    for list in result.assignment.values_mut() {
        list.sort();
    }
    result
}

/// Partitions whose new owner is not the member that validly owned them.
fn moved(owned: &SortedMap<String, Vec<TopicPartition>>, assignment: &Assignment) -> SortedMap<TopicPartition, String> {
    let previous: SortedMap<&TopicPartition, &String> =
        owned.iter().flat_map(|(m, tps)| tps.iter().map(move |tp| (tp, m))).collect();
    let mut out = SortedMap::new();
    for (member, tps) in assignment {
        for tp in tps {
            if previous.get(tp).is_some_and(|&prev| prev != member) {
                out.insert(tp.clone(), member.clone());
            }
        }
    }
    out
}

/// Kafka's `constrainedAssign` (all subscriptions equal).
fn constrained(
    owned: &SortedMap<String, Vec<TopicPartition>>,
    partitions: &SortedMap<String, u32>,
    multiple: &SortedSet<TopicPartition>,
) -> StickyAssignment {
    let consumers = owned.len();
    let total: usize = partitions.values().map(|&n| n as usize).sum();
    let (min_quota, max_quota) = (total / consumers, total.div_ceil(consumers));
    let expected_over_min = total % consumers;
    let mut current_over_min = 0usize;
    let mut assignment: Assignment = owned.keys().map(|m| (m.clone(), Vec::new())).collect();
    let mut revoked: SortedSet<TopicPartition> = SortedSet::new();
    let mut assigned: SortedSet<TopicPartition> = SortedSet::new();
    let mut under_min: Vec<String> = Vec::new();
    let mut exactly_min: VecDeque<String> = VecDeque::new();
    for (consumer, list) in owned {
        let list: Vec<TopicPartition> = list.iter().filter(|tp| !multiple.contains(*tp)).cloned().collect();
        let mine = assignment.entry(consumer.clone()).or_default();
        if list.len() < min_quota {
            mine.extend(list.iter().cloned());
            assigned.extend(list);
            under_min.push(consumer.clone());
        } else if list.len() >= max_quota && current_over_min < expected_over_min {
            current_over_min += 1;
            if current_over_min == expected_over_min {
                exactly_min.clear();
            }
            mine.extend(list[..max_quota].iter().cloned());
            assigned.extend(list[..max_quota].iter().cloned());
            revoked.extend(list[max_quota..].iter().cloned());
        } else {
            mine.extend(list[..min_quota].iter().cloned());
            assigned.extend(list[..min_quota].iter().cloned());
            revoked.extend(list[min_quota..].iter().cloned());
            if current_over_min < expected_over_min {
                exactly_min.push_back(consumer.clone());
            }
        }
    }
    let unassigned: Vec<TopicPartition> =
        all_partitions(partitions).into_iter().filter(|tp| !assigned.contains(tp)).collect();
    under_min.sort();
    exactly_min.make_contiguous().sort();
    let mut transferring = SortedMap::new();
    // Round robin over the members under minQuota, then one more each to members at minQuota.
    let mut next = 0usize;
    for tp in unassigned {
        let consumer = if next < under_min.len() {
            under_min[next].clone()
        } else if under_min.is_empty() {
            match exactly_min.pop_front() {
                Some(c) => c,
                // Kafka throws here; the quotas add up to the partitions, so it cannot happen.
                None => break,
            }
        } else {
            next = 0;
            under_min[0].clone()
        };
        let mine = assignment.entry(consumer.clone()).or_default();
        mine.push(tp.clone());
        if revoked.contains(&tp) || multiple.contains(&tp) {
            transferring.insert(tp.clone(), consumer.clone());
        }
        if mine.len() == min_quota && next < under_min.len() && under_min[next] == consumer {
            under_min.remove(next);
            exactly_min.push_back(consumer);
        } else if next < under_min.len() && under_min[next] == consumer {
            next += 1;
        }
    }
    StickyAssignment { assignment, transferring }
}

/// The general case (unequal subscriptions): keep, fill, then balance.
fn general(
    members: &[&Member],
    owned: &SortedMap<String, Vec<TopicPartition>>,
    partitions: &SortedMap<String, u32>,
) -> Assignment {
    let subscribes =
        |m: &str, topic: &str| members.iter().any(|x| x.member_id == m && x.topics.iter().any(|t| t == topic));
    let mut assignment: Assignment = members.iter().map(|m| (m.member_id.clone(), Vec::new())).collect();
    let mut taken: SortedSet<TopicPartition> = SortedSet::new();
    for (m, list) in owned {
        for tp in list {
            if subscribes(m, &tp.topic) && taken.insert(tp.clone()) {
                assignment.entry(m.clone()).or_default().push(tp.clone());
            }
        }
    }
    // Least-subscribed partitions first: they have the fewest places to go.
    let potential = |topic: &str| members.iter().filter(|m| m.topics.iter().any(|t| t == topic)).count();
    let mut unassigned: Vec<TopicPartition> =
        all_partitions(partitions).into_iter().filter(|tp| !taken.contains(tp)).collect();
    unassigned.sort_by_key(|tp| (potential(&tp.topic), tp.clone()));
    for tp in unassigned {
        let best = members
            .iter()
            .filter(|m| m.topics.iter().any(|t| *t == tp.topic))
            .map(|m| (assignment.get(&m.member_id).map_or(0, Vec::len), m.member_id.clone()))
            .min();
        if let Some((_, m)) = best {
            assignment.entry(m).or_default().push(tp);
        }
    }
    // Balance: a partition moves to a subscribed member holding at least two fewer. Each move
    // shrinks the sum of squared sizes, so this ends; the bound only guards against a mistake.
    for _ in 0..=partitions.values().map(|&n| n as usize).sum::<usize>() * members.len() {
        let mut best: Option<(usize, String, String, TopicPartition)> = None;
        for (from, list) in &assignment {
            for tp in list.iter().rev() {
                for m in members.iter().filter(|m| m.topics.iter().any(|t| *t == tp.topic)) {
                    let (a, b) = (list.len(), assignment.get(&m.member_id).map_or(0, Vec::len));
                    if a >= b + 2 && best.as_ref().is_none_or(|(gap, ..)| a - b > *gap) {
                        best = Some((a - b, from.clone(), m.member_id.clone(), tp.clone()));
                    }
                }
            }
        }
        let Some((_, from, to, tp)) = best else {
            break;
        };
        assignment.entry(from).or_default().retain(|t| *t != tp);
        assignment.entry(to).or_default().push(tp);
    }
    assignment
}

/// `CooperativeStickyAssignor`: the sticky assignment without the partitions
/// changing owner. Their old owners lose them now (they are not in their new
/// assignment), revoke them and rejoin; the next rebalance gives them out.
pub fn cooperative_sticky(members: &[Member], partitions: &SortedMap<String, u32>) -> Assignment {
    let StickyAssignment { mut assignment, transferring } = sticky(members, partitions);
    for (tp, new_owner) in transferring {
        if let Some(list) = assignment.get_mut(&new_owner) {
            list.retain(|t| *t != tp);
        }
    }
    assignment
}

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
