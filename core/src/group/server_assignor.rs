//! The group coordinator's own assignors for the consumer group protocol
//! (KIP-848): `uniform` (the default, Kafka's `UniformAssignor`) and `range`
//! (Kafka's server-side `RangeAssignor`). The coordinator runs one over the
//! group's members and the subscribed topics' partition counts whenever the
//! group epoch moves past the target assignment's epoch.
//!
//! Kafka iterates members and topics in hash-map order (member ids are random
//! UUIDs, topics are UUIDs too); here members go by member id and topics by
//! name, so a session replays the same assignment.

use crate::protocol::TopicPartition;
use crate::sorted::{SortedMap, SortedSet};
use alloc::string::String;
use alloc::vec::Vec;

/// A member as the server assignors see it (`MemberSubscriptionAndAssignmentImpl`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignorMember {
    pub member_id: String,
    pub instance_id: Option<String>,
    /// Subscribed topics that exist, sorted.
    pub topics: Vec<String>,
    /// Its partitions in the current target assignment, sorted.
    pub target: Vec<TopicPartition>,
}

/// Member id to its partitions, each list sorted.
pub type TargetAssignment = SortedMap<String, Vec<TopicPartition>>;

/// The assignors `group.consumer.assignors` lists by default, the first the default one.
pub const SERVER_ASSIGNORS: [&str; 2] = ["uniform", "range"];

/// Runs the assignor named `name` (one of [`SERVER_ASSIGNORS`]).
pub fn assign(name: &str, members: &[AssignorMember], partitions: &SortedMap<String, u32>) -> TargetAssignment {
    if name == "range" {
        range(members, partitions)
    } else {
        uniform(members, partitions)
    }
}

/// Whether every member subscribes to the same topics (`SubscriptionType.HOMOGENEOUS`).
fn homogeneous(members: &[AssignorMember]) -> bool {
    members.windows(2).all(|w| w[0].topics == w[1].topics)
}

/// Kafka's `RangeAssignor` (server side): members sorted with static members first by
/// instance id, then by member id; each topic's partitions split in contiguous ranges, the
/// first `partitions % members` members taking one more. Co-partitioned when every member
/// subscribes to the same topics and they have the same partition counts.
pub fn range(members: &[AssignorMember], partitions: &SortedMap<String, u32>) -> TargetAssignment {
    let mut order: Vec<&AssignorMember> = members.iter().collect();
    crate::sort::sort_by(&mut order, |a, b| match (&a.instance_id, &b.instance_id) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => core::cmp::Ordering::Less,
        (None, Some(_)) => core::cmp::Ordering::Greater,
        (None, None) => a.member_id.cmp(&b.member_id),
    });
    // Per topic: subscribers, the next range's start, and the extra partitions left to give.
    let mut topics: SortedMap<&str, (u32, u32, u32)> = SortedMap::new();
    for m in &order {
        for t in &m.topics {
            if partitions.contains_key(t) {
                topics.entry(t.as_str()).or_insert((0, 0, 0)).0 += 1;
            }
        }
    }
    for (t, (subscribers, _, extra)) in topics.iter_mut() {
        *extra = partitions.get(*t).copied().unwrap_or(0) % (*subscribers).max(1);
    }
    let mut out = TargetAssignment::new();
    for m in order {
        let mut mine = Vec::new();
        for t in &m.topics {
            let Some(&count) = partitions.get(t) else { continue };
            let Some((subscribers, next, extra)) = topics.get_mut(t.as_str()) else { continue };
            let mut quota = count / (*subscribers).max(1);
            if *extra > 0 {
                quota += 1;
                *extra -= 1;
            }
            let end = (*next + quota).min(count);
            mine.extend((*next..end).map(|p| TopicPartition::new(t.as_str(), p)));
            *next = end;
        }
        crate::sort::sort(&mut mine);
        out.insert(m.member_id.clone(), mine);
    }
    out
}

/// Kafka's `UniformAssignor`: balance first (no two members more than one partition apart),
/// then stickiness (a member keeps what it had in the target as far as balance allows).
pub fn uniform(members: &[AssignorMember], partitions: &SortedMap<String, u32>) -> TargetAssignment {
    if homogeneous(members) {
        uniform_homogeneous(members, partitions)
    } else {
        uniform_heterogeneous(members, partitions)
    }
}

