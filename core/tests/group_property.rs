//! A seeded fault-injection test of consumer groups: members with one of the
//! four assignors join, close, crash and come back (some static), while
//! brokers crash and restart (moving the coordinator) and links to members
//! are cut and healed. Checked after every step and at the end:
//!
//! - at most one owner per partition per generation: members that think
//!   they are in the same generation never hold the same partition, and the
//!   coordinator never gives one partition to two members;
//! - a coordinator's committed offset never exceeds the partition's end;
//! - the group converges: once faults heal, every running member is in one
//!   Stable generation and every partition has an owner.
//!
//! The same runs under the consumer group protocol (KIP-848, `uniform` or `range`
//! on the coordinator) check its own rule at every step: the coordinator never
//! lets two members hold one partition (assigned or still to be revoked), and a
//! member holds only what the coordinator has it holding; at the end every
//! running member is Stable at the group's epoch and every partition is owned.
//!
//! A failing seed prints its script; pin it below as a named regression test.

use kafka_sim::protocol::TopicPartition;
use kafka_sim::rand::Rng;
use kafka_sim::scenario::Scenario;
use kafka_sim::view::ClusterView;
use kafka_sim::{Command, Sim};
use std::collections::BTreeMap;

const SEEDS: u64 = 150;
const STEPS: u32 = 30;
const BROKERS: u32 = 3;
const GROUP: &str = "g";

