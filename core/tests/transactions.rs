//! Transactions seen through the view: lag under read_committed, compaction of
//! aborted records, and calls made in the wrong state.

use kafka_sim::protocol::TopicPartition;
use kafka_sim::scenario::Scenario;
use kafka_sim::trace::{self, OnError};
use kafka_sim::Sim;

fn run(script: &str) -> Sim {
    trace::run(&Scenario::parse(script).unwrap(), OnError::Stop, &mut String::new()).unwrap()
}

fn apply(sim: &mut Sim, line: &str) -> Result<(), String> {
    sim.apply(&Scenario::parse_command(line).unwrap()).map_err(|e| e.to_string())
}

fn group_lag(sim: &Sim, group: &str) -> u64 {
    let view = sim.view();
    let g = view.groups.iter().find(|g| g.name == group).expect("the group is known");
    g.rows.iter().filter_map(|r| r.lag).sum()
}

#[test]
fn a_read_committed_group_lags_to_the_lso_while_a_transaction_is_open() {
    let mut sim = run("seed 4\ncluster brokers=1\ntopic create t partitions=1\nproducer p linger.ms=0\n\
        send p t value=a\nsend p t value=b\nadvance 1s\n\
        consumer rc group.id=committed-readers isolation.level=read_committed auto.offset.reset=earliest\n\
        consumer ru group.id=all-readers auto.offset.reset=earliest\n\
        subscribe rc t\nsubscribe ru t\nconsume rc\nconsume ru\nadvance 8s\nclose rc\nclose ru\nadvance 1s\n\
        producer tx transactional.id=x linger.ms=0\ninit-transactions tx\nadvance 1s\nbegin-transaction tx\n\
        send tx t value=c\nsend tx t value=d\nsend tx t value=e\nadvance 1s\n");
    let view = sim.view();
    let p = &view.topics.iter().find(|t| t.name == "t").unwrap().partitions[0];
    assert_eq!((p.last_stable_offset, p.high_watermark), (2, 5), "three records of an open transaction");
    assert_eq!(group_lag(&sim, "committed-readers"), 0, "nothing committed is left to read");
    assert_eq!(group_lag(&sim, "all-readers"), 3, "read_uncommitted counts to the high watermark");
    apply(&mut sim, "commit-transaction tx").unwrap();
    apply(&mut sim, "advance 1s").unwrap();
    assert_eq!(group_lag(&sim, "committed-readers"), 4, "the records and the marker are behind the LSO now");
    assert_eq!(group_lag(&sim, "all-readers"), 4);
}

#[test]
fn compaction_removes_aborted_records_and_keeps_the_markers() {
    let sim = run("seed 8\ncluster brokers=1\n\
        topic create prices partitions=1 cleanup.policy=compact segment.ms=60000 min.cleanable.dirty.ratio=0.01\n\
        producer tx transactional.id=x linger.ms=0\ninit-transactions tx\nadvance 1s\n\
        begin-transaction tx\nsend tx prices key=apple value=1\nadvance 1s\ncommit-transaction tx\nadvance 1s\n\
        begin-transaction tx\nsend tx prices key=pear value=2\nadvance 1s\nabort-transaction tx\nadvance 1s\n\
        advance 61s\nbegin-transaction tx\nsend tx prices key=plum value=3\nadvance 1s\ncommit-transaction tx\n\
        advance 30s\n");
    let view = sim.view();
    let p = &view.topics.iter().find(|t| t.name == "prices").unwrap().partitions[0];
    let shown: Vec<(u64, String)> = p
        .records
        .iter()
        .map(|r| {
            let what = match (r.control, &r.key) {
                (Some(c), _) => format!("{c:?} marker"),
                (None, Some(k)) => String::from_utf8_lossy(k).into_owned(),
                (None, None) => "null".into(),
            };
            (r.offset, what)
        })
        .collect();
    let expect = |o: u64, s: &str| (o, String::from(s));
    assert_eq!(
        shown,
        vec![
            expect(0, "apple"),
            expect(1, "Commit marker"),
            expect(3, "Abort marker"),
            expect(4, "plum"),
            expect(5, "Commit marker")
        ],
        "the aborted pear at offset 2 is cleaned away; offsets keep their meaning"
    );
    assert!(p.last_cleaned.as_ref().is_some_and(|c| c.removed_offsets.contains(&2)));
}

#[test]
fn transactional_calls_in_the_wrong_state_are_refused_and_change_nothing() {
    let mut sim =
        run("cluster brokers=1\ntopic create t partitions=1\nproducer tx transactional.id=x\nproducer plain\n");
    let e = apply(&mut sim, "send tx t value=early").unwrap_err();
    assert!(e.contains("Cannot perform a 'send' before completing a call to initTransactions"), "{e}");
    let e = apply(&mut sim, "begin-transaction tx").unwrap_err();
    assert!(e.contains("Invalid transition attempted from state UNINITIALIZED to state IN_TRANSACTION"), "{e}");
    let e = apply(&mut sim, "begin-transaction plain").unwrap_err();
    assert!(e.contains("plain has no transactional.id"), "{e}");
    apply(&mut sim, "init-transactions tx").unwrap();
    apply(&mut sim, "advance 2s").unwrap();
    let e = apply(&mut sim, "commit-transaction tx").unwrap_err();
    assert!(e.contains("from state READY to state COMMITTING_TRANSACTION"), "{e}");
    let e = apply(&mut sim, "send tx t value=outside").unwrap_err();
    assert_eq!(e, "IllegalStateException: Cannot call send in state READY");
    let state = |sim: &Sim| sim.view().clients.iter().find(|c| c.name == "tx").and_then(|c| c.transaction.clone());
    assert_eq!(state(&sim).map(|t| t.1), Some("READY"), "refused calls changed nothing");
    let e = apply(&mut sim, "send-offsets-to-transaction tx plain").unwrap_err();
    assert!(e.contains("is not a consumer") || e.contains("consumer"), "{e}");
}

#[test]
fn markers_go_once_their_transaction_is_cleaned_away_and_their_delete_horizon_passed() {
    let sim = run("seed 8\ncluster brokers=1\n\
        topic create prices partitions=1 cleanup.policy=compact segment.ms=60000 min.cleanable.dirty.ratio=0.01 delete.retention.ms=60000\n\
        producer tx transactional.id=x linger.ms=0\nproducer plain linger.ms=0\ninit-transactions tx\nadvance 1s\n\
        begin-transaction tx\nsend tx prices key=apple value=1\nadvance 1s\ncommit-transaction tx\nadvance 1s\n\
        begin-transaction tx\nsend tx prices key=pear value=2\nadvance 1s\nabort-transaction tx\nadvance 1s\n\
        send plain prices key=apple value=3\nadvance 61s\nsend plain prices key=plum value=4\nadvance 5m\n");
    let records = sim.partition_records(&TopicPartition::new("prices", 0));
    let offsets: Vec<u64> = records.iter().map(|r| r.offset).collect();
    // 0 apple (transactional, replaced by 4), 1 its COMMIT, 2 the aborted pear, 3 its ABORT, 4 apple, 5 plum.
    assert_eq!(offsets, vec![4, 5], "both transactions are cleaned away, markers included, after the horizon");
}
