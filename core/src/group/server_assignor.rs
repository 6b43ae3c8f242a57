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

/// Members with different subscriptions: Kafka's `UniformHeterogeneousAssignmentBuilder` (4.x),
/// step for step. Members are numbered in member-id order (Kafka's `groupSpec.memberIds()`) and
/// topics tie-break by name (Kafka's by topic id). Each member keeps its partitions of topics it
/// still subscribes to; the unassigned partitions go, topic by topic (most partitions per
/// subscriber first), to the least loaded subscribers; then each topic shared by two or more
/// members moves partitions from its most loaded subscribers to its least loaded until their
/// counts differ by at most one, for at most 16 rounds over the topics.
fn uniform_heterogeneous(members: &[AssignorMember], partitions: &SortedMap<String, u32>) -> TargetAssignment {
    /// `MAX_ITERATION_COUNT`.
    const ROUNDS_MAX: usize = 16;
    // The subscribed topics that exist: name, partition count, subscribers (member indices).
    let topics: Vec<(&str, u32, Vec<usize>)> = partitions
        .iter()
        .map(|(t, &n)| (t.as_str(), n, (0..members.len()).filter(|&i| subscribes(&members[i], t)).collect::<Vec<_>>()))
        .filter(|(_, _, subscribers)| !subscribers.is_empty())
        .collect();
    if topics.is_empty() {
        return TargetAssignment::new();
    }
    let mut b = Builder { sizes: alloc::vec![0; members.len()], owners: Vec::new() };
    b.owners = topics.iter().map(|(_, n, _)| alloc::vec![None; *n as usize]).collect();
    // `maybeRevokePartitions`: what a member still subscribes to stays (a partition the topic no
    // longer has, or one a stale target gives two members, is not kept twice).
    for (i, m) in members.iter().enumerate() {
        for tp in &m.target {
            let Some(ti) = topics.iter().position(|(t, _, _)| *t == &*tp.topic) else { continue };
            let owner = b.owners[ti].get_mut(tp.partition as usize);
            if let Some(owner @ None) = owner {
                if subscribes(m, &tp.topic) {
                    *owner = Some(i);
                    b.sizes[i] += 1;
                }
            }
        }
    }
    // `topicComparator`: partitions per subscriber descending (compared as cross products),
    // then fewer subscribers first, then the name.
    let mut order: Vec<usize> = (0..topics.len()).collect();
    crate::sort::sort_by(&mut order, |&a, &c| {
        let ((_, na, sa), (_, nc, sc)) = (&topics[a], &topics[c]);
        let per_a = u64::from(*na) * sc.len() as u64;
        let per_c = u64::from(*nc) * sa.len() as u64;
        per_c.cmp(&per_a).then(sa.len().cmp(&sc.len())).then(topics[a].0.cmp(topics[c].0))
    });
    // `assignRemainingPartitions`.
    let mut balancer = Balancer::default();
    for &ti in &order {
        let unassigned: Vec<usize> = (0..b.owners[ti].len()).filter(|&p| b.owners[ti][p].is_none()).collect();
        if unassigned.is_empty() {
            continue;
        }
        balancer.initialize(&topics[ti].2, &b.sizes);
        for p in unassigned {
            let m = balancer.next_least_loaded(&b.sizes);
            b.assign(ti, p, m);
        }
    }
    // `balance` / `balanceTopics`: only topics two or more members share can move.
    let shared: Vec<usize> = order.iter().copied().filter(|&ti| topics[ti].2.len() >= 2).collect();
    let mut last_moved: Option<usize> = None;
    'rounds: for _ in 0..ROUNDS_MAX {
        for (k, &ti) in shared.iter().enumerate() {
            if last_moved == Some(k) {
                break 'rounds; // A whole round without a move.
            }
            let moved = b.balance_topic(ti, &topics[ti].2, &mut balancer);
            if moved > 0 || last_moved.is_none() {
                last_moved = Some(k);
            }
        }
    }
    let mut out: TargetAssignment = members.iter().map(|m| (m.member_id.clone(), Vec::new())).collect();
    for (ti, owners) in b.owners.iter().enumerate() {
        for (p, owner) in owners.iter().enumerate() {
            if let Some(mine) = owner.and_then(|i| out.get_mut(&members[i].member_id)) {
                mine.push(TopicPartition::new(topics[ti].0, p as u32));
            }
        }
    }
    for mine in out.values_mut() {
        crate::sort::sort(mine);
    }
    out
}

/// The heterogeneous builder's state: each member's partition count and each partition's owner.
struct Builder {
    sizes: Vec<usize>,
    owners: Vec<Vec<Option<usize>>>,
}

impl Builder {
    /// `assignPartition`.
    fn assign(&mut self, topic: usize, partition: usize, member: usize) {
        if let Some(old) = self.owners[topic][partition].replace(member) {
            self.sizes[old] -= 1;
        }
        self.sizes[member] += 1;
    }