fn parse(line: &str) -> Command {
    Scenario::parse_command(line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// The seed's script: a topic, traffic, members coming and going, faults, then healing and settling.
fn script(seed: u64) -> Vec<String> {
    script_for(seed, false)
}

/// The script under the classic protocol, or (`consumer`) under KIP-848's.
fn script_for(seed: u64, consumer: bool) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let partitions = rng.below(6) + 1;
    let strategy = ["range", "roundrobin", "sticky", "cooperative-sticky"][rng.below(4)];
    let protocol = if consumer {
        // The broker sets the consumer protocol's timing; the member asks for an assignor.
        format!("group.protocol=consumer group.remote.assignor={}", ["uniform", "range"][rng.below(2)])
    } else {
        format!("session.timeout.ms=10000 partition.assignment.strategy={strategy}")
    };
    let cluster = if consumer {
        " group.consumer.session.timeout.ms=10000 group.consumer.heartbeat.interval.ms=2000"
    } else {
        ""
    };
    let mut lines = vec![
        format!("cluster brokers={BROKERS}{cluster}"),
        format!("topic create t partitions={partitions} replication-factor=3"),
        "producer p linger.ms=0".to_string(),
    ];
    let mut next_member = 0;
    // Running members with their group.instance.id, if static.
    let mut running: Vec<(String, Option<usize>)> = Vec::new();
    let mut down: Option<String> = None;
    let join = |lines: &mut Vec<String>,
                rng: &mut Rng,
                next: &mut usize,
                running: &mut Vec<(String, Option<usize>)>| {
        let name = format!("m{next}");
        *next += 1;
        // An instance id is reused only once its last holder is gone (a restart), as deployments do.
        let free: Vec<usize> = (0..3).filter(|i| !running.iter().any(|(_, held)| *held == Some(*i))).collect();
        let id = (rng.below(3) == 0 && !free.is_empty()).then(|| free[rng.below(free.len())]);
        let instance = id.map_or(String::new(), |i| format!(" group.instance.id=i{i}"));
        lines.push(format!(
            "consumer {name} group.id={GROUP} auto.offset.reset=earliest max.poll.interval.ms=20000 {protocol}{instance}"
        ));
        lines.push(format!("subscribe {name} t"));
        let processing = ["", " processing.ms=50 commit=after", " commit=before"][rng.below(3)];
        lines.push(format!("consume {name}{processing}"));
        running.push((name, id));
    };
    for _ in 0..rng.below(3) + 1 {
        join(&mut lines, &mut rng, &mut next_member, &mut running);
    }
    for step in 0..STEPS {
        lines.push(format!("send p t key=k{} value=v{step}", rng.below(9)));
        match rng.below(8) {
            0 if running.len() < 5 => join(&mut lines, &mut rng, &mut next_member, &mut running),
            1 if !running.is_empty() => {
                let (m, _) = running.remove(rng.below(running.len()));
                lines.push(format!("close {m}"));
            }
            2 if !running.is_empty() => {
                let (m, _) = running.remove(rng.below(running.len()));
                lines.push(format!("crash {m}"));
            }
            3 if down.is_none() => {
                let b = rng.below(BROKERS as usize) + 1;
                lines.push(format!("broker stop {b}"));
                down = Some(format!("broker start {b}"));
            }
            4 if !running.is_empty() && down.is_none() => {
                let m = running[rng.below(running.len())].0.clone();
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
        lines.push(format!("advance {}ms", rng.below(4_000) + 100));
    }
    if let Some(undo) = down.take() {
        lines.push(undo);
    }
    if running.is_empty() {
        join(&mut lines, &mut rng, &mut next_member, &mut running);
    }
    // Settle: sessions of crashed members expire, every rebalance completes.
    lines.push("advance 90s".into());
    lines
}

/// Running members (not closed or crashed) with their generation and assignment, by the consumers' own view.
fn members(view: &ClusterView) -> Vec<(String, Option<u32>, &'static str, Vec<TopicPartition>)> {
    view.clients
        .iter()
        .filter(|c| c.kind == "consumer" && !c.closed)
        .filter_map(|c| {
            let g = c.group.as_ref()?;
            Some((c.name.clone(), g.generation, g.state, c.assignment.iter().map(|a| a.tp.clone()).collect()))
        })
        .collect()
}

fn check_step(view: &ClusterView) -> Result<(), String> {
    // Members that believe in the same generation hold disjoint partitions.
    let mut owners: BTreeMap<(u32, TopicPartition), String> = BTreeMap::new();
    for (name, generation, state, assigned) in members(view) {
        let (Some(generation), "stable") = (generation, state) else { continue };
        for tp in assigned {
            if let Some(other) = owners.insert((generation, tp.clone()), name.clone()) {
                return Err(format!("{tp} owned by {other} and {name} in generation {generation}"));
            }
        }
    }
    for g in &view.groups {
        let mut seen: BTreeMap<&TopicPartition, &str> = BTreeMap::new();
        for m in &g.members {
            for tp in &m.assignment {
                if let Some(other) = seen.insert(tp, &m.client) {
                    return Err(format!("coordinator {} gave {tp} to {other} and {}", g.coordinator, m.client));
                }
            }
        }
        for r in &g.rows {
            if r.current_offset.is_some_and(|o| o > r.log_end_offset) {
                return Err(format!("{}: committed {:?} beyond the end {}", r.tp, r.current_offset, r.log_end_offset));
            }
        }
    }
    Ok(())
}

fn check_end(view: &ClusterView) -> Result<(), String> {
    let running = members(view);
    let generations: Vec<Option<u32>> = running.iter().map(|(_, g, _, _)| *g).collect();
    if running.iter().any(|(_, _, state, _)| *state != "stable") || generations.windows(2).any(|w| w[0] != w[1]) {
        return Err(format!("members did not settle in one stable generation: {running:?}"));
    }
    let g = view.groups.iter().find(|g| g.name == GROUP).ok_or("no coordinator holds the group")?;
    if g.state != "Stable" {
        return Err(format!("the group is {}", g.state));
    }
    let partitions = view.topics.iter().find(|t| t.name == "t").map_or(0, |t| t.partitions.len());
    let owned: usize = running.iter().map(|(_, _, _, a)| a.len()).sum();
    if owned != partitions {
        return Err(format!("{owned} of {partitions} partitions owned: {running:?}"));
    }
    Ok(())
}

/// The consumer protocol's rules at one instant.
fn check_consumer_protocol_step(view: &ClusterView) -> Result<(), String> {
    for g in &view.groups {
        let mut held: BTreeMap<&TopicPartition, &str> = BTreeMap::new();
        for m in &g.members {
            for tp in m.assignment.iter().chain(&m.revoking) {
                if let Some(other) = held.insert(tp, &m.client) {
                    return Err(format!("coordinator {} has {tp} held by {other} and {}", g.coordinator, m.client));
                }
            }
        }
        // A commit covers records below a high watermark: every replica of the ISR has them, so
        // the leader's log (a new leader's high watermark may lag until its followers fetch).
        for r in &g.rows {
            let leo = view
                .topics
                .iter()
                .find(|t| t.name == r.tp.topic.as_str())
                .and_then(|t| t.partitions.get(r.tp.partition as usize))
                .filter(|p| p.leader.is_some())
                .map(|p| p.log_end_offset);
            if let (Some(o), Some(leo)) = (r.current_offset, leo) {
                if o > leo {
                    return Err(format!("{}: committed {o} beyond the leader's log end {leo}", r.tp));
                }
            }
        }
    }
    // A member the coordinator knows holds nothing the coordinator does not have it holding.
    for c in view.clients.iter().filter(|c| c.kind == "consumer" && !c.closed) {
        let Some(mine) = c.group.as_ref() else { continue };
        let known = view.groups.iter().flat_map(|g| &g.members).find(|m| m.member_id == mine.member_id);
        let Some(known) = known else { continue };
        for a in &c.assignment {
            if !known.assignment.contains(&a.tp) && !known.revoking.contains(&a.tp) {
                return Err(format!("{} holds {} which the coordinator gave it no longer", c.name, a.tp));
            }
        }
    }
    Ok(())
}

fn check_consumer_protocol_end(view: &ClusterView) -> Result<(), String> {
    // A static member restarted before its predecessor's session ended is refused with
    // UNRELEASED_INSTANCE_ID, fatal in the Java client: its poll loop stops, as Kafka's does.
    let stopped: Vec<&str> =
        view.clients.iter().filter(|c| c.kind == "consumer" && !c.looping).map(|c| c.name.as_str()).collect();
    let running: Vec<_> = members(view).into_iter().filter(|(name, ..)| !stopped.contains(&name.as_str())).collect();
    if running.is_empty() {
        return Ok(());
    }
    let g = view.groups.iter().find(|g| g.name == GROUP).ok_or("no coordinator holds the group")?;
    if g.state != "Stable" {
        return Err(format!("the group is {} (epoch {}): {running:?}", g.state, g.generation));
    }
    if running.iter().any(|(_, epoch, state, _)| *state != "stable" || *epoch != Some(g.generation)) {
        return Err(format!("members are not stable at the group epoch {}: {running:?}", g.generation));
    }
    let partitions = view.topics.iter().find(|t| t.name == "t").map_or(0, |t| t.partitions.len());
    let owned: usize = running.iter().map(|(_, _, _, a)| a.len()).sum();
    if owned != partitions {
        return Err(format!("{owned} of {partitions} partitions owned: {running:?}"));
    }
    Ok(())
}

#[test]
fn consumer_protocol_groups_never_let_two_members_hold_a_partition_and_settle() {
    for seed in 0..SEEDS {
        if let Err(why) = run_with(seed, true) {
            panic!(
                "seed {seed} (consumer protocol): {why}\nscript:\nseed {seed}\n{}",
                script_for(seed, true).join("\n")
            );
        }
    }
}

/// A rule checked on the cluster's view.
type Check = fn(&ClusterView) -> Result<(), String>;

fn run(seed: u64) -> Result<String, String> {
    run_with(seed, false)
}

/// Runs the seed's script under the classic protocol or the consumer protocol, checking that
/// protocol's rules after every line and at the end.
fn run_with(seed: u64, consumer: bool) -> Result<String, String> {
    let (step, end): (Check, Check) =
        if consumer { (check_consumer_protocol_step, check_consumer_protocol_end) } else { (check_step, check_end) };
    let lines = script_for(seed, consumer);
    let mut sim = Sim::new(seed);
    let mut trace = String::new();
    for (i, line) in lines.iter().enumerate() {
        sim.apply(&parse(line)).map_err(|e| format!("line {}: `{line}`: {e}", i + 1))?;
        for e in sim.drain_events() {
            trace.push_str(&format!("{e}\n"));
        }
        step(&sim.view()).map_err(|why| format!("after line {} `{line}`: {why}", i + 1))?;
    }
    end(&sim.view())?;
    Ok(trace)
}

fn report(seed: u64, why: &str) -> String {
    format!("seed {seed}: {why}\nscript:\nseed {seed}\n{}", script(seed).join("\n"))
}

#[test]
fn groups_keep_one_owner_per_partition_and_settle_under_faults() {
    for seed in 0..SEEDS {
        if let Err(why) = run(seed) {
            panic!("{}", report(seed, &why));
        }
    }
}

#[test]
fn group_runs_are_deterministic() {
    for seed in [3, 17, 42] {
        assert_eq!(run(seed), run(seed), "seed {seed}: two runs differ");
    }
}
