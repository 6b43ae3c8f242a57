//! `PartitionMovements`: the general sticky algorithm's record of where each
//! partition moved during one assignment, so that a later move can undo an
//! earlier one instead of moving a second partition of the same topic the
//! other way, and (in tests) `isSticky`: no two members swapped partitions of
//! one topic.

use super::hash_order;
use crate::protocol::{TopicName, TopicPartition};
use crate::sorted::SortedMap;
use alloc::string::String;
use alloc::vec::Vec;

/// A move from one member to another (`ConsumerPair`: source, destination).
type Pair = (String, String);

/// A `HashSet` of partitions: in insertion order, with the most it held (its table size).
#[derive(Debug, Default)]
struct PartitionSet {
    items: Vec<TopicPartition>,
    most_held: usize,
}

#[derive(Debug, Default)]
pub(super) struct Movements {
    by_partition: SortedMap<TopicPartition, Pair>,
    by_topic: SortedMap<TopicName, SortedMap<Pair, PartitionSet>>,
}

impl Movements {
    fn remove(&mut self, tp: &TopicPartition) -> Option<Pair> {
        let pair = self.by_partition.remove(tp)?;
        if let Some(pairs) = self.by_topic.get_mut(&tp.topic) {
            if let Some(set) = pairs.get_mut(&pair) {
                set.items.retain(|t| t != tp);
                if set.items.is_empty() {
                    pairs.remove(&pair);
                }
            }
            if pairs.is_empty() {
                self.by_topic.remove(&tp.topic);
            }
        }
        Some(pair)
    }

    fn add(&mut self, tp: &TopicPartition, pair: Pair) {
        self.by_partition.insert(tp.clone(), pair.clone());
        let set = self.by_topic.entry(tp.topic.clone()).or_default().entry(pair).or_default();
        if !set.items.contains(tp) {
            set.items.push(tp.clone());
            set.most_held = set.most_held.max(set.items.len());
        }
    }

    /// `movePartition`: a partition that moves back to where it started this
    /// assignment has not moved at all.
    pub(super) fn move_partition(&mut self, tp: &TopicPartition, from: &str, to: &str) {
        match self.remove(tp) {
            Some((source, destination)) => {
                debug_assert_eq!(destination, from, "{tp} moves from where its last move took it");
                if source != to {
                    self.add(tp, (source, to.into()));
                }
            }
            None => self.add(tp, (from.into(), to.into())),
        }
    }

    /// `getTheActualPartitionToBeMoved`: to move a partition of a topic from
    /// `from` to `to` when another partition of that topic already moved from
    /// `to` to `from` this assignment, move that one back instead (Kafka takes
    /// the first its hash set iterates).
    pub(super) fn actual_partition_to_move(&self, tp: &TopicPartition, from: &str, to: &str) -> TopicPartition {
        let Some(pairs) = self.by_topic.get(&tp.topic) else {
            return tp.clone();
        };
        let from = self.by_partition.get(tp).map_or(from, |(source, _)| source.as_str());
        let reverse = pairs.get(&(String::from(to), String::from(from)));
        match reverse.and_then(|set| hash_order::first_partition(&set.items, set.most_held)) {
            Some(earlier) => earlier.clone(),
            None => tp.clone(),
        }
    }

    /// `isSticky`: no topic's moves contain a cycle of two members (a swap).
    #[cfg(test)]
    pub(super) fn is_sticky(&self) -> bool {
        self.by_topic.values().all(|pairs| !has_two_cycle(&pairs.keys().cloned().collect::<Vec<_>>()))
    }
}

/// `hasCycles`: Kafka looks for cycles among the moves and fails on one of length two.
#[cfg(test)]
fn has_two_cycle(pairs: &[Pair]) -> bool {
    let mut cycles: Vec<Vec<String>> = Vec::new();
    for (i, (source, destination)) in pairs.iter().enumerate() {
        let mut reduced = pairs.to_vec();
        reduced.remove(i);
        let mut path = alloc::vec![source.clone()];
        if is_linked(destination, source, reduced, &mut path) && !seen(&path, &cycles) {
            cycles.push(path);
        }
    }
    cycles.iter().any(|c| c.len() == 3)
}

/// `isLinked`: a path of moves from `source` to `destination`, following the first move out of each member.
#[cfg(test)]
fn is_linked(source: &str, destination: &str, pairs: Vec<Pair>, path: &mut Vec<String>) -> bool {
    if source == destination || pairs.is_empty() {
        return false;
    }
    if pairs.iter().any(|(s, d)| s == source && d == destination) {
        path.push(source.into());
        path.push(destination.into());
        return true;
    }
    match pairs.iter().position(|(s, _)| s == source) {
        Some(i) => {
            let mut reduced = pairs;
            let (s, d) = reduced.remove(i);
            path.push(s);
            is_linked(&d, destination, reduced, path)
        }
        None => false,
    }
}

/// Kafka's `in`: the cycle is a rotation of one already found.
#[cfg(test)]
fn seen(cycle: &[String], cycles: &[Vec<String>]) -> bool {
    let mut doubled: Vec<String> = cycle[..cycle.len() - 1].to_vec();
    doubled.extend(cycle.iter().cloned());
    cycles.iter().any(|found| found.len() == cycle.len() && doubled.windows(found.len()).any(|w| w == found.as_slice()))
}