    /// `balanceTopic`: the number of partitions moved.
    fn balance_topic(&mut self, ti: usize, subscribers: &[usize], balancer: &mut Balancer) -> usize {
        if balancer.initialize(subscribers, &self.sizes) <= 1 {
            return 0;
        }
        // Partitions grouped by owner, each owner's range `start..end` (Kafka's
        // start/endPartitionIndices): an owner gives up the last of its range first.
        let owners = &self.owners[ti];
        let key = |p: usize| (owners[p].map_or(-1, |o| o as i64), p);
        let mut partitions: Vec<usize> = (0..owners.len()).collect();
        crate::sort::sort_by_key(&mut partitions, |&p| key(p));
        let mut ranges: SortedMap<usize, (usize, usize)> = SortedMap::new();
        for (i, &p) in partitions.iter().enumerate() {
            if let Some(o) = owners[p] {
                ranges.entry(o).or_insert((i, i)).1 = i + 1;
            }
        }
        let mut moved = 0;
        while !balancer.is_balanced() {
            // A most loaded member that still has a partition of this topic to give.
            let from = loop {
                let Some(m) = balancer.next_most_loaded(&self.sizes) else { break None };
                match ranges.get(&m) {
                    Some(&(start, end)) if end > start => break Some(m),
                    _ => balancer.exclude_most_loaded(),
                }
            };
            let Some(from) = from else { break };
            let Some(range) = ranges.get_mut(&from) else { break };
            range.1 -= 1;
            let partition = partitions[range.1];
            let to = balancer.next_least_loaded(&self.sizes);
            if balancer.is_balanced() {
                break;
            }
            self.assign(ti, partition, to);
            moved += 1;
        }
        moved
    }
}

/// Kafka's `MemberAssignmentBalancer`: a topic's subscribers sorted by partition count (then
/// index), a least loaded range growing rightwards and a most loaded range growing leftwards.
#[derive(Default)]
struct Balancer {
    sorted: Vec<usize>,
    least_end: usize,
    least_count: i64,
    next_least: usize,
    most_start: usize,
    most_end: usize,
    most_count: i64,
    next_most: i64,
}

impl Balancer {
    /// The spread between the most and the least loaded subscriber.
    fn initialize(&mut self, members: &[usize], sizes: &[usize]) -> i64 {
        self.sorted.clear();
        self.sorted.extend_from_slice(members);
        crate::sort::sort_by_key(&mut self.sorted, |&m| (sizes[m], m));
        let (first, last) = (sizes[self.sorted[0]] as i64, sizes[self.sorted[self.sorted.len() - 1]] as i64);
        self.least_end = 0;
        self.least_count = first - 1;
        self.next_least = 0;
        self.most_start = self.sorted.len();
        self.most_end = self.sorted.len();
        self.most_count = last + 1;
        self.next_most = self.sorted.len() as i64 - 1;
        last - first
    }

    fn next_least_loaded(&mut self, sizes: &[usize]) -> usize {
        if self.next_least >= self.least_end {
            // The range is full: its level rises by one, and it takes in the members at that level.
            self.least_count += 1;
            while self.least_end < self.sorted.len() && sizes[self.sorted[self.least_end]] as i64 == self.least_count {
                self.least_end += 1;
            }
            self.next_least = 0;
        }
        let m = self.sorted[self.next_least];
        self.next_least += 1;
        m
    }

    fn next_most_loaded(&mut self, sizes: &[usize]) -> Option<usize> {
        if self.next_most < self.most_start as i64 {
            if self.most_end <= self.most_start && self.most_start > 0 {
                // Emptied by exclusions: start from the level below.
                self.most_count = sizes[self.sorted[self.most_start - 1]] as i64;
            } else {
                self.most_count -= 1;
            }
            while self.most_start > 0 && sizes[self.sorted[self.most_start - 1]] as i64 == self.most_count {
                self.most_start -= 1;
            }
            self.next_most = self.most_end as i64 - 1;
        }
        let m = self.sorted.get(usize::try_from(self.next_most).ok()?).copied();
        self.next_most -= 1;
        m
    }

    /// The member just picked has nothing to give: it leaves the most loaded range.
    fn exclude_most_loaded(&mut self) {
        let at = (self.next_most + 1) as usize;
        self.sorted.swap(at, self.most_end - 1);
        self.most_end -= 1;
    }

    fn is_balanced(&self) -> bool {
        self.most_count - self.least_count <= 1
    }
}

