//! The group coordinator's state machine, driven request by request with
//! simulated time; each test's trace is the coordinator's answers as text.

use kafka_sim::group::assignor::{self, Member as AssignorMember};
use kafka_sim::group::coordinator::{Group, GroupState, JoinRequest, Reply, Subscription};
use kafka_sim::net::Node;
use kafka_sim::protocol::TopicPartition;
use kafka_sim::sorted::SortedMap;
use kafka_sim::time::Instant;
use std::collections::BTreeMap;
use std::fmt::Write;

const SESSION_MS: u64 = 45_000;
const REBALANCE_MS: u64 = 300_000;

struct Harness {
    group: Group,
    now: Instant,
    correlation_id: u32,
    trace: String,
    /// Each client's member id and generation, as its consumer would keep them.
    members: BTreeMap<String, (String, u32)>,
    partitions: SortedMap<String, u32>,
    /// The outcome of the next write of an assignment (success when `None`).
    fail_store: Option<kafka_sim::error::KafkaError>,
}

impl Harness {
    fn new() -> Self {
        Harness {
            group: Group::new("g"),
            now: Instant::ZERO,
            correlation_id: 0,
            trace: String::new(),
            members: BTreeMap::new(),
            partitions: SortedMap::from([("orders".to_string(), 4)]),
            fail_store: None,
        }
    }

    fn at(&mut self, ms: u64) {
        self.now = Instant::from_ms(ms);
        let replies = self.group.tick(self.now);
        self.record(replies);
    }

    fn join_with(&mut self, client: &str, protocols: &[&str]) {
        self.correlation_id += 1;
        let member_id = self.members.get(client).map(|(m, _)| m.clone()).unwrap_or_default();
        let req = JoinRequest {
            group_instance_id: None,
            member_id,
            client: Node::Client(client.into()),
            session_timeout_ms: SESSION_MS,
            rebalance_timeout_ms: REBALANCE_MS,
            protocols: protocols
                .iter()
                .map(|p| (p.to_string(), Subscription::to(vec!["orders".to_string()])))
                .collect(),
        };
        let replies = self.group.join(req, self.correlation_id, self.now);
        self.record(replies);
    }

    fn join(&mut self, client: &str) {
        self.join_with(client, &["range", "roundrobin"]);
    }

    /// SyncGroup; a leader brings the range assignment of the members it was given.
    fn sync(&mut self, client: &str, leader_members: &[(String, Vec<String>)]) {
        self.correlation_id += 1;
        let (member_id, generation) = self.members[client].clone();
        let members: Vec<AssignorMember> =
            leader_members.iter().map(|(id, topics)| AssignorMember::new(id, topics.clone())).collect();
        let assignments = assignor::range(&members, &self.partitions).into_iter().collect();
        let replies =
            self.group.sync(&member_id, generation, assignments, Node::Client(client.into()), self.correlation_id);
        self.record(replies);
    }

    fn heartbeat(&mut self, client: &str) {
        let (member_id, generation) = self.members[client].clone();
        let result = self.group.heartbeat(&member_id, generation, self.now);
        let text = result.map_or_else(|e| e.name().to_string(), |()| "ok".into());
        writeln!(self.trace, "{:>6} heartbeat {client}: {text}", self.now.ms).unwrap();
    }

    fn leave(&mut self, client: &str) {
        let (member_id, _) = self.members[client].clone();
        match self.group.leave(&member_id, self.now) {
            Ok(replies) => {
                writeln!(self.trace, "{:>6} leave {client}: ok", self.now.ms).unwrap();
                self.record(replies);
            }
            Err(e) => writeln!(self.trace, "{:>6} leave {client}: {}", self.now.ms, e.name()).unwrap(),
        }
    }

    fn state(&mut self) {
        let g = &self.group;
        writeln!(self.trace, "{:>6} state {} generation={}", self.now.ms, g.state, g.generation).unwrap();
    }

