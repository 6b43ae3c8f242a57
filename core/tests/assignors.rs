//! The range and round-robin assignors against kafka-python's on 5,000 random
//! groups (tools/assignor_fixture.py wrote the expected assignments), and
//! Kafka's own properties where kafka-python has no answer.
#![cfg(not(target_arch = "wasm32"))]

use kafka_sim::batch::Compression;
use kafka_sim::group::assignor::{cooperative_sticky, range, round_robin, sticky, Assignment, Member};
use kafka_sim::protocol::TopicPartition;
use kafka_sim::sorted::SortedMap;
use serde_json::Value;
use std::collections::BTreeMap;

struct Case {
    members: Vec<Member>,
    partitions: SortedMap<String, u32>,
    range: Assignment,
    round_robin: Option<Assignment>,
}

fn assignment(v: &Value) -> Assignment {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(m, list)| {
            let tps = list
                .as_array()
                .unwrap()
                .iter()
                .map(|tp| TopicPartition::new(tp[0].as_str().unwrap(), tp[1].as_u64().unwrap() as u32))
                .collect();
            (m.clone(), tps)
        })
        .collect()
}

fn cases() -> Vec<Case> {
    let gz = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/assignors.jsonl.gz")).unwrap();
    let text = String::from_utf8(Compression::Gzip.decompress(&gz).unwrap()).unwrap();
    text.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            Case {
                members: v["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| Member {
                        member_id: m[0].as_str().unwrap().into(),
                        group_instance_id: m[1].as_str().map(Into::into),
                        topics: m[2].as_array().unwrap().iter().map(|t| t.as_str().unwrap().into()).collect(),
                        owned: Vec::new(),
                        generation: None,
                    })
                    .collect(),
                partitions: v["partitions"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(t, n)| (t.clone(), n.as_u64().unwrap() as u32))
                    .collect(),
                range: assignment(&v["range"]),
                round_robin: (!v["roundrobin"].is_null()).then(|| assignment(&v["roundrobin"])),
            }
        })
        .collect()
}

/// kafka-python leaves members with nothing out of its answer; this engine lists them empty.
/// A member's partitions in an assignment (every member has an entry, empty or not).
fn of<'a>(assignment: &'a Assignment, member: &str) -> &'a [TopicPartition] {
    assignment.get(member).unwrap_or_else(|| panic!("{member} has no entry in {assignment:?}"))
}

fn without_empty(a: &Assignment) -> Assignment {
    a.iter().filter(|(_, l)| !l.is_empty()).map(|(m, l)| (m.clone(), l.clone())).collect()
}

#[test]
fn five_thousand_random_groups_match_kafka_python() {
    let cases = cases();
    assert_eq!(cases.len(), 5_000);
    let mut round_robin_checked = 0;
    for (i, c) in cases.iter().enumerate() {
        assert_eq!(without_empty(&range(&c.members, &c.partitions)), without_empty(&c.range), "range, group {i}");
        if let Some(expected) = &c.round_robin {
            assert_eq!(
                without_empty(&round_robin(&c.members, &c.partitions)),
                without_empty(expected),
                "round robin, group {i}"
            );
            round_robin_checked += 1;
        }
    }
    assert!(round_robin_checked > 1_000, "{round_robin_checked} round-robin answers compared");
}

#[test]
fn every_subscribed_partition_goes_to_exactly_one_subscriber() {
    for (i, c) in cases().iter().enumerate() {
        for (name, a) in
            [("range", range(&c.members, &c.partitions)), ("round robin", round_robin(&c.members, &c.partitions))]
        {
            let mut seen = BTreeMap::new();
            for (member, list) in &a {
                let m = c.members.iter().find(|m| &m.member_id == member).unwrap();
                for tp in list {
                    assert!(
                        m.topics.iter().any(|t| *t == tp.topic),
                        "{name} group {i}: {member} got {tp} unsubscribed"
                    );
                    assert!(seen.insert(tp.clone(), member.clone()).is_none(), "{name} group {i}: {tp} twice");
                }
            }
            let subscribed: usize = c
                .partitions
                .iter()
                .filter(|(t, _)| c.members.iter().any(|m| m.topics.contains(t)))
                .map(|(_, n)| *n as usize)
                .sum();
            assert_eq!(seen.len(), subscribed, "{name} group {i}: every subscribed partition assigned");
        }
    }
}

// ----- sticky and cooperative-sticky -----------------------------------------------------------

