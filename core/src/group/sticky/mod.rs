//! `StickyAssignor` and `CooperativeStickyAssignor`: a port of Apache Kafka's
//! `AbstractStickyAssignor` (clients, 3.8 and later: KAFKA-14639's
//! per-partition generation rule, KAFKA-16277's owned-partition order),
//! without racks.
//!
//! Kafka keeps the members in hash maps, and the result depends on the order
//! they iterate in; this port iterates them in Java's `HashMap` order
//! (`hash_order.rs`; members in one bucket in member-id order, where Java has
//! the order the coordinator listed them in), and takes the element of a
//! hash set that Java's iterator gives first. Everything else (quotas,
//! comparators, the order partitions are visited in, when a reassignment is
//! undone) is Kafka's.

mod constrained;
mod general;
mod hash_order;
mod movements;
#[cfg(test)]
mod tests;

use crate::group::assignor::{Assignment, Member};
use crate::protocol::TopicPartition;
use crate::sorted::{SortedMap, SortedSet};
use alloc::string::String;
use alloc::vec::Vec;

/// `AbstractStickyAssignor.DEFAULT_GENERATION`: a member that has not been in a generation yet.
const DEFAULT_GENERATION: i64 = -1;

/// A sticky assignment and, when the constrained algorithm made it, the
/// partitions it gives to a member other than their previous owner (partition
/// to new owner: `partitionsTransferringOwnership`). The general algorithm
/// does not track them (`None`, as Kafka's `null`); the cooperative assignor
/// then works them out from what the members said they own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StickyAssignment {
    pub assignment: Assignment,
    pub transferring: Option<SortedMap<TopicPartition, String>>,
}

fn generation(m: &Member) -> i64 {
    m.generation.map_or(DEFAULT_GENERATION, i64::from)
}

/// What `allSubscriptionsEqual` works out from the subscriptions.
struct Owned {
    all_equal: bool,
    /// Each member's previously owned partitions that still count (`consumerToOwnedPartitions`).
    owned: SortedMap<String, Vec<TopicPartition>>,
    /// Partitions two members of one generation both claimed: neither keeps them.
    multiple: SortedSet<TopicPartition>,
    max_generation: i64,
}

/// `allSubscriptionsEqual`: whether every member subscribes to the same topics,
/// and which owned partitions count. A claim on a partition of a topic being
/// assigned stands unless another member claims it too: then the higher
/// generation keeps it (KAFKA-14639), and two claims in one generation void it.
fn owned_partitions(members: &[&Member], topics: &SortedMap<String, u32>) -> Owned {
    let mut all_equal = true;
    let mut subscribed: SortedSet<&str> = SortedSet::new();
    let mut owned: SortedMap<String, Vec<TopicPartition>> = SortedMap::new();
    let mut multiple = SortedSet::new();
    let mut max_generation = DEFAULT_GENERATION;
    let mut previous_owner: SortedMap<TopicPartition, (&str, i64)> = SortedMap::new();
    for m in members {
        if subscribed.is_empty() {
            subscribed.extend(m.topics.iter().map(String::as_str));
        } else if all_equal
            && !(m.topics.len() == subscribed.len() && m.topics.iter().all(|t| subscribed.contains(t.as_str())))
        {
            all_equal = false;
        }
        let member_generation = generation(m);
        max_generation = max_generation.max(member_generation);
        owned.insert(m.member_id.clone(), Vec::new());
        // A partition number past the topic's end cannot be owned; Kafka checks the topic only,
        // as its topics never shrink.
        for tp in m.owned.iter().filter(|tp| topics.get(tp.topic.as_str()).is_some_and(|&n| tp.partition < n)) {
            let mine = (m.member_id.as_str(), member_generation);
            match previous_owner.get(tp).copied() {
                None => {
                    previous_owner.insert(tp.clone(), mine);
                    owned.entry(m.member_id.clone()).or_default().push(tp.clone());
                }
                Some((other, other_generation)) if other_generation <= member_generation => {
                    if let Some(list) = owned.get_mut(other) {
                        list.retain(|t| t != tp);
                    }
                    if other_generation == member_generation {
                        multiple.insert(tp.clone());
                    } else {
                        owned.entry(m.member_id.clone()).or_default().push(tp.clone());
                    }
                    previous_owner.insert(tp.clone(), mine);
                }
                // The other member's newer generation keeps it.
                Some(_) => {}
            }
        }
    }
    Owned { all_equal, owned, multiple, max_generation }
}

/// `AbstractStickyAssignor.assignPartitions`, with the general algorithm's
/// partition movements (which only a test of stickiness reads).
fn assign(members: &[Member], partitions: &SortedMap<String, u32>) -> (StickyAssignment, Option<movements::Movements>) {
    let mut ordered: Vec<&Member> = members.iter().collect();
    hash_order::sort_members(&mut ordered);
    // Kafka's assignor is given the subscribed topics that exist.
    let subscribed: SortedSet<&String> = ordered.iter().flat_map(|m| m.topics.iter()).collect();
    let topics: SortedMap<String, u32> =
        partitions.iter().filter(|(t, _)| subscribed.contains(t)).map(|(t, n)| (t.clone(), *n)).collect();
    let owned = owned_partitions(&ordered, &topics);
    let (mut result, movements) = if owned.all_equal {
        let order: Vec<&str> = ordered.iter().map(|m| m.member_id.as_str()).collect();
        (constrained::assign(&topics, &order, owned.owned, &owned.multiple), None)
    } else {
        let (assignment, movements) = general::assign(&topics, &ordered, owned.owned, owned.max_generation);
        (StickyAssignment { assignment, transferring: None }, Some(movements))
    };
    for list in result.assignment.values_mut() {
        crate::sort::sort(list);
    }
    (result, movements)
}

/// `StickyAssignor`: as balanced as possible, moving as few owned partitions as possible.
pub fn sticky(members: &[Member], partitions: &SortedMap<String, u32>) -> StickyAssignment {
    assign(members, partitions).0
}

/// `CooperativeStickyAssignor`: the sticky assignment without the partitions
/// changing owner. Their old owners lose them now (they are not in their new
/// assignment), revoke them and rejoin; the next rebalance gives them out.
pub fn cooperative_sticky(members: &[Member], partitions: &SortedMap<String, u32>) -> Assignment {
    let StickyAssignment { mut assignment, transferring } = sticky(members, partitions);
    let transferring = transferring.unwrap_or_else(|| transferring_ownership(members, &assignment));
    for (tp, new_owner) in transferring {
        if let Some(list) = assignment.get_mut(&new_owner) {
            list.retain(|t| *t != tp);
        }
    }
    assignment
}

/// `computePartitionsTransferringOwnership`: partitions a member gets that it
/// did not say it owned, and that some member said it owned and does not get.
fn transferring_ownership(members: &[Member], assignment: &Assignment) -> SortedMap<TopicPartition, String> {
    let mut added: SortedMap<TopicPartition, String> = SortedMap::new();
    let mut revoked: SortedSet<&TopicPartition> = SortedSet::new();
    for m in members {
        let assigned = assignment.get(&m.member_id).map_or(&[][..], Vec::as_slice);
        for tp in assigned.iter().filter(|tp| !m.owned.contains(tp)) {
            added.insert(tp.clone(), m.member_id.clone());
        }
        revoked.extend(m.owned.iter().filter(|tp| !assigned.contains(tp)));
    }
    added.retain(|tp, _| revoked.contains(tp));
    added
}
