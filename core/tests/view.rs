//! What the read-only view shows of messages on the wire.

use kafka_sim::net::Node;
use kafka_sim::scenario::Scenario;
use kafka_sim::trace::{self, OnError};

#[test]
fn a_request_in_flight_is_visible_with_its_send_and_arrival_times() {
    let script = "cluster brokers=1 latency=5ms\nproducer p\nsend p t value=x\nadvance 2ms\n";
    let sim = trace::run(&Scenario::parse(script).unwrap(), OnError::Stop, &mut String::new()).unwrap();
    let on_wire = sim.messages_in_flight(10);
    let m = on_wire.iter().find(|m| m.from == Node::Client("p".into())).expect("the Metadata request travels");
    assert_eq!((m.api, m.response, m.sent_at_ms, m.arrives_at_ms), ("Metadata", false, 0, 5));
    assert!(m.summary.starts_with("Metadata request #0"), "{}", m.summary);
    assert!(sim.messages_in_flight(0).is_empty(), "the limit bounds the list");
}

#[test]
fn lag_over_time_grows_while_nobody_consumes_and_falls_when_the_group_catches_up() {
    let script = "seed 3\ncluster brokers=1\ntopic create t partitions=1\nproducer p linger.ms=0\n\
        consumer c group.id=g auto.offset.reset=earliest\nsubscribe c t\nconsume c\nadvance 6s\n\
        close c\nadvance 1s\n\
        send p t value=1\nsend p t value=2\nsend p t value=3\nadvance 5s\n\
        consumer d group.id=g\nsubscribe d t\nconsume d\nadvance 15s\n";
    let sim = trace::run(&Scenario::parse(script).unwrap(), OnError::Stop, &mut String::new()).unwrap();
    let lag_at = |ms: u64| {
        let s = sim.lag_history().take_while(|s| s.at_ms <= ms).last().expect("samples from the first commit on");
        s.lags.iter().find(|(g, _)| g == "g").map(|(_, l)| *l)
    };
    assert_eq!(lag_at(6_000), Some(0), "caught up before the sends");
    assert_eq!(lag_at(12_000), Some(3), "three records nobody has consumed");
    assert_eq!(lag_at(28_000), Some(0), "the new member resumed from the commit and caught up");
    let times: Vec<u64> = sim.lag_history().map(|s| s.at_ms).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "samples move forward in time");
}

fn run(script: &str) -> kafka_sim::Sim {
    trace::run(&Scenario::parse(script).unwrap(), OnError::Stop, &mut String::new()).unwrap()
}

#[test]
fn the_last_compaction_lists_the_offsets_it_removed_and_the_record_each_key_kept() {
    let sim = run("seed 5\ncluster brokers=1\n\
        topic create prices partitions=1 cleanup.policy=compact segment.ms=60000 min.cleanable.dirty.ratio=0.1\n\
        producer p linger.ms=0\n\
        send p prices key=apple value=1\nsend p prices key=pear value=2\nsend p prices key=apple value=3\n\
        advance 61s\nsend p prices key=pear value=null\nadvance 61s\nsend p prices key=plum value=4\nadvance 20s\n");
    let view = sim.view();
    let p = &view.topics.iter().find(|t| t.name == "prices").unwrap().partitions[0];
    let cleaned = p.last_cleaned.as_ref().expect("the cleaner ran");
    // The first cleaning (after the first segment rolled) removed the old apple at offset 0; the last one removed
    // the pear the tombstone replaced.
    assert_eq!(cleaned.removed_offsets, vec![1]);
    let kept: Vec<(&[u8], u64, bool)> = cleaned.kept.iter().map(|(k, o, t)| (k.as_slice(), *o, *t)).collect();
    assert_eq!(kept, vec![(&b"apple"[..], 2, false), (&b"pear"[..], 3, true)]);
    assert_eq!(cleaned.removed, 1);
    assert!(cleaned.at_ms > 120_000, "cleaned after the second segment rolled, at {}", cleaned.at_ms);
}