/// A small deterministic generator for previous ownership (SplitMix64).
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Kafka's `verifyValidityAndBalance`: every subscribed partition exactly once, to a
/// subscriber; and no member holds two or more partitions more than another member
/// that could take one of them.
fn check_valid_and_balanced(
    name: &str,
    i: usize,
    members: &[Member],
    partitions: &SortedMap<String, u32>,
    a: &Assignment,
) {
    let mut seen = BTreeMap::new();
    for (m, list) in a {
        let member = members.iter().find(|x| &x.member_id == m).unwrap();
        for tp in list {
            assert!(member.topics.iter().any(|t| *t == tp.topic), "{name} group {i}: {m} got {tp}, not subscribed");
            assert!(seen.insert(tp.clone(), m.clone()).is_none(), "{name} group {i}: {tp} assigned twice");
        }
    }
    let subscribed: usize =
        partitions.iter().filter(|(t, _)| members.iter().any(|m| m.topics.contains(t))).map(|(_, n)| *n as usize).sum();
    assert_eq!(seen.len(), subscribed, "{name} group {i}: every subscribed partition is assigned");
    for (big, list) in a {
        for (small, other) in a {
            if list.len() > other.len() + 1 {
                let taker = members.iter().find(|x| &x.member_id == small).unwrap();
                if let Some(tp) = list.iter().find(|tp| taker.topics.iter().any(|t| *t == tp.topic)) {
                    panic!(
                        "{name} group {i}: {big} has {} and {small} {}, yet {small} could take {tp}",
                        list.len(),
                        other.len()
                    );
                }
            }
        }
    }
}

#[test]
fn sticky_assignments_are_valid_balanced_and_sticky_on_five_thousand_groups() {
    let mut rng = 42u64;
    for (i, c) in cases().iter().enumerate() {
        // First rebalance: nobody owns anything.
        let first = sticky(&c.members, &c.partitions).assignment;
        check_valid_and_balanced("sticky", i, &c.members, &c.partitions, &first);
        // Next: a random member leaves, a new one joins, the rest own what they got.
        let mut members: Vec<Member> = c.members.clone();
        let leaver = (next(&mut rng) % members.len() as u64) as usize;
        members.remove(leaver);
        for m in &mut members {
            m.owned = first.get(&m.member_id).cloned().unwrap_or_default();
            m.generation = Some(1);
        }
        let topics_all: Vec<String> = c.partitions.keys().cloned().collect();
        let newcomer = topics_all[(next(&mut rng) % topics_all.len() as u64) as usize].clone();
        members.push(Member::new("zz-newcomer", vec![newcomer]));
        let second = sticky(&members, &c.partitions);
        check_valid_and_balanced("sticky, after a change", i, &members, &c.partitions, &second.assignment);
        // Stickiness: a member keeps its partitions up to its fair share; moved ones are listed.
        for m in &members {
            let now = of(&second.assignment, &m.member_id);
            for tp in &m.owned {
                if let (false, Some(transferring)) = (now.contains(tp), &second.transferring) {
                    let new_owner = second.assignment.iter().find(|(_, l)| l.contains(tp)).map(|(o, _)| o.clone());
                    assert_eq!(transferring.get(tp), new_owner.as_ref(), "sticky group {i}: {tp} moved unlisted");
                }
            }
        }
        let equal = members
            .iter()
            .all(|m| m.topics.iter().collect::<std::collections::BTreeSet<_>>() == members[0].topics.iter().collect());
        if equal && !members.is_empty() {
            let total: usize = members[0]
                .topics
                .iter()
                .map(|t| c.partitions.get(t).copied().unwrap_or_else(|| panic!("{t} has no partition count")) as usize)
                .sum();
            let min_quota = total / members.len();
            for m in &members {
                let kept = m.owned.iter().filter(|tp| of(&second.assignment, &m.member_id).contains(tp)).count();
                assert!(
                    kept >= m.owned.len().min(min_quota),
                    "sticky group {i}: {} kept {kept} of {}",
                    m.member_id,
                    m.owned.len()
                );
            }
        }
        // Cooperative: nothing changes hands in one round; the second round completes it.
        let round_one = cooperative_sticky(&members, &c.partitions);
        for (m, list) in &round_one {
            for tp in list {
                if let Some(prev) = members.iter().find(|x| x.owned.contains(tp)) {
                    assert_eq!(
                        &prev.member_id, m,
                        "cooperative group {i}: {tp} went from {} to {m} in one round",
                        prev.member_id
                    );
                }
            }
        }
        // As Kafka's CooperativeStickyAssignorTest.verifyValidityAndBalance: rebalance while
        // partitions are being revoked, at most four times.
        let (mut after, mut round_two, mut rounds) = (members.clone(), round_one, 1);
        loop {
            let revoking = after.iter().any(|m| {
                let now = of(&round_two, &m.member_id);
                m.owned.iter().any(|tp| !now.contains(tp))
            });
            if !revoking && rounds > 1 {
                break;
            }
            for m in &mut after {
                m.owned = round_two.get(&m.member_id).cloned().unwrap_or_default();
                m.generation = Some(1 + rounds);
            }
            round_two = cooperative_sticky(&after, &c.partitions);
            rounds += 1;
            assert!(rounds <= 5, "cooperative group {i}: still revoking after four rebalances");
        }
        check_valid_and_balanced("cooperative, last round", i, &after, &c.partitions, &round_two);
    }
}
