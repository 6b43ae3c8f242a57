//! The order Java's `HashMap` and `HashSet` iterate in, for the keys the
//! sticky assignors keep in them: Kafka's result depends on it (which member
//! keeps `maxQuota` partitions, which of several moved partitions moves back),
//! so the same members get the same assignment as from a Java group leader.
//!
//! A default `HashMap` has 16 buckets and doubles when more than three
//! quarters full; it iterates bucket by bucket, and within a bucket in
//! insertion order. A key's bucket is its `hashCode()`, spread
//! (`h ^ (h >>> 16)`), masked to the table size.

use crate::group::assignor::Member;
use crate::protocol::TopicPartition;

/// `String.hashCode`: over UTF-16 code units, `31 * h + c`, wrapping.
fn string_hash(s: &str) -> u32 {
    s.encode_utf16().fold(0u32, |h, c| h.wrapping_mul(31).wrapping_add(u32::from(c)))
}

/// `TopicPartition.hashCode`: `31 * (31 + partition) + topic.hashCode()`.
fn partition_hash(tp: &TopicPartition) -> u32 {
    31u32.wrapping_add(tp.partition).wrapping_mul(31).wrapping_add(string_hash(&tp.topic))
}

/// The table size of a default `HashMap` that has held `entries` at most.
fn table_size(entries: usize) -> u32 {
    let mut size = 16u32;
    while entries > size as usize * 3 / 4 {
        size *= 2;
    }
    size
}

fn bucket(hash: u32, entries: usize) -> u32 {
    (hash ^ (hash >> 16)) & (table_size(entries) - 1)
}

/// Sorts members as a `HashMap` keyed by member id iterates them (members in
/// one bucket in member-id order, as if inserted in that order).
pub(super) fn sort_members(members: &mut [&Member]) {
    let n = members.len();
    crate::sort::sort_by_key(members, |m| (bucket(string_hash(&m.member_id), n), m.member_id.as_str()));
}

/// The first partition a `HashSet` iterates, given its partitions in
/// insertion order and the most it ever held.
pub(super) fn first_partition(items: &[TopicPartition], most_held: usize) -> Option<&TopicPartition> {
    items.iter().min_by_key(|tp| bucket(partition_hash(tp), most_held))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values Java gives (`"consumer1".hashCode()`, `new TopicPartition("topic", 0).hashCode()`).
    #[test]
    fn hashes_are_javas() {
        assert_eq!(string_hash("consumer1") as i32, -421_004_549);
        assert_eq!(string_hash(""), 0);
        assert_eq!(partition_hash(&TopicPartition::new("topic", 0)) as i32, 31 * 31 + 110_546_223);
    }

    #[test]
    fn members_iterate_in_javas_order() {
        let members: alloc::vec::Vec<Member> = ["consumer1", "consumer2", "consumer3", "consumer4"]
            .iter()
            .map(|id| Member::new(id, alloc::vec![]))
            .collect();
        let mut order: alloc::vec::Vec<&Member> = members.iter().collect();
        sort_members(&mut order);
        let ids: alloc::vec::Vec<&str> = order.iter().map(|m| m.member_id.as_str()).collect();
        assert_eq!(ids, ["consumer4", "consumer3", "consumer2", "consumer1"]);
        assert_eq!(table_size(12), 16);
        assert_eq!(table_size(13), 32);
    }
}