/// `UniformHomogeneousAssignmentBuilder`: each member keeps its partitions up to its quota
/// (the first `total % members` members may keep one more), the rest are pooled with the
/// unassigned ones and handed, in order, to the members below their quota.
fn uniform_homogeneous(members: &[AssignorMember], partitions: &SortedMap<String, u32>) -> TargetAssignment {
    let mut out = TargetAssignment::new();
    let Some(first) = members.first() else { return out };
    let topics: Vec<&String> = first.topics.iter().filter(|t| partitions.contains_key(*t)).collect();
    let assigned: SortedSet<&TopicPartition> = members.iter().flat_map(|m| m.target.iter()).collect();
    let mut unassigned: Vec<TopicPartition> = Vec::new();
    let mut total = 0u32;
    for t in &topics {
        let count = partitions.get(*t).copied().unwrap_or(0);
        total += count;
        for p in 0..count {
            let tp = TopicPartition::new(t.as_str(), p);
            if !assigned.contains(&tp) {
                unassigned.push(tp);
            }
        }
    }
    let min_quota = total / members.len() as u32;
    let mut extra = total % members.len() as u32;
    let mut unfilled: Vec<(&str, u32)> = Vec::new();
    for m in members {
        let mut quota = min_quota;
        if extra > 0 {
            quota += 1;
            extra -= 1;
        }
        let mut kept = Vec::new();
        // Kafka walks the old assignment topic by topic: a topic that fits the quota is kept
        // whole; one that does not keeps what fits and gives up the rest.
        for t in &topics {
            // Only partitions the topic has now (a target from before the topic was made again
            // with fewer partitions would otherwise keep one that is gone).
            let count = partitions.get(*t).copied().unwrap_or(0);
            let theirs: Vec<&TopicPartition> =
                m.target.iter().filter(|tp| tp.topic == **t && tp.partition < count).collect();
            for tp in theirs {
                if quota > 0 {
                    quota -= 1;
                    kept.push(tp.clone());
                } else {
                    unassigned.push(tp.clone());
                }
            }
        }
        if quota > 0 {
            unfilled.push((m.member_id.as_str(), quota));
        }
        out.insert(m.member_id.clone(), kept);
    }
    let mut next = unassigned.into_iter();
    for (member, quota) in unfilled {
        if let Some(mine) = out.get_mut(member) {
            mine.extend(next.by_ref().take(quota as usize));
        }
    }
    assert!(next.next().is_none(), "the uniform assignor left partitions unassigned");
    for mine in out.values_mut() {
        crate::sort::sort(mine);
    }
    out
}

