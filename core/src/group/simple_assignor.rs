//! The share group coordinator's `simple` assignor (Kafka 4.1+'s `SimpleAssignor`): partitions
//! are balanced over the members, and when there are more members than partitions, several
//! members share a partition. Balance comes first, then stickiness.
//!
//! Kafka's `SimpleHomogeneousAssignmentBuilder`, step by step: each partition wants
//! `ceil(members / partitions)` members (the desired sharing); each member wants its share of
//! the `sharing × partitions` assignments, spread as evenly as integers allow; the old
//! assignment is kept except what is no longer subscribed, what is shared more than desired and
//! what makes a member hold more than its share; the partitions short of members are then given
//! round-robin to the members short of partitions. A group whose members subscribe to different
//! topics is balanced topic by topic among the members that subscribe to it (the heterogeneous
//! builder's rule). Kafka walks Java hash maps here; this port walks members and partitions in
//! name order, so the same balance may put partitions on different members than Kafka would.

use crate::protocol::TopicPartition;
use crate::sorted::SortedMap;
use alloc::string::String;
use alloc::vec::Vec;

/// A member as the assignor sees it: its subscription and what it holds now.
#[derive(Debug)]
pub struct SimpleMember<'a> {
    pub id: &'a str,
    pub topics: &'a [String],
    pub current: &'a [TopicPartition],
}

