//! `ConstrainedAssignmentBuilder`: the sticky assignment when every member
//! subscribes to the same topics.
//!
//! 1. Each member (in Kafka's hash-map order) keeps what it owned, sorted by partition number and then
//!    topic (so a member owning two whole topics keeps a share of each): all
//!    of it under `minQuota`; `maxQuota` of it while fewer than the expected
//!    number of members are above `minQuota`; `minQuota` of it otherwise.
//! 2. The rest, in topic and partition order, go round robin to the members
//!    under `minQuota` (member-id order), then one each to members at
//!    `minQuota` until the expected number are at `maxQuota`.

use super::StickyAssignment;
use crate::group::assignor::Assignment;
use crate::protocol::TopicPartition;
use crate::sorted::{SortedMap, SortedSet};
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

pub(super) fn assign(
    topics: &SortedMap<String, u32>,
    order: &[&str],
    mut owned: SortedMap<String, Vec<TopicPartition>>,
    multiple: &SortedSet<TopicPartition>,
) -> StickyAssignment {
    let members = owned.len();
    let total: usize = topics.values().map(|&n| n as usize).sum();
    // A group has a member (its leader runs this); with none every quota is 0.
    let min_quota = total.checked_div(members).unwrap_or(0);
    let max_quota = min_quota + usize::from(total.checked_rem(members).unwrap_or(0) > 0);
    let expected_over_min = total.checked_rem(members).unwrap_or(0);
    let mut over_min = 0usize;
    let mut assignment: Assignment = owned.keys().map(|m| (m.clone(), Vec::new())).collect();
    let mut maybe_revoked: SortedMap<TopicPartition, String> = SortedMap::new();
    let mut assigned: SortedSet<TopicPartition> = SortedSet::new();
    let mut under_min: Vec<String> = Vec::new();
    let mut exactly_min: VecDeque<String> = VecDeque::new();

    // assignOwnedPartitions, members in the order Kafka's hash map gives them.
    for &member in order {
        let member = String::from(member);
        let list = owned.remove(&member).unwrap_or_default();
        let mut list: Vec<TopicPartition> = list.into_iter().filter(|tp| !multiple.contains(tp)).collect();
        crate::sort::sort_by(&mut list, |a, b| a.partition.cmp(&b.partition).then_with(|| a.topic.cmp(&b.topic)));
        let keep = if list.len() < min_quota {
            under_min.push(member.clone());
            list.len()
        } else if list.len() >= max_quota && over_min < expected_over_min {
            over_min += 1;
            if over_min == expected_over_min {
                exactly_min.clear();
            }
            max_quota
        } else {
            if over_min < expected_over_min {
                exactly_min.push_back(member.clone());
            }
            min_quota
        };
        for tp in list.drain(keep..) {
            maybe_revoked.insert(tp, member.clone());
        }
        assigned.extend(list.iter().cloned());
        assignment.insert(member, list);
    }

    let unassigned: Vec<TopicPartition> = topics
        .iter()
        .flat_map(|(t, &n)| (0..n).map(move |p| TopicPartition::new(t.clone(), p)))
        .filter(|tp| !assigned.contains(tp))
        .collect();
    crate::sort::sort(&mut under_min);
    crate::sort::sort(exactly_min.make_contiguous());

    // assignRoundRobin: `next` walks `under_min` as Kafka's iterator over its linked list does.
    let mut transferring = SortedMap::new();
    let mut next = 0usize;
    for tp in unassigned {
        let member = if next < under_min.len() {
            next += 1;
            under_min[next - 1].clone()
        } else if !under_min.is_empty() {
            next = 1;
            under_min[0].clone()
        } else if let Some(m) = exactly_min.pop_front() {
            m
        } else {
            // Kafka throws IllegalStateException: the quotas add up to the partitions, so
            // every partition has a member with room.
            debug_assert!(false, "no member with room for {tp}: the quotas add up to the partitions");
            break;
        };
        // assignNewPartition
        if maybe_revoked.get(&tp).is_some_and(|owner| *owner != member) || multiple.contains(&tp) {
            transferring.insert(tp.clone(), member.clone());
        }
        let mine = assignment.entry(member.clone()).or_default();
        mine.push(tp);
        if mine.len() == min_quota {
            // A member taken from `under_min` (one from `exactly_min` is past minQuota).
            if next > 0 && under_min.get(next - 1) == Some(&member) {
                next -= 1;
                under_min.remove(next);
            }
            exactly_min.push_back(member);
        }
        // (Kafka also counts members reaching maxQuota here, for a log line only.)
    }
    StickyAssignment { assignment, transferring: Some(transferring) }
}