    fn record(&mut self, replies: Vec<Reply>) {
        for reply in replies {
            match reply {
                Reply::Join { to, member_id, result, .. } => {
                    let client = to.to_string();
                    match result {
                        Ok(j) => {
                            self.members.insert(client.clone(), (j.member_id.clone(), j.generation));
                            let mut line = format!(
                                "join {client}: generation={} protocol={} leader={} member={}",
                                j.generation, j.protocol, j.leader, j.member_id
                            );
                            if !j.members.is_empty() {
                                let ids: Vec<&str> = j.members.iter().map(|(id, _)| id.as_str()).collect();
                                write!(line, " members={}", ids.join(",")).unwrap();
                            }
                            writeln!(self.trace, "{:>6} {line}", self.now.ms).unwrap();
                        }
                        Err(e) => {
                            if !member_id.is_empty() {
                                self.members.entry(client.clone()).or_insert((member_id.clone(), 0));
                            }
                            writeln!(self.trace, "{:>6} join {client}: {} member={member_id}", self.now.ms, e.name())
                                .unwrap();
                        }
                    }
                }
                Reply::Sync { to, result, .. } => {
                    let text = match result {
                        Ok(tps) => tps.iter().map(TopicPartition::to_string).collect::<Vec<_>>().join(","),
                        Err(e) => e.name().to_string(),
                    };
                    writeln!(self.trace, "{:>6} sync {to}: {text}", self.now.ms).unwrap();
                }
                Reply::Store { generation, .. } => {
                    // The broker writes the assignment; here the write ends at once, as
                    // `fail_store` says.
                    let result = self.fail_store.take().map_or(Ok(()), Err);
                    let replies = self.group.stored(generation, result, self.now);
                    self.record(replies);
                }
            }
        }
    }

    /// The subscriptions the leader received in its last join answer.
    fn leader_view(&self) -> Vec<(String, Vec<String>)> {
        self.group.members.values().map(|m| (m.id.clone(), vec!["orders".to_string()])).collect()
    }

    fn assert_trace(&self, expected: &str) {
        let expected: String = expected.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
        let actual: String = self.trace.lines().map(str::trim).collect::<Vec<_>>().join("\n");
        assert_eq!(actual, expected, "\n--- actual trace ---\n{}", self.trace);
    }
}

#[test]
fn two_members_join_an_empty_group_after_the_initial_delay() {
    let mut h = Harness::new();
    h.join("a");
    h.join("a");
    h.at(1_000);
    h.join("b");
    h.join("b");
    h.state();
    // The first delay ends at 3000 but b arrived during it: one more delay.
    h.at(3_000);
    h.state();
    h.at(6_000);
    let view = h.leader_view();
    h.sync("b", &[]);
    h.sync("a", &view);
    h.state();
    h.heartbeat("a");
    h.assert_trace(
        "
             0 join a: MEMBER_ID_REQUIRED member=a-0
          1000 join b: MEMBER_ID_REQUIRED member=b-1
          1000 state PreparingRebalance generation=0
          3000 state PreparingRebalance generation=0
          6000 join a: generation=1 protocol=range leader=a-0 member=a-0 members=a-0,b-1
          6000 join b: generation=1 protocol=range leader=a-0 member=b-1
          6000 sync a: orders-0,orders-1
          6000 sync b: orders-2,orders-3
          6000 state Stable generation=1
          6000 heartbeat a: ok
        ",
    );
}

/// Two members joined and the join phase over (generation 1, CompletingRebalance).
fn joined_pair() -> Harness {
    let mut h = Harness::new();
    for c in ["a", "a", "b", "b"] {
        h.join(c);
    }
    // b arrived in the first initial delay: the join ends after a second one.
    h.at(6_000);
    h
}

