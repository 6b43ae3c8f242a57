//! Compare: the comparisons the playground is for, each a scenario and one
//! changed setting in, the outcomes side by side out (reviewed as text in
//! `tests/compare/`; `UPDATE_GOLDEN=1` rewrites them), and the difference
//! each one exists to show asserted.

use kafka_sim::compare::{render, Change, Comparison};
use kafka_sim::scenario::Scenario;
use std::path::PathBuf;

fn compare(name: &str, script: &str, change: &str) -> Comparison {
    let scenario = Scenario::parse(script).unwrap();
    let session: Vec<_> = scenario.commands.iter().map(|l| l.command.clone()).collect();
    let change = Change::parse(change).unwrap();
    change.check(&session).unwrap();
    let mut c = Comparison::new(scenario.seed, change);
    c.sync(&session);
    let text = format!("{}\n{}", script.trim_end(), render(&c));
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/compare").join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    } else {
        let want =
            std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} missing: UPDATE_GOLDEN=1", path.display()));
        assert_eq!(text, want, "{name}: the comparison changed; review and UPDATE_GOLDEN=1");
    }
    c
}

fn row(c: &Comparison, what: &str) -> [u64; 2] {
    c.summary().into_iter().find(|r| r.what == what).unwrap_or_else(|| panic!("no row {what}")).values
}

fn scenario(file: &str) -> String {
    std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios").join(file)).unwrap()
}

#[test]
fn acks_1_loses_acknowledged_records_on_failover_and_acks_all_does_not() {
    let c = compare("acks", &scenario("replication-acks1-loss.kafka"), "p1 acks=all");
    assert_eq!(row(&c, "acknowledged, then lost"), [2, 0]);
    assert_eq!(row(&c, "records acknowledged"), [3, 3]);
}

#[test]
fn unclean_election_trades_an_offline_partition_for_lost_records() {
    let c = compare(
        "unclean-election",
        &scenario("unclean-election.kafka"),
        "all-topics unclean.leader.election.enable=false",
    );
    let [with_unclean, without] = row(&c, "partition time without a leader");
    assert!(
        without > with_unclean,
        "without unclean election the partition stays offline longer: {with_unclean} vs {without}"
    );
    let [lost_unclean, lost_clean] = row(&c, "acknowledged, then lost");
    assert!(lost_unclean > lost_clean, "unclean election loses acknowledged records: {lost_unclean} vs {lost_clean}");
}

#[test]
fn idempotence_removes_the_duplicate_a_retry_writes() {
    let c = compare("idempotence", &scenario("idempotence-off.kafka"), "p acks=all");
    assert_eq!(row(&c, "written twice"), [1, 0]);
}

/// Two members of an eager (range) group, then a third joins.
const SCALE_OUT: &str = "seed 17
cluster brokers=1
topic create orders partitions=6
consumer c1 group.id=g auto.offset.reset=earliest partition.assignment.strategy=range
consumer c2 group.id=g auto.offset.reset=earliest partition.assignment.strategy=range
consumer c3 group.id=g auto.offset.reset=earliest partition.assignment.strategy=range
subscribe c1 orders
subscribe c2 orders
consume c1
consume c2
advance 7s
subscribe c3 orders
consume c3
advance 10s
";

#[test]
fn the_cooperative_protocol_revokes_only_what_moves_and_waits_for_a_second_round() {
    let c =
        compare("eager-vs-cooperative", SCALE_OUT, "all-consumers partition.assignment.strategy=cooperative-sticky");
    assert_eq!(row(&c, "partitions revoked"), [6, 2]);
    // The two partitions that move wait, unowned, for the second round: every member's next
    // rejoin (c3, which lost nothing, hears of it from its heartbeat, every 3 s). The eager
    // members all rejoined in the same moment, so their stop was short here.
    let [eager, cooperative] = row(&c, "partition time without a consumer");
    assert!(eager < 1_000 && cooperative > 2 * 3_000 - 1_000, "eager {eager} ms, cooperative {cooperative} ms");
}

