//! `GeneralAssignmentBuilder`: the sticky assignment when members subscribe to
//! different topics.
//!
//! Owned partitions of still-subscribed topics are kept; every other partition
//! (topics with the fewest potential members first) goes to the member holding
//! the fewest partitions that can take it; then partitions move, one at a time,
//! from a member to one holding at least two fewer until the assignment is
//! balanced, preferring to move a partition back to its owner in an earlier
//! generation and undoing an earlier move rather than making a new one. If the
//! result is not more balanced than before the moves, the moves are undone.

use super::movements::Movements;
use crate::group::assignor::{Assignment, Member};
use crate::protocol::TopicPartition;
use crate::sorted::{SortedMap, SortedSet};
use alloc::string::String;
use alloc::vec::Vec;

struct Builder<'a> {
    topics: &'a SortedMap<String, u32>,
    total: usize,
    /// `topic2AllPotentialConsumers`, in member-id order.
    topic_members: SortedMap<String, Vec<String>>,
    /// `consumer2AllPotentialTopics`, in subscription order.
    member_topics: SortedMap<String, Vec<String>>,
    /// `currentAssignment`.
    current: SortedMap<String, Vec<TopicPartition>>,
    /// `currentPartitionConsumer`.
    owner: SortedMap<TopicPartition, String>,
    /// `sortedCurrentSubscriptions`: members by partitions held, then member id.
    by_size: SortedSet<(usize, String)>,
    revocation_required: bool,
    movements: Movements,
}

/// A member's previous owner of a partition from an older generation (`prevAssignment`).
type PrevAssignment = SortedMap<TopicPartition, (String, i64)>;

pub(super) fn assign(
    topics: &SortedMap<String, u32>,
    members: &[&Member],
    owned: SortedMap<String, Vec<TopicPartition>>,
    max_generation: i64,
) -> (Assignment, Movements) {
    let mut topic_members: SortedMap<String, Vec<String>> = topics.keys().map(|t| (t.clone(), Vec::new())).collect();
    let mut member_topics = SortedMap::new();
    for m in members {
        let mine: Vec<String> = m.topics.iter().filter(|t| topics.contains_key(t.as_str())).cloned().collect();
        for t in &mine {
            topic_members.entry(t.clone()).or_default().push(m.member_id.clone());
        }
        member_topics.insert(m.member_id.clone(), mine);
    }
    let mut current = owned;
    for m in members {
        current.entry(m.member_id.clone()).or_default();
    }
    let owner = current.iter().flat_map(|(m, tps)| tps.iter().map(move |tp| (tp.clone(), m.clone()))).collect();
    let mut b = Builder {
        topics,
        total: topics.values().map(|&n| n as usize).sum(),
        topic_members,
        member_topics,
        current,
        owner,
        by_size: SortedSet::new(),
        revocation_required: false,
        movements: Movements::default(),
    };
    let prev = previous_assignment(members, max_generation);

    // All partitions, topics with fewer potential members first (`TopicComparator`).
    let mut sorted_topics: Vec<&String> = topics.keys().collect();
    crate::sort::sort_by_key(&mut sorted_topics, |t| (b.topic_members.get(t.as_str()).map_or(0, Vec::len), *t));
    let mut sorted_all: Vec<TopicPartition> = sorted_topics
        .iter()
        .flat_map(|t| {
            (0..topics.get(t.as_str()).copied().unwrap_or(0)).map(move |p| TopicPartition::new((*t).clone(), p))
        })
        .collect();

    // assignOwnedPartitions: a member keeps owned partitions of topics it still subscribes to.
    let mut assigned: SortedSet<TopicPartition> = SortedSet::new();
    for (m, list) in b.current.iter_mut() {
        let subscribed = b.member_topics.get(m).map_or(&[][..], Vec::as_slice);
        list.retain(|tp| {
            let keep = subscribed.iter().any(|t| *t == *tp.topic);
            b.revocation_required |= !keep;
            keep
        });
        assigned.extend(list.iter().cloned());
    }
    let mut unassigned: Vec<TopicPartition> = sorted_all.iter().filter(|tp| !assigned.contains(*tp)).cloned().collect();
    b.by_size = b.current.iter().map(|(m, l)| (l.len(), m.clone())).collect();
    b.balance(&prev, &mut sorted_all, &mut unassigned);
    (b.current, b.movements)
}