#[test]
fn segments_retention_deleted_are_remembered_with_when_for_the_page_to_fade_out() {
    let sim = run("seed 5\ncluster brokers=1\ntopic create logs partitions=1 segment.ms=60000 retention.ms=120000\n\
        producer p linger.ms=0\nsend p logs value=a\nadvance 61s\nsend p logs value=b\nadvance 61s\n\
        send p logs value=c\nadvance 61s\nsend p logs value=d\nadvance 5m\n");
    let view = sim.view();
    let p = &view.topics.iter().find(|t| t.name == "logs").unwrap().partitions[0];
    let gone: Vec<u64> = p.deleted_segments.iter().map(|(s, _)| s.base_offset).collect();
    assert!(!gone.is_empty(), "retention deleted something");
    assert_eq!(gone[0], 0, "the oldest segment went first");
    assert_eq!(p.segments[0].base_offset, gone.last().unwrap() + 1, "the log starts after the last deleted segment");
    assert!(p.deleted_segments.iter().all(|(_, at)| *at >= 300_000), "deleted at a retention check");
}

#[test]
fn a_consumer_counts_every_record_it_consumed_beyond_the_ones_it_keeps() {
    // 1,500 records: more than the 1,000 a consumer keeps for the view.
    let mut script = String::from("seed 1\ncluster brokers=1\ntopic create t partitions=1\nproducer p linger.ms=5\n");
    for i in 0..1_500 {
        script.push_str(&format!("send p t value=v{i}\n"));
    }
    script.push_str("advance 1s\nconsumer c auto.offset.reset=earliest\nassign c t-0\nconsume c\nadvance 5s\n");
    script.push_str("expect consumer c consumed=1500\n");
    let points = trace::checkpoints(&Scenario::parse(&script).unwrap()).unwrap();
    assert_eq!(points[0].result, Ok(()));
    let sim = trace::run(&Scenario::parse(&script).unwrap(), OnError::Stop, &mut String::new()).unwrap();
    let c = sim.view().clients.into_iter().find(|c| c.name == "c").unwrap();
    assert_eq!((c.consumed, c.received.len()), (1_500, kafka_sim::limits::RECORDS_RECEIVED_PER_CONSUMER_MAX));
}

#[test]
fn a_partition_shows_its_newest_records_and_counts_all_while_the_whole_log_reads_on_demand() {
    let mut script = String::from("seed 1\ncluster brokers=1\ntopic create t partitions=1\nproducer p linger.ms=0\n");
    for i in 0..100 {
        script.push_str(&format!("send p t value=v{i}\n"));
    }
    script.push_str("advance 1s\n");
    let sim = run(&script);
    let view = sim.view();
    let p = &view.topics.iter().find(|t| t.name == "t").unwrap().partitions[0];
    assert_eq!(p.record_count, 100);
    let shown: Vec<u64> = p.records.iter().map(|r| r.offset).collect();
    assert_eq!(
        shown,
        (100 - kafka_sim::view::RECORDS_SHOWN as u64..100).collect::<Vec<_>>(),
        "the newest, oldest first"
    );
    let all = sim.partition_records(&kafka_sim::protocol::TopicPartition::new("t", 0));
    assert_eq!(all.len(), 100);
    assert_eq!(all[0].value.as_deref(), Some(&b"v0"[..]));
}