/// The target assignment: every member's partitions, sorted.
pub fn assign(
    members: &[SimpleMember<'_>],
    partitions: &dyn Fn(&str) -> Option<u32>,
) -> SortedMap<String, Vec<TopicPartition>> {
    let mut out: SortedMap<String, Vec<TopicPartition>> = members.iter().map(|m| (m.id.into(), Vec::new())).collect();
    let homogeneous = members.windows(2).all(|w| sorted(w[0].topics) == sorted(w[1].topics));
    if homogeneous {
        let topics = members.first().map(|m| sorted(m.topics)).unwrap_or_default();
        balance(members, &topics, partitions, &mut out);
    } else {
        let mut topics: Vec<&str> = members.iter().flat_map(|m| m.topics.iter().map(String::as_str)).collect();
        crate::sort::sort(&mut topics);
        topics.dedup();
        for topic in topics {
            let subscribed: Vec<SimpleMember<'_>> = members
                .iter()
                .filter(|m| m.topics.iter().any(|t| t == topic))
                .map(|m| SimpleMember { id: m.id, topics: m.topics, current: m.current })
                .collect();
            balance(&subscribed, &[topic], partitions, &mut out);
        }
    }
    for v in out.values_mut() {
        crate::sort::sort(v);
    }
    out
}

fn sorted(topics: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = topics.iter().map(String::as_str).collect();
    crate::sort::sort(&mut v);
    v.dedup();
    v
}

/// One homogeneous balance of `topics`' partitions over `members`, added to `out`.
fn balance(
    members: &[SimpleMember<'_>],
    topics: &[&str],
    partitions: &dyn Fn(&str) -> Option<u32>,
    out: &mut SortedMap<String, Vec<TopicPartition>>,
) {
    let targets: Vec<TopicPartition> =
        topics.iter().flat_map(|&t| (0..partitions(t).unwrap_or(0)).map(move |p| TopicPartition::new(t, p))).collect();
    let (n, p) = (members.len(), targets.len());
    if n == 0 || p == 0 {
        return;
    }
    let sharing = n.div_ceil(p);
    // Member k (from 1) wants ceil(k·s·p/n) − ceil((k−1)·s·p/n): the s·p assignments spread evenly.
    let want: Vec<usize> =
        (1..=n).map(|k| (k * sharing * p).div_ceil(n) - ((k - 1) * sharing * p).div_ceil(n)).collect();
    // What each member keeps of its old assignment (only partitions of these topics that exist).
    let mut held: Vec<Vec<usize>> = members
        .iter()
        .map(|m| {
            let mut v: Vec<usize> = m.current.iter().filter_map(|tp| targets.binary_search(tp).ok()).collect();
            crate::sort::sort(&mut v);
            v.dedup();
            v
        })
        .collect();
    let overfilled: Vec<bool> = held.iter().zip(&want).map(|(h, &w)| h.len() > w).collect();
    let mut sharers: Vec<Vec<usize>> = alloc::vec![Vec::new(); p];
    for (m, h) in held.iter().enumerate() {
        for &t in h {
            sharers[t].push(m);
        }
    }
    // Shared more than desired: taken first from overfilled members, then from the others.
    for (t, on) in sharers.iter_mut().enumerate() {
        for take_overfilled in [true, false] {
            let candidates: Vec<usize> = on.iter().copied().filter(|&m| overfilled[m] == take_overfilled).collect();
            for m in candidates {
                if on.len() <= sharing {
                    break;
                }
                on.retain(|&x| x != m);
                held[m].retain(|&x| x != t);
            }
        }
    }
    // Members still above their share give up their last partitions.
    for m in 0..n {
        while held[m].len() > want[m] {
            if let Some(t) = held[m].pop() {
                sharers[t].retain(|&x| x != m);
            }
        }
    }
    // Round-robin of the partitions short of members over the members short of partitions.
    let mut unfilled: Vec<usize> = (0..n).filter(|&m| held[m].len() < want[m]).collect();
    let mut next = 0usize;
    for (t, on) in sharers.iter_mut().enumerate() {
        let mut tried = 0;
        while on.len() < sharing && !unfilled.is_empty() && tried < unfilled.len() {
            next %= unfilled.len();
            let m = unfilled[next];
            if on.contains(&m) {
                next += 1;
                tried += 1;
                continue;
            }
            tried = 0;
            on.push(m);
            held[m].push(t);
            if held[m].len() >= want[m] {
                unfilled.remove(next);
            } else {
                next += 1;
            }
        }
    }
    for (m, h) in held.iter().enumerate() {
        if let Some(v) = out.get_mut(members[m].id) {
            v.extend(h.iter().map(|&t| targets[t].clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    //! Cases of Kafka's `SimpleAssignorTest`: their balance, with members in name order.
    use super::*;

    fn counts(t: &str) -> Option<u32> {
        match t {
            "t1" => Some(3),
            "t2" => Some(2),
            _ => None,
        }
    }

    fn tp(t: &str, p: u32) -> TopicPartition {
        TopicPartition::new(t, p)
    }

    fn topics(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| String::from(*s)).collect()
    }

    #[test]
    fn test_assign_with_two_members_and_two_topics_homogeneous() {
        let sub = topics(&["t1", "t2"]);
        let members = [
            SimpleMember { id: "A", topics: &sub, current: &[] },
            SimpleMember { id: "B", topics: &sub, current: &[] },
        ];
        let got = assign(&members, &counts);
        // Five partitions over two members: three and two, each partition once.
        assert_eq!(got.get("A").map(Vec::len), Some(3));
        assert_eq!(got.get("B").map(Vec::len), Some(2));
        let mut all: Vec<TopicPartition> = got.values().flatten().cloned().collect();
        crate::sort::sort(&mut all);
        assert_eq!(all, [tp("t1", 0), tp("t1", 1), tp("t1", 2), tp("t2", 0), tp("t2", 1)]);
    }

    #[test]
    fn more_members_than_partitions_share_each_partition() {
        let sub = topics(&["t2"]);
        let ids = ["A", "B", "C", "D"];
        let members: Vec<SimpleMember<'_>> =
            ids.iter().map(|id| SimpleMember { id, topics: &sub, current: &[] }).collect();
        let got = assign(&members, &counts);
        // Four members, two partitions: each partition has two members, each member one partition.
        for id in ids {
            assert_eq!(got.get(id).map(Vec::len), Some(1), "{id}");
        }
        let on0 = got.values().filter(|v| v.contains(&tp("t2", 0))).count();
        assert_eq!(on0, 2);
    }

    #[test]
    fn a_joining_member_takes_only_what_balance_needs() {
        let sub = topics(&["t1"]);
        let a_had = [tp("t1", 0), tp("t1", 1), tp("t1", 2)];
        let members = [
            SimpleMember { id: "A", topics: &sub, current: &a_had },
            SimpleMember { id: "B", topics: &sub, current: &[] },
        ];
        let got = assign(&members, &counts);
        // A keeps two of its three (its share), B gets the one A gave up.
        assert_eq!(got.get("A"), Some(&alloc::vec![tp("t1", 0), tp("t1", 1)]));
        assert_eq!(got.get("B"), Some(&alloc::vec![tp("t1", 2)]));
    }

    #[test]
    fn test_assign_with_two_members_heterogeneous() {
        let (s1, s2) = (topics(&["t1"]), topics(&["t1", "t2"]));
        let members =
            [SimpleMember { id: "A", topics: &s1, current: &[] }, SimpleMember { id: "B", topics: &s2, current: &[] }];
        let got = assign(&members, &counts);
        // t2 only to B; t1 balanced between both.
        let b = got.get("B").cloned().unwrap_or_default();
        assert!(b.contains(&tp("t2", 0)) && b.contains(&tp("t2", 1)));
        let a = got.get("A").cloned().unwrap_or_default();
        assert!(a.iter().all(|p| p.topic.as_str() == "t1") && !a.is_empty());
    }
}
