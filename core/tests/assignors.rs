//! The range and round-robin assignors against kafka-python's on 5,000 random
//! groups (tools/assignor_fixture.py wrote the expected assignments), and
//! Kafka's own properties where kafka-python has no answer.
#![cfg(not(target_arch = "wasm32"))]

use kafka_sim::batch::Compression;
use kafka_sim::group::assignor::{range, round_robin, Assignment, Member};
use kafka_sim::protocol::TopicPartition;
use serde_json::Value;
use std::collections::BTreeMap;

struct Case {
    members: Vec<Member>,
    partitions: BTreeMap<String, u32>,
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
                    assert!(m.topics.contains(&tp.topic), "{name} group {i}: {member} got {tp} unsubscribed");
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