/// A view taken with a cache ([`kafka_sim::Sim::view_with`]) reuses the partitions that did not
/// change; it must always equal a view built afresh. Every scenario of the test suite (retention,
/// compaction, truncation after unclean elections, aborted transactions, deleted records, new
/// partitions…) is stepped, each advance in ten parts, with both views compared after every step.
#[test]
fn a_cached_view_equals_a_fresh_one_after_every_step_of_every_scenario() {
    use kafka_sim::command::Command;
    use kafka_sim::time::Duration;
    let (mut steps, mut reused, mut rebuilt) = (0, 0, 0);
    let mut files: Vec<_> = std::fs::read_dir("tests/scenarios").unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "kafka")) {
        let scenario = Scenario::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut sim = kafka_sim::Sim::new(scenario.seed);
        let mut cache = kafka_sim::view::ViewCache::default();
        let mut last = sim.view_with(&mut cache);
        for line in &scenario.commands {
            let parts = match *line.command {
                Command::Advance(d) => (0..10).map(|_| Command::Advance(Duration::from_ms(d.ms / 10))).collect(),
                _ => Vec::new(),
            };
            for command in parts.iter().chain(parts.is_empty().then_some(&*line.command)) {
                let _ = sim.apply(command);
                let cached = sim.view_with(&mut cache);
                assert!(
                    cached == sim.view(),
                    "{}: after `{command}` the cached view differs from a fresh one",
                    path.display()
                );
                for t in &cached.topics {
                    let before = last.topics.iter().find(|b| b.name == t.name);
                    for q in &t.partitions {
                        let same = before
                            .and_then(|b| b.partitions.get(q.partition as usize))
                            .is_some_and(|b| std::rc::Rc::ptr_eq(b, q));
                        if same {
                            reused += 1
                        } else {
                            rebuilt += 1
                        }
                    }
                }
                last = cached;
                steps += 1;
            }
        }
    }
    assert!(steps > 1_000, "the scenarios were stepped ({steps} steps)");
    assert!(reused > rebuilt, "most partitions are reused from step to step ({reused} reused, {rebuilt} rebuilt)");
}

#[test]
fn a_cached_view_rebuilds_just_the_partition_a_record_went_to() {
    let mut sim = run("seed 1\ncluster brokers=3\ntopic create t partitions=6 replication-factor=3\nproducer p linger.ms=0\nadvance 5s\n");
    let mut cache = kafka_sim::view::ViewCache::default();
    let first = sim.view_with(&mut cache);
    let partitions =
        |v: &kafka_sim::view::ClusterView| v.topics.iter().find(|t| t.name == "t").unwrap().partitions.clone();
    sim.apply(&Scenario::parse_command("advance 2s").unwrap()).unwrap();
    let idle = sim.view_with(&mut cache);
    let same: Vec<bool> =
        partitions(&first).iter().zip(partitions(&idle).iter()).map(|(a, b)| std::rc::Rc::ptr_eq(a, b)).collect();
    assert_eq!(same, [true; 6], "an idle cluster's partitions are the very same views");
    sim.apply(&Scenario::parse_command("send p t key=k value=v partition=4").unwrap()).unwrap();
    sim.apply(&Scenario::parse_command("advance 1s").unwrap()).unwrap();
    let after = sim.view_with(&mut cache);
    let same: Vec<bool> =
        partitions(&idle).iter().zip(partitions(&after).iter()).map(|(a, b)| std::rc::Rc::ptr_eq(a, b)).collect();
    assert_eq!(same, [true, true, true, true, false, true], "only partition 4 changed");
    assert_eq!(partitions(&after)[4].records.len(), 1);
}

/// `kafka-consumer-groups --describe --members --verbose` of a consumer-protocol group mid-way
/// through a scale-out: the member giving up a partition shows it in CURRENT-ASSIGNMENT and not in
/// TARGET-ASSIGNMENT (Kafka's `getAssignmentString`: `topic:0,1;other:2`, `-` for none).
#[test]
fn a_consumer_protocol_member_shows_its_current_and_target_assignment() {
    use kafka_sim::view::assignment_string;
    let sim = run("seed 7\ncluster brokers=1\ntopic create orders partitions=2\ntopic create audit partitions=1\n\
        consumer c1 group.id=g group.protocol=consumer\nsubscribe c1 orders,audit\nconsume c1\nadvance 3s\n\
        consumer c2 group.id=g group.protocol=consumer\nsubscribe c2 orders,audit\nconsume c2\nadvance 110ms\n");
    let view = sim.view();
    let g = view.groups.iter().find(|g| g.name == "g").expect("the group");
    let c1 = g.members.iter().find(|m| m.client == "c1").expect("c1 is a member");
    assert_eq!(assignment_string(&c1.assignment), "audit:0;orders:0,1", "c1 still holds all three");
    assert!(c1.target.len() < 3, "its target gives some to c2: {:?}", c1.target);
    assert_eq!(assignment_string(&[]), "-");
}