/// `prepopulateCurrentAssignments`: for each partition a member of an older
/// generation than the newest owned, that member (the newest such generation;
/// the first member in order on a tie).
fn previous_assignment(members: &[&Member], max_generation: i64) -> PrevAssignment {
    let mut prev = PrevAssignment::new();
    for m in members {
        let g = super::generation(m);
        if g >= max_generation {
            continue;
        }
        for tp in &m.owned {
            if prev.get(tp).is_none_or(|(_, old)| g > *old) {
                prev.insert(tp.clone(), (m.member_id.clone(), g));
            }
        }
    }
    prev
}

impl Builder<'_> {
    fn size(&self, member: &str) -> usize {
        self.current.get(member).map_or(0, Vec::len)
    }

    fn subscribes(&self, member: &str, topic: &str) -> bool {
        self.member_topics.get(member).is_some_and(|ts| ts.iter().any(|t| t == topic))
    }

    fn potential(&self, topic: &str) -> &[String] {
        self.topic_members.get(topic).map_or(&[][..], Vec::as_slice)
    }

    /// `getMaxAssignmentSize`.
    fn max_size(&self, member: &str) -> usize {
        let topics = self.member_topics.get(member).map_or(&[][..], Vec::as_slice);
        if topics.len() == self.topics.len() {
            self.total
        } else {
            topics.iter().map(|t| self.topics.get(t.as_str()).copied().unwrap_or(0) as usize).sum()
        }
    }

    /// Gives `tp` to `member`, keeping `by_size` in order.
    fn add(&mut self, member: &str, tp: TopicPartition) {
        let list = self.current.entry(member.into()).or_default();
        self.by_size.remove(&(list.len(), String::from(member)));
        list.push(tp.clone());
        self.by_size.insert((list.len(), member.into()));
        self.owner.insert(tp, member.into());
    }

    fn take(&mut self, member: &str, tp: &TopicPartition) {
        if let Some(list) = self.current.get_mut(member) {
            self.by_size.remove(&(list.len(), String::from(member)));
            list.retain(|t| t != tp);
            self.by_size.insert((list.len(), member.into()));
        }
    }

    /// `balance`.
    fn balance(
        &mut self,
        prev: &PrevAssignment,
        sorted_all: &mut Vec<TopicPartition>,
        unassigned: &mut Vec<TopicPartition>,
    ) {
        let initializing = self.by_size.last().is_none_or(|(n, _)| *n == 0);
        // maybeAssign: each unassigned partition to the least loaded member that can take it.
        for tp in unassigned.iter() {
            let to = self.by_size.iter().find(|(_, m)| self.subscribes(m, &tp.topic)).map(|(_, m)| m.clone());
            if let Some(to) = to {
                self.add(&to, tp.clone());
            }
        }
        // Only topics with two or more potential members, and members that could change, take part.
        let fixed_topic = |b: &Self, topic: &str| b.potential(topic).len() < 2;
        sorted_all.retain(|tp| !fixed_topic(self, &tp.topic));
        unassigned.retain(|tp| !fixed_topic(self, &tp.topic));
        let mut fixed: Vec<(String, Vec<TopicPartition>)> = Vec::new();
        let members: Vec<String> = self.member_topics.keys().cloned().collect();
        for m in members {
            let list = self.current.get(&m).map_or(&[][..], Vec::as_slice);
            let can_change = list.len() < self.max_size(&m) || list.iter().any(|tp| !fixed_topic(self, &tp.topic));
            if !can_change {
                self.by_size.remove(&(list.len(), m.clone()));
                let list = self.current.remove(&m).unwrap_or_default();
                fixed.push((m, list));
            }
        }
        let before = (self.current.clone(), self.owner.clone());
        if !self.revocation_required {
            self.perform_reassignments(unassigned, prev);
        }
        let performed = self.perform_reassignments(sorted_all, prev);
        if !initializing && performed && balance_score(&self.current) >= balance_score(&before.0) {
            (self.current, self.owner) = before;
        }
        for (m, list) in fixed {
            self.by_size.insert((list.len(), m.clone()));
            self.current.insert(m, list);
        }
    }

    /// `performReassignments`: moves partitions until the assignment is balanced
    /// or a whole pass moves nothing. Says whether anything moved.
    fn perform_reassignments(&mut self, partitions: &[TopicPartition], prev: &PrevAssignment) -> bool {
        let mut performed = false;
        loop {
            let mut modified = false;
            for tp in partitions {
                if self.is_balanced() {
                    break;
                }
                let Some(member) = self.owner.get(tp).cloned() else {
                    continue;
                };
                let size = self.size(&member);
                // Back to its owner of an older generation, if that one has two fewer.
                if let Some((back, _)) = prev.get(tp) {
                    if self.current.contains_key(back) && size > self.size(back) + 1 {
                        let back = back.clone();
                        self.reassign(tp, &back);
                        performed = true;
                        modified = true;
                        continue;
                    }
                }
                if self.potential(&tp.topic).iter().any(|other| size > self.size(other) + 1) {
                    // To the least loaded member that can take it.
                    let to = self.by_size.iter().find(|(_, m)| self.subscribes(m, &tp.topic)).map(|(_, m)| m.clone());
                    if let Some(to) = to {
                        self.reassign(tp, &to);
                        performed = true;
                        modified = true;
                    }
                }
            }
            if !modified {
                return performed;
            }
        }
    }

    /// `reassignPartition`: moves `tp`, or the partition of its topic that an
    /// earlier move took the other way (so the two moves cancel out).
    fn reassign(&mut self, tp: &TopicPartition, to: &str) {
        let Some(from) = self.owner.get(tp).cloned() else {
            return;
        };
        let tp = self.movements.actual_partition_to_move(tp, &from, to);
        // processPartitionMovement
        let Some(old) = self.owner.get(&tp).cloned() else {
            return;
        };
        self.movements.move_partition(&tp, &old, to);
        self.take(&old, &tp);
        self.add(to, tp);
    }

    /// `isBalanced`: the sizes differ by at most one, or no member could take a
    /// partition from one holding two or more than it.
    fn is_balanced(&self) -> bool {
        let (Some((min, _)), Some((max, _))) = (self.by_size.first(), self.by_size.last()) else {
            return true;
        };
        if min + 1 >= *max {
            return true;
        }
        for (count, member) in self.by_size.iter() {
            if *count == self.max_size(member) {
                continue;
            }
            let mine = self.current.get(member).map_or(&[][..], Vec::as_slice);
            for topic in self.member_topics.get(member).map_or(&[][..], Vec::as_slice) {
                for p in 0..self.topics.get(topic.as_str()).copied().unwrap_or(0) {
                    let tp = TopicPartition::new(topic.clone(), p);
                    if mine.contains(&tp) {
                        continue;
                    }
                    if let Some(other) = self.owner.get(&tp) {
                        if self.current.contains_key(other) && count + 1 < self.size(other) {
                            return false;
                        }
                    }
                }
            }
        }
        true
    }
}

/// `getBalanceScore`: the sum over member pairs of the difference of their sizes.
fn balance_score(assignment: &SortedMap<String, Vec<TopicPartition>>) -> usize {
    let sizes: Vec<usize> = assignment.values().map(Vec::len).collect();
    let mut score = 0;
    for (i, a) in sizes.iter().enumerate() {
        for b in &sizes[i + 1..] {
            score += a.abs_diff(*b);
        }
    }
    score
}