/// Runs the two-member join to Stable at generation 1.
fn stable_pair() -> Harness {
    let mut h = joined_pair();
    let view = h.leader_view();
    h.sync("a", &view);
    h.sync("b", &[]);
    assert_eq!(h.group.state, GroupState::Stable, "{}", h.trace);
    h.trace.clear();
    h
}

#[test]
fn a_new_member_makes_the_others_rejoin_through_their_heartbeats() {
    let mut h = stable_pair();
    h.at(7_000);
    h.join("c");
    h.join("c");
    h.state();
    h.heartbeat("a");
    h.heartbeat("b");
    // A rejoin of every member ends the join phase at once: no initial delay any more.
    h.join("a");
    h.join("b");
    let view = h.leader_view();
    h.sync("c", &[]);
    h.sync("b", &[]);
    h.sync("a", &view);
    h.assert_trace(
        "
          7000 join c: MEMBER_ID_REQUIRED member=c-2
          7000 state PreparingRebalance generation=1
          7000 heartbeat a: REBALANCE_IN_PROGRESS
          7000 heartbeat b: REBALANCE_IN_PROGRESS
          7000 join a: generation=2 protocol=range leader=a-0 member=a-0 members=a-0,b-1,c-2
          7000 join b: generation=2 protocol=range leader=a-0 member=b-1
          7000 join c: generation=2 protocol=range leader=a-0 member=c-2
          7000 sync a: orders-0,orders-1
          7000 sync b: orders-2
          7000 sync c: orders-3
        ",
    );
}

#[test]
fn a_silent_member_is_removed_at_its_session_timeout() {
    let mut h = stable_pair();
    for t in [10_000, 20_000, 30_000, 40_000, 50_000] {
        h.at(t);
        h.heartbeat("a");
    }
    // The join answer at 6000 restarted b's session; b never spoke again: it ends at 6000 + 45000.
    h.at(50_999);
    h.state();
    h.at(51_000);
    h.state();
    h.heartbeat("a");
    h.join("a");
    let view = h.leader_view();
    h.sync("a", &view);
    h.heartbeat("b");
    h.assert_trace(
        "
         10000 heartbeat a: ok
         20000 heartbeat a: ok
         30000 heartbeat a: ok
         40000 heartbeat a: ok
         50000 heartbeat a: ok
         50999 state Stable generation=1
         51000 state PreparingRebalance generation=1
         51000 heartbeat a: REBALANCE_IN_PROGRESS
         51000 join a: generation=2 protocol=range leader=a-0 member=a-0 members=a-0
         51000 sync a: orders-0,orders-1,orders-2,orders-3
         51000 heartbeat b: UNKNOWN_MEMBER_ID
        ",
    );
}

#[test]
fn when_the_leader_leaves_a_member_that_rejoins_leads() {
    let mut h = stable_pair();
    h.leave("a");
    h.join("b");
    let view = h.leader_view();
    h.sync("b", &view);
    h.leave("a");
    h.assert_trace(
        "
          6000 leave a: ok
          6000 join b: generation=2 protocol=range leader=b-1 member=b-1 members=b-1
          6000 sync b: orders-0,orders-1,orders-2,orders-3
          6000 leave a: UNKNOWN_MEMBER_ID
        ",
    );
}

#[test]
fn a_member_that_does_not_rejoin_in_the_rebalance_timeout_is_dropped() {
    let mut h = stable_pair();
    h.at(10_000);
    h.leave("a");
    h.heartbeat("b");
    // b keeps its session alive but never rejoins: the join phase ends at 10000 + 300000 without it.
    let (b, generation) = h.members["b"].clone();
    for t in (40_000..310_000).step_by(30_000) {
        h.at(t);
        assert_eq!(h.group.heartbeat(&b, generation, h.now), Err(kafka_sim::error::KafkaError::RebalanceInProgress));
    }
    h.at(309_999);
    h.state();
    h.at(310_000);
    h.state();
    h.heartbeat("b");
    h.assert_trace(
        "
         10000 leave a: ok
         10000 heartbeat b: REBALANCE_IN_PROGRESS
        309999 state PreparingRebalance generation=1
        310000 state Empty generation=2
        310000 heartbeat b: UNKNOWN_MEMBER_ID
        ",
    );
}