/// The same scale-out under the consumer group protocol (KIP-848): only the partitions that move
/// are revoked, as with cooperative-sticky, member by member with no group-wide barrier; each
/// moved partition waits for its new owner's next heartbeat (group.consumer.heartbeat.interval.ms,
/// 5 s), so here the partitions without an owner add up to more time than the eager stop, which
/// these members rejoined within milliseconds of one another.
#[test]
fn the_consumer_protocol_revokes_only_what_moves() {
    let c = compare("eager-vs-consumer-protocol", SCALE_OUT, "all-consumers group.protocol=consumer");
    let [eager, consumer] = row(&c, "partitions revoked");
    assert_eq!(eager, 6, "eager revokes every partition of both members");
    // Joining, c2 takes three of c1's six; c3's join takes one from each.
    assert_eq!(consumer, 5, "the consumer protocol revokes only what moves");
    // A moved partition waits, unowned, for its new owner's next heartbeat (every 5 s).
    let [_, waiting] = row(&c, "partition time without a consumer");
    assert!(waiting > 0, "the consumer protocol hands a partition on at the new owner's heartbeat");
}

#[test]
fn read_committed_skips_the_aborted_record() {
    let c = compare("isolation", &scenario("txn-commit-abort.kafka"), "everything isolation.level=read_committed");
    assert_eq!(row(&c, "records consumed"), [3, 2]);
}

#[test]
fn transaction_version_2_refuses_the_late_write_that_unverified_version_1_commits() {
    let c = compare(
        "transaction-version",
        &scenario("txn-late-write-v1-unverified.kafka"),
        "cluster transaction.version=2",
    );
    assert_eq!(
        row(&c, "failed, yet read"),
        [1, 0],
        "version 1 unverified commits the late write, version 2 refuses it"
    );
    assert_eq!(row(&c, "records consumed"), [3, 2]);
}

#[test]
fn a_growing_session_is_followed_step_by_step_as_a_replay_from_scratch_would_be() {
    let scenario = Scenario::parse(&scenario("replication-acks1-loss.kafka")).unwrap();
    let session: Vec<_> = scenario.commands.iter().map(|l| l.command.clone()).collect();
    let change = Change::parse("p1 acks=all").unwrap();
    let mut whole = Comparison::new(scenario.seed, change.clone());
    whole.sync(&session);
    // Grown a command at a time, with the last advance split as playback splits it.
    let mut grown = Comparison::new(scenario.seed, change);
    let mut so_far = Vec::new();
    for command in &session {
        if let kafka_sim::Command::Advance(d) = **command {
            let half = kafka_sim::Command::Advance(kafka_sim::time::Duration::from_ms(d.ms / 2));
            so_far.push(kafka_sim::command::SharedCommand::new(half));
            grown.sync(&so_far);
            so_far.pop();
        }
        so_far.push(command.clone());
        grown.sync(&so_far);
    }
    assert_eq!(render(&grown), render(&whole));
    assert_eq!(grown.runs[1].sim.view(), whole.runs[1].sim.view());
    // Going back in time starts again, and arrives at the same place.
    grown.sync(&session[..3]);
    grown.sync(&session);
    assert_eq!(render(&grown), render(&whole));
}

#[test]
fn a_group_forms_three_seconds_sooner_without_the_initial_rebalance_delay() {
    // Kafka's quickstart server.properties sets group.initial.rebalance.delay.ms=0 for development:
    // the first member's join is answered at once instead of after 3 s of waiting for others, so
    // two and a half seconds in, only the cluster without the delay has read anything.
    let script = "seed 6
cluster brokers=3
topic create t partitions=2 replication-factor=3
producer p linger.ms=0
send p t key=a value=1
send p t key=b value=2
consumer c group.id=g auto.offset.reset=earliest
subscribe c t
consume c
advance 2500ms
";
    let c = compare("initial-rebalance-delay", script, "cluster group.initial.rebalance.delay.ms=0");
    assert_eq!(row(&c, "records consumed"), [0, 2]);
}
