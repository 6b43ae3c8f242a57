//! A seeded fault-injection test of share groups (KIP-932): share consumers join, close, crash
//! and come back, in either acknowledgement mode, some releasing or rejecting the records that
//! fail, while brokers crash and restart (moving partition leaders, share coordinators and the
//! group coordinator) and links to members are cut and healed. Checked after every step and at
//! the end:
//!
//! - no record is acquired by two members at once (at the partition's current leader);
//! - no record's delivery count goes above the group's `share.delivery.count.limit`, and a
//!   share-partition's start offset never goes past the partition's high watermark;
//! - every record is eventually acknowledged or archived: once faults heal and the surviving
//!   members settle, each share-partition's start offset is the partition's high watermark and
//!   nothing is acquired or available;
//! - every record sent was processed by some member or archived (a poison record at the limit,
//!   or one rejected).
//!
//! A failing seed prints its script; pin it below as a named regression test.

use kafka_sim::rand::Rng;
use kafka_sim::scenario::Scenario;
use kafka_sim::view::ClusterView;
use kafka_sim::{Command, Sim};
use std::collections::BTreeMap;

const SEEDS: u64 = 120;
const STEPS: u32 = 24;
const BROKERS: u32 = 3;
const GROUP: &str = "q";

fn parse(line: &str) -> Command {
    Scenario::parse_command(line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// The seed's script and its delivery count limit.
fn script(seed: u64) -> (Vec<String>, u16) {
    let mut rng = Rng::new(seed);
    let partitions = rng.below(3) + 1;
    let limit = rng.below(4) as u16 + 2;
    let lock_ms = [15_000, 30_000][rng.below(2)];
    let mut lines = vec![
        format!("cluster brokers={BROKERS} group.share.session.timeout.ms=45000"),
        format!("topic create t partitions={partitions} replication-factor=3"),
        format!(
            "group config {GROUP} share.auto.offset.reset=earliest share.delivery.count.limit={limit} share.record.lock.duration.ms={lock_ms}"
        ),
        "producer p linger.ms=0".to_string(),
    ];
    let mut next = 0;
    let mut running: Vec<String> = Vec::new();
    let mut down: Option<String> = None;
    let join = |lines: &mut Vec<String>, rng: &mut Rng, next: &mut usize, running: &mut Vec<String>| {
        let name = format!("w{next}");
        *next += 1;
        let explicit = rng.below(2) == 0;
        let mode = if explicit { " share.acknowledgement.mode=explicit" } else { "" };
        let acquire = if rng.below(2) == 0 { " share.acquire.mode=record_limit" } else { "" };
        lines.push(format!(
            "share-consumer {name} group.id={GROUP} max.poll.records={}{mode}{acquire}",
            rng.below(5) + 1
        ));
        lines.push(format!("subscribe {name} t"));
        // Only an explicit member can release or reject what fails; an implicit one never fails.
        let failure = match (explicit, rng.below(2)) {
            (true, 0) => " fail.value=bad on.failure=release",
            (true, _) => " fail.value=bad on.failure=reject",
            _ => "",
        };
        lines.push(format!("consume {name} processing.ms={}{failure}", rng.below(200)));
        running.push(name);
    };
    for _ in 0..rng.below(3) + 1 {
        join(&mut lines, &mut rng, &mut next, &mut running);
    }
    for step in 0..STEPS {
        let value = if rng.below(10) == 0 { "bad" } else { "ok" };
        lines.push(format!("send p t key=k{} value={value}-{step}", rng.below(9)));
        match rng.below(9) {
            0 if running.len() < 5 => join(&mut lines, &mut rng, &mut next, &mut running),
            1 if !running.is_empty() => {
                let m = running.remove(rng.below(running.len()));
                lines.push(format!("close {m}"));
            }
            2 if !running.is_empty() => {
                let m = running.remove(rng.below(running.len()));
                lines.push(format!("crash {m}"));
            }
            3 if down.is_none() => {
                let b = rng.below(BROKERS as usize) + 1;
                lines.push(format!("broker stop {b}"));
                down = Some(format!("broker start {b}"));
            }
            4 if !running.is_empty() && down.is_none() => {
                let m = running[rng.below(running.len())].clone();
                let b = rng.below(BROKERS as usize) + 1;
                lines.push(format!("network cut {m} broker-{b}"));
                down = Some(format!("network heal {m} broker-{b}"));
            }
            5 => {
                if let Some(undo) = down.take() {
                    lines.push(undo);
                }
            }
            _ => {}
        }
        lines.push(format!("advance {}ms", rng.below(3_000) + 100));
    }
    if let Some(undo) = down.take() {
        lines.push(undo);
    }
    // A member that cannot fail, so that everything left is delivered and done with.
    lines.push(format!("share-consumer last group.id={GROUP}"));
    lines.push("subscribe last t".into());
    lines.push("consume last".into());
    // Settle: locks of crashed members expire, poison records reach the limit.
    lines.push("advance 150s".into());
    (lines, limit)
}

/// The partition's current leader, by the controller.
fn leader_of(view: &ClusterView, tp: &kafka_sim::protocol::TopicPartition) -> Option<u32> {
    view.topics.iter().find(|t| t.name == tp.topic.as_str())?.partitions.get(tp.partition as usize)?.leader
}

fn check_step(view: &ClusterView, limit: u16) -> Result<(), String> {
    let mut holders: BTreeMap<(String, u64), (&str, u32)> = BTreeMap::new();
    for s in &view.share_partitions {
        let current = leader_of(view, &s.tp) == Some(s.leader);
        for r in &s.records {
            if r.delivery_count > limit {
                return Err(format!(
                    "{}@{} delivered {} times, the limit is {limit}",
                    s.tp, r.offset, r.delivery_count
                ));
            }
            if let (true, "Acquired", Some(m)) = (current, r.state, &r.member) {
                if let Some((other, at)) = holders.insert((s.tp.to_string(), r.offset), (m, s.leader)) {
                    return Err(format!(
                        "{}@{} acquired by {other} (broker-{at}) and {m} (broker-{})",
                        s.tp, r.offset, s.leader
                    ));
                }
            }
        }
        let hw = view
            .topics
            .iter()
            .find(|t| t.name == s.tp.topic.as_str())
            .and_then(|t| t.partitions.get(s.tp.partition as usize))
            .map_or(0, |p| p.high_watermark);
        if current && s.start_offset > hw.max(s.end_offset + 1) {
            return Err(format!("{}: share-partition start {} past the high watermark {hw}", s.tp, s.start_offset));
        }
    }
    Ok(())
}

fn check_end(view: &ClusterView) -> Result<(), String> {
    let topic = view.topics.iter().find(|t| t.name == "t").ok_or("no topic")?;
    for (p, part) in topic.partitions.iter().enumerate() {
        let s = view
            .share_partitions
            .iter()
            .find(|s| s.tp.partition as usize == p && part.leader == Some(s.leader))
            .ok_or_else(|| format!("t-{p}: its leader holds no share-partition"))?;
        if s.start_offset != part.high_watermark || s.acquired + s.available > 0 {
            return Err(format!(
                "t-{p}: start offset {} of high watermark {}, {} acquired, {} available: {:?}",
                s.start_offset, part.high_watermark, s.acquired, s.available, s.records
            ));
        }
    }
    Ok(())
}

fn run(seed: u64) -> Result<String, String> {
    let (lines, limit) = script(seed);
    let mut sim = Sim::new(seed);
    let mut trace = String::new();
    for (i, line) in lines.iter().enumerate() {
        sim.apply(&parse(line)).map_err(|e| format!("line {}: `{line}`: {e}", i + 1))?;
        for e in sim.drain_events() {
            trace.push_str(&format!("{e}\n"));
        }
        check_step(&sim.view(), limit).map_err(|why| format!("after line {} `{line}`: {why}", i + 1))?;
    }
    check_end(&sim.view())?;
    Ok(trace)
}

#[test]
fn share_groups_acquire_each_record_once_at_a_time_and_finish_every_record() {
    for seed in 0..SEEDS {
        if let Err(why) = run(seed) {
            panic!("seed {seed}: {why}\nscript:\nseed {seed}\n{}", script(seed).0.join("\n"));
        }
    }
}

#[test]
fn share_group_runs_are_deterministic() {
    for seed in [3, 17, 42] {
        assert_eq!(run(seed), run(seed), "seed {seed}: two runs differ");
    }
}

/// A crashed share consumer's session at a leader ends when the leader closes its connection,
/// idle for connections.max.idle.ms (10 min), as Kafka 4.1+'s `ShareSessionCache` ends a session
/// whose connection drops; a member that keeps fetching keeps its session.
#[test]
fn a_crashed_members_share_session_ends_with_its_idle_connection() {
    let lines = [
        "cluster brokers=1",
        "topic create jobs partitions=1 replication-factor=1",
        "group config q share.auto.offset.reset=earliest",
        "producer p",
        "send p jobs value=a",
        "share-consumer w1 group.id=q",
        "share-consumer w2 group.id=q",
        "subscribe w1 jobs",
        "subscribe w2 jobs",
        "poll w1",
        "poll w2",
        "advance 2s",
        "crash w1",
        "consume w2",
        "advance 9m",
    ];
    let mut sim = Sim::new(7);
    let mut events = String::new();
    let run = |sim: &mut Sim, lines: &[&str]| {
        for line in lines {
            sim.apply(&parse(line)).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
        sim.drain_events().iter().map(|e| format!("{e}\n")).collect::<String>()
    };
    events.push_str(&run(&mut sim, &lines));
    assert!(!events.contains("idle for connections.max.idle.ms"), "evicted before 10 minutes idle");
    let later = run(&mut sim, &["advance 2m"]);
    let evicted: Vec<&str> = later.lines().filter(|l| l.contains("idle for connections.max.idle.ms")).collect();
    assert_eq!(evicted.len(), 1, "one session ends: {evicted:?}");
    assert!(evicted[0].contains("closed w1's connection"), "{}", evicted[0]);
}