#[test]
fn stale_generations_and_unsupported_protocols_are_refused() {
    let mut h = stable_pair();
    h.members.get_mut("a").unwrap().1 = 0;
    h.heartbeat("a");
    h.sync("a", &[]);
    h.join_with("d", &["sticky"]);
    h.join_with("d", &["roundrobin"]);
    h.join_with("d", &["roundrobin"]);
    h.state();
    h.assert_trace(
        "
          6000 heartbeat a: ILLEGAL_GENERATION
          6000 sync a: ILLEGAL_GENERATION
          6000 join d: INCONSISTENT_GROUP_PROTOCOL member=
          6000 join d: MEMBER_ID_REQUIRED member=d-2
          6000 state PreparingRebalance generation=1
        ",
    );
}

#[test]
fn the_protocol_with_the_most_first_choices_wins() {
    let mut h = Harness::new();
    h.join_with("a", &["range", "roundrobin"]);
    h.join_with("a", &["range", "roundrobin"]);
    for c in ["b", "c"] {
        h.join_with(c, &["roundrobin", "range"]);
        h.join_with(c, &["roundrobin", "range"]);
    }
    h.at(6_000);
    assert_eq!(h.group.protocol.as_deref(), Some("roundrobin"), "{}", h.trace);
    assert_eq!(h.group.state, GroupState::CompletingRebalance);
}

#[test]
fn a_sync_waiting_when_a_rebalance_starts_is_told_to_rejoin() {
    let mut h = joined_pair();
    h.trace.clear();
    h.sync("b", &[]);
    h.leave("a");
    h.state();
    h.assert_trace(
        "
          6000 leave a: ok
          6000 sync b: REBALANCE_IN_PROGRESS
          6000 state PreparingRebalance generation=1
        ",
    );
}

#[test]
fn the_next_deadline_is_the_earliest_session_end_or_join_deadline() {
    let mut h = stable_pair();
    assert_eq!(h.group.next_deadline(), Some(Instant::from_ms(6_000 + SESSION_MS)));
    h.at(10_000);
    h.heartbeat("a");
    h.heartbeat("b");
    assert_eq!(h.group.next_deadline(), Some(Instant::from_ms(10_000 + SESSION_MS)));
}

#[test]
fn group_coordinator_partition_is_java_hash_code_mod_50() {
    use kafka_sim::group::coordinator::{java_hash, partition_for};
    // "a".hashCode() == 97; "polygenelubricants".hashCode() == Integer.MIN_VALUE.
    assert_eq!(java_hash(""), 0);
    assert_eq!(java_hash("a"), 97);
    assert_eq!(partition_for("a", 50), 47);
    assert_eq!(partition_for("a", 1), 0, "offsets.topic.num.partitions=1: every group on partition 0");
    assert_eq!(java_hash("polygenelubricants"), i32::MIN);
    assert_eq!(partition_for("polygenelubricants", 50), 0, "Utils.abs(MIN_VALUE) is 0");
    // "my-group".hashCode() == -1906497762: negative hashes take their absolute value.
    assert_eq!(java_hash("my-group"), -1_906_497_762);
    assert_eq!(partition_for("my-group", 50), 12);
    assert_eq!(partition_for("my-group", 7), 1_906_497_762 % 7);
}