/// Members with different subscriptions. Kafka's `UniformHeterogeneousAssignmentBuilder`
/// keeps each member's partitions of topics it still subscribes to, gives the unassigned
/// ones to the least-loaded subscribed member, then moves partitions from the most-loaded
/// to the least-loaded subscribers until no move narrows the gap; this does the same in
/// that order, without Kafka's exact tie-breaking among equally loaded members.
fn uniform_heterogeneous(members: &[AssignorMember], partitions: &SortedMap<String, u32>) -> TargetAssignment {
    let mut out: TargetAssignment = members
        .iter()
        .map(|m| {
            let kept =
                m.target.iter().filter(|tp| subscribes(m, &tp.topic) && tp.partition < count(partitions, &tp.topic));
            (m.member_id.clone(), kept.cloned().collect())
        })
        .collect();
    // A partition kept by two members (a stale target) stays with the first.
    let mut owner: SortedMap<TopicPartition, String> = SortedMap::new();
    for (id, mine) in out.iter_mut() {
        mine.retain(|tp| {
            if owner.contains_key(tp) {
                false
            } else {
                owner.insert(tp.clone(), id.clone());
                true
            }
        });
    }
    // Topics with the fewest subscribers first: they have the fewest places to go.
    let mut topics: Vec<(&String, usize)> = partitions
        .keys()
        .map(|t| (t, members.iter().filter(|m| m.topics.contains(t)).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    crate::sort::sort_by_key(&mut topics, |(t, n)| (*n, (*t).clone()));
    for (t, _) in &topics {
        for p in 0..count(partitions, t) {
            let tp = TopicPartition::new(t.as_str(), p);
            if owner.contains_key(&tp) {
                continue;
            }
            let least = members
                .iter()
                .filter(|m| m.topics.contains(*t))
                .min_by_key(|m| (out.get(&m.member_id).map_or(0, Vec::len), m.member_id.clone()));
            if let Some(m) = least {
                owner.insert(tp.clone(), m.member_id.clone());
                if let Some(mine) = out.get_mut(&m.member_id) {
                    mine.push(tp);
                }
            }
        }
    }
    // Balance: a partition moves from a member to a subscriber holding at least two fewer.
    loop {
        let mut moved = false;
        for (t, _) in &topics {
            let subscribers: Vec<&AssignorMember> = members.iter().filter(|m| m.topics.contains(*t)).collect();
            let load = |out: &TargetAssignment, m: &AssignorMember| out.get(&m.member_id).map_or(0, Vec::len);
            let Some(most) = subscribers
                .iter()
                .filter(|m| out.get(&m.member_id).is_some_and(|v| v.iter().any(|tp| tp.topic == **t)))
                .max_by_key(|m| (load(&out, m), core::cmp::Reverse(m.member_id.clone())))
            else {
                continue;
            };
            let Some(least) = subscribers.iter().min_by_key(|m| (load(&out, m), m.member_id.clone())) else {
                continue;
            };
            if load(&out, most) < load(&out, least) + 2 {
                continue;
            }
            let Some(from) = out.get_mut(&most.member_id) else { continue };
            let Some(i) = from.iter().rposition(|tp| tp.topic == **t) else { continue };
            let tp = from.remove(i);
            if let Some(to) = out.get_mut(&least.member_id) {
                to.push(tp);
            }
            moved = true;
        }
        if !moved {
            break;
        }
    }
    for mine in out.values_mut() {
        crate::sort::sort(mine);
    }
    out
}

fn subscribes(m: &AssignorMember, topic: &str) -> bool {
    m.topics.iter().any(|t| t == topic)
}

fn count(partitions: &SortedMap<String, u32>, topic: &str) -> u32 {
    partitions.get(topic).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn member(id: &str, topics: &[&str], target: &[(&str, u32)]) -> AssignorMember {
        AssignorMember {
            member_id: id.into(),
            instance_id: None,
            topics: topics.iter().map(|t| String::from(*t)).collect(),
            target: target.iter().map(|(t, p)| TopicPartition::new(*t, *p)).collect(),
        }
    }

    fn counts(list: &[(&str, u32)]) -> SortedMap<String, u32> {
        list.iter().map(|(t, n)| (String::from(*t), *n)).collect()
    }

    fn show(a: &TargetAssignment) -> Vec<(String, Vec<String>)> {
        a.iter().map(|(m, tps)| (m.clone(), tps.iter().map(|tp| alloc::format!("{tp}")).collect())).collect()
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| String::from(*s)).collect()
    }

    /// RangeAssignorTest.testFirstAssignmentTwoMembersTwoTopicsSameSubscriptions (the group
    /// coordinator's), Kafka's expected answer.
    #[test]
    fn test_first_assignment_two_members_two_topics_same_subscriptions() {
        let members = [member("A", &["t1", "t3"], &[]), member("B", &["t1", "t3"], &[])];
        let got = range(&members, &counts(&[("t1", 3), ("t3", 2)]));
        assert_eq!(
            show(&got),
            vec![("A".into(), names(&["t1-0", "t1-1", "t3-0"])), ("B".into(), names(&["t1-2", "t3-1"])),]
        );
    }

    /// RangeAssignorTest.testFirstAssignmentThreeMembersThreeTopicsDifferentSubscriptions, Kafka's
    /// expected answer.
    #[test]
    fn test_first_assignment_three_members_three_topics_different_subscriptions() {
        let members = [member("A", &["t1", "t2"], &[]), member("B", &["t3"], &[]), member("C", &["t2", "t3"], &[])];
        let got = range(&members, &counts(&[("t1", 3), ("t2", 3), ("t3", 2)]));
        assert_eq!(
            show(&got),
            vec![
                ("A".into(), names(&["t1-0", "t1-1", "t1-2", "t2-0", "t2-1"])),
                ("B".into(), names(&["t3-0"])),
                ("C".into(), names(&["t2-2", "t3-1"])),
            ]
        );
    }

    /// RangeAssignorTest: static members sort before dynamic ones, by instance id.
    #[test]
    fn range_orders_static_members_first_by_instance_id() {
        let mut a = member("A", &["t1"], &[]);
        let mut b = member("B", &["t1"], &[]);
        a.instance_id = Some("i2".into());
        b.instance_id = Some("i1".into());
        let c = member("C", &["t1"], &[]);
        let got = range(&[a, b, c], &counts(&[("t1", 3)]));
        assert_eq!(
            show(&got),
            vec![("A".into(), names(&["t1-1"])), ("B".into(), names(&["t1-0"])), ("C".into(), names(&["t1-2"]))]
        );
    }

    /// OptimizedUniformAssignmentBuilderTest.testFirstAssignmentTwoMembersTwoTopicsNoMemberRacks: five
    /// partitions, three and two. Kafka's topics go in UUID hash order (there t3 came first, so A
    /// got t1-0, t3-0, t3-1); here by name.
    #[test]
    fn test_first_assignment_two_members_two_topics_no_member_racks() {
        let members = [member("A", &["t1", "t3"], &[]), member("B", &["t1", "t3"], &[])];
        let got = uniform(&members, &counts(&[("t1", 3), ("t3", 2)]));
        assert_eq!(
            show(&got),
            vec![("A".into(), names(&["t1-0", "t1-1", "t1-2"])), ("B".into(), names(&["t3-0", "t3-1"]))]
        );
    }

    /// OptimizedUniformAssignmentBuilderTest.testReassignmentWhenOneMemberAddedAfterInitialAssignmentWithTwoMembersTwoTopics:
    /// the new member takes one partition from each, the rest stay (Kafka's expected answer).
    #[test]
    fn test_reassignment_when_one_member_added_after_initial_assignment() {
        let members = [
            member("A", &["t1", "t2"], &[("t1", 0), ("t1", 2), ("t2", 0)]),
            member("B", &["t1", "t2"], &[("t1", 1), ("t2", 1), ("t2", 2)]),
            member("C", &["t1", "t2"], &[]),
        ];
        let got = uniform(&members, &counts(&[("t1", 3), ("t2", 3)]));
        assert_eq!(
            show(&got),
            vec![
                ("A".into(), names(&["t1-0", "t1-2"])),
                ("B".into(), names(&["t1-1", "t2-1"])),
                ("C".into(), names(&["t2-0", "t2-2"])),
            ]
        );
    }

    /// OptimizedUniformAssignmentBuilderTest.testReassignmentWhenOneMemberRemovedAfterInitialAssignmentWithThreeMembersTwoTopics:
    /// the leaver's partitions go to the others; theirs stay. Kafka's hash order handed t2-2 to A
    /// and t1-2 to B; by name it is the other way round.
    #[test]
    fn test_reassignment_when_one_member_removed_after_initial_assignment() {
        let members =
            [member("A", &["t1", "t2"], &[("t1", 0), ("t2", 0)]), member("B", &["t1", "t2"], &[("t1", 1), ("t2", 1)])];
        let got = uniform(&members, &counts(&[("t1", 3), ("t2", 3)]));
        assert_eq!(
            show(&got),
            vec![("A".into(), names(&["t1-0", "t1-2", "t2-0"])), ("B".into(), names(&["t1-1", "t2-1", "t2-2"]))]
        );
    }

    /// A target holding a partition the topic no longer has is not kept: every partition that
    /// exists is assigned, once.
    #[test]
    fn uniform_drops_a_partition_the_topic_no_longer_has() {
        let members = [member("A", &["t1"], &[("t1", 0), ("t1", 5)]), member("B", &["t1"], &[("t1", 1)])];
        let got = uniform(&members, &counts(&[("t1", 3)]));
        let all: Vec<String> = got.values().flatten().map(|tp| alloc::format!("{tp}")).collect();
        assert_eq!(all.len(), 3);
        assert!(!all.contains(&"t1-5".into()));
    }

    #[test]
    fn uniform_heterogeneous_gives_each_topic_to_its_subscribers_only_and_balances() {
        let members = [member("A", &["t1"], &[]), member("B", &["t1", "t2"], &[]), member("C", &["t2"], &[])];
        let got = uniform(&members, &counts(&[("t1", 4), ("t2", 4)]));
        for (m, tps) in &got {
            let subscribed = &members.iter().find(|x| &x.member_id == m).map(|x| x.topics.clone()).unwrap_or_default();
            assert!(
                tps.iter().all(|tp| subscribed.iter().any(|t| *t == *tp.topic)),
                "{m} got a topic it does not subscribe to"
            );
        }
        let loads: Vec<usize> = got.values().map(Vec::len).collect();
        assert_eq!(loads.iter().sum::<usize>(), 8, "every partition assigned once");
        assert!(loads.iter().max().unwrap_or(&0) - loads.iter().min().unwrap_or(&0) <= 1, "balanced: {loads:?}");
    }
}