fn subscribes(m: &AssignorMember, topic: &str) -> bool {
    m.topics.iter().any(|t| t == topic)
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

    /// UniformHeterogeneousAssignmentBuilderTest.testFirstAssignmentTwoMembersTwoTopics, Kafka's
    /// expected answer.
    #[test]
    fn test_heterogeneous_first_assignment_two_members_two_topics() {
        let members = [member("A", &["t1", "t3"], &[]), member("B", &["t3"], &[])];
        let got = uniform(&members, &counts(&[("t1", 3), ("t3", 6)]));
        assert_eq!(
            show(&got),
            vec![
                ("A".into(), names(&["t1-0", "t1-1", "t1-2", "t3-4"])),
                ("B".into(), names(&["t3-0", "t3-1", "t3-2", "t3-3", "t3-5"])),
            ]
        );
    }

    /// UniformHeterogeneousAssignmentBuilderTest.testFirstAssignmentNumMembersGreaterThanTotalNumPartitions.
    #[test]
    fn test_heterogeneous_first_assignment_more_members_than_partitions() {
        let members = [member("A", &["t3"], &[]), member("B", &["t3"], &[]), member("C", &["t1"], &[])];
        let got = uniform(&members, &counts(&[("t1", 2), ("t3", 1)]));
        assert_eq!(
            show(&got),
            vec![("A".into(), names(&["t3-0"])), ("B".into(), Vec::new()), ("C".into(), names(&["t1-0", "t1-1"]))]
        );
    }

    /// UniformHeterogeneousAssignmentBuilderTest.testReassignmentForTwoMembersThreeTopicsGivenUnbalancedPrevAssignment.
    #[test]
    fn test_heterogeneous_reassignment_given_unbalanced_previous_assignment() {
        let members = [
            member("A", &["t1"], &[("t1", 0), ("t1", 1), ("t1", 2)]),
            member("B", &["t1", "t2"], &[("t1", 3), ("t2", 0)]),
            member(
                "C",
                &["t1", "t2", "t3"],
                &[("t1", 4), ("t1", 5), ("t2", 1), ("t2", 2), ("t2", 3), ("t3", 0), ("t3", 1), ("t3", 2), ("t3", 3)],
            ),
        ];
        let got = uniform(&members, &counts(&[("t1", 6), ("t2", 4), ("t3", 4)]));
        assert_eq!(
            show(&got),
            vec![
                ("A".into(), names(&["t1-0", "t1-1", "t1-2", "t1-5"])),
                ("B".into(), names(&["t1-3", "t2-0", "t2-1", "t2-2", "t2-3"])),
                ("C".into(), names(&["t1-4", "t3-0", "t3-1", "t3-2", "t3-3"])),
            ]
        );
    }

    /// Seeded: members with random subsets of four topics, some with old targets. Every partition
    /// of a subscribed topic goes to exactly one of its subscribers, and the assignment is a fixed
    /// point (given back as the targets, it comes back unchanged: nothing moves without a cause).
    #[test]
    fn uniform_heterogeneous_assigns_every_partition_once_and_is_stable() {
        for seed in 0..300u64 {
            let mut rng = crate::rand::Rng::new(seed);
            let all = ["t1", "t2", "t3", "t4"];
            let sizes = counts(&[
                ("t1", 1 + rng.below(6) as u32),
                ("t2", 1 + rng.below(6) as u32),
                ("t3", 1 + rng.below(6) as u32),
                ("t4", 1 + rng.below(6) as u32),
            ]);
            let members: Vec<AssignorMember> = (0..1 + rng.below(5))
                .map(|i| {
                    let topics: Vec<&str> = all.iter().copied().filter(|_| rng.below(2) == 0).collect();
                    let target: Vec<(&str, u32)> = topics
                        .iter()
                        .flat_map(|t| (0..6).map(move |p| (*t, p)))
                        .filter(|_| rng.below(4) == 0)
                        .collect();
                    member(&alloc::format!("m{i}"), &topics, &target)
                })
                .collect();
            let got = uniform_heterogeneous(&members, &sizes);
            for (t, n) in sizes.iter() {
                for p in 0..*n {
                    let owners: Vec<&String> = got
                        .iter()
                        .filter(|(_, v)| v.contains(&TopicPartition::new(t.as_str(), p)))
                        .map(|(m, _)| m)
                        .collect();
                    let subscribed = members.iter().any(|m| subscribes(m, t));
                    assert_eq!(owners.len(), usize::from(subscribed), "seed {seed}: {t}-{p} owned by {owners:?}");
                    if let Some(owner) = owners.first() {
                        let m = members.iter().find(|m| &&m.member_id == owner).expect("a member");
                        assert!(subscribes(m, t), "seed {seed}: {owner} got {t}-{p} without subscribing");
                    }
                }
            }
            let again: Vec<AssignorMember> = members
                .iter()
                .map(|m| AssignorMember { target: got.get(&m.member_id).cloned().unwrap_or_default(), ..m.clone() })
                .collect();
            assert_eq!(uniform_heterogeneous(&again, &sizes), got, "seed {seed}: not a fixed point");
        }
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