/// Invariants that hold after every request or tick, whatever the order.
fn check_invariants(g: &Group, previous_generation: u32, seed: u64) {
    assert!(g.generation >= previous_generation, "seed {seed}: generation went back");
    match g.state {
        GroupState::Empty => assert!(g.members.is_empty(), "seed {seed}: an Empty group has members"),
        _ => {
            let leader = g.leader.as_ref().expect("a group with members has a leader");
            assert!(g.members.contains_key(leader), "seed {seed}: leader {leader} is not a member");
        }
    }
    if g.state == GroupState::Stable {
        // The range assignment the leader brought covers every partition exactly once.
        let mut owned: Vec<TopicPartition> = g.members.values().flat_map(|m| m.assignment.clone()).collect();
        owned.sort();
        let all: Vec<TopicPartition> = (0..4).map(|p| TopicPartition::new("orders", p)).collect();
        assert_eq!(owned, all, "seed {seed}: a Stable group's assignment is not a partition of the topic");
    }
    if g.state == GroupState::PreparingRebalance {
        assert!(g.join_deadline.is_some(), "seed {seed}: a join phase without a deadline never ends");
    }
}

#[test]
fn random_member_lives_keep_the_group_consistent_and_always_settle() {
    use kafka_sim::rand::Rng;
    let clients = ["a", "b", "c", "d", "e"];
    for seed in 0..300u64 {
        let mut rng = Rng::new(seed);
        let mut h = Harness::new();
        let mut ms = 0;
        for _ in 0..200 {
            let before = h.group.generation;
            let client = clients[rng.below(clients.len())];
            match rng.below(10) {
                0..=2 => h.join(client),
                3..=4 if h.members.contains_key(client) => {
                    let view = h.leader_view();
                    h.sync(client, &view);
                }
                5..=6 if h.members.contains_key(client) => h.heartbeat(client),
                7 if h.members.contains_key(client) => {
                    h.leave(client);
                    h.members.remove(client);
                }
                _ => {
                    ms += [100, 3_000, 20_000, 60_000][rng.below(4)];
                    h.at(ms);
                }
            }
            check_invariants(&h.group, before, seed);
        }
        // Left alone, every session ends and the group empties: nothing waits forever.
        let mut guard = 0;
        while let Some(deadline) = h.group.next_deadline() {
            h.at(deadline.ms.max(h.now.ms));
            guard += 1;
            assert!(guard < 100, "seed {seed}: deadlines never run out\n{}", h.trace);
        }
        assert_eq!(h.group.state, GroupState::Empty, "seed {seed}: the group did not empty\n{}", h.trace);
    }
}

#[test]
fn a_member_that_never_syncs_is_removed_after_the_rebalance_timeout() {
    let mut h = Harness::new();
    for c in ["a", "a", "b", "b"] {
        h.join(c);
    }
    h.at(6_000);
    // b syncs and waits for the leader; a (the leader) never sends SyncGroup.
    h.sync("b", &[]);
    h.state();
    h.at(6_000 + REBALANCE_MS);
    h.state();
    h.assert_trace(
        "
             0 join a: MEMBER_ID_REQUIRED member=a-0
             0 join b: MEMBER_ID_REQUIRED member=b-1
          6000 join a: generation=1 protocol=range leader=a-0 member=a-0 members=a-0,b-1
          6000 join b: generation=1 protocol=range leader=a-0 member=b-1
          6000 state CompletingRebalance generation=1
        306000 sync b: REBALANCE_IN_PROGRESS
        306000 state PreparingRebalance generation=1
        ",
    );
}

/// GroupMetadataManager.storeGroup failed (the offsets partition lost its leader, or the write
/// timed out): every member waiting on SyncGroup gets the error and the group rebalances.
#[test]
fn a_failed_assignment_write_sends_the_members_back_to_rejoin() {
    let mut h = joined_pair();
    let view = h.leader_view();
    h.trace.clear();
    h.fail_store = Some(kafka_sim::error::KafkaError::CoordinatorNotAvailable);
    h.sync("b", &[]);
    h.sync("a", &view);
    h.state();
    h.assert_trace(
        "
          6000 sync a: COORDINATOR_NOT_AVAILABLE
          6000 sync b: COORDINATOR_NOT_AVAILABLE
          6000 state PreparingRebalance generation=1
        ",
    );
}
