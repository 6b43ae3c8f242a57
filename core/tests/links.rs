//! Share links: every link in `tests/links/` (made by earlier versions, and
//! kept) must open to the final state recorded beside it; any script must
//! survive a round trip through a link unchanged, to the same trace.
//!
//! New corpus entries: `UPDATE_LINKS=1 cargo test -p kafka-sim --test links`
//! writes `NAME.link` from each `scenarios/NAME.kafka` listed in CORPUS and the
//! `.state` files. Never regenerate an existing `.link`: old links must keep opening.

use kafka_sim::link;
use kafka_sim::protocol::TopicPartition;
use kafka_sim::rand::Rng;
use kafka_sim::scenario::Scenario;
use kafka_sim::trace::{self, fnv1a64, OnError};
use kafka_sim::Sim;
use std::fmt::Write;
use std::path::PathBuf;

const CORPUS: &[&str] = &["first-steps", "replication-leader-crash", "compression", "idempotence-on", "partitioners"];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// The final state in words: what a person would compare by eye.
fn state(sim: &Sim) -> String {
    let v = sim.view();
    let mut out = format!("time {} ms\n", v.now_ms);
    for t in &v.topics {
        for p in &t.partitions {
            let _ = writeln!(
                out,
                "{}-{} leader={:?} isr={:?} hw={} leo={}",
                t.name, p.partition, p.leader, p.isr, p.high_watermark, p.log_end_offset
            );
            for r in &sim.partition_records(&TopicPartition::new(t.name.clone(), p.partition)) {
                let text = |b: Option<&[u8]>| b.map(|b| String::from_utf8_lossy(b).into_owned());
                let _ = writeln!(
                    out,
                    "  {} key={:?} value={:?}",
                    r.offset,
                    text(r.key.as_deref()),
                    text(r.value.as_deref())
                );
            }
        }
    }
    for c in &v.clients {
        let _ = writeln!(
            out,
            "{} {} acked={} failed={} received={}",
            c.kind,
            c.name,
            c.acked_records,
            c.failed_records,
            c.received.len()
        );
    }
    out
}

fn run(scenario: &Scenario) -> (Sim, String) {
    let mut text = String::new();
    let sim = trace::run(scenario, OnError::Record, &mut text).expect("Record mode never stops");
    (sim, text)
}

#[test]
fn links_made_earlier_open_to_the_same_state() {
    let update = std::env::var_os("UPDATE_LINKS").is_some();
    for name in CORPUS {
        let link_path = dir().join(format!("links/{name}.link"));
        let state_path = dir().join(format!("links/{name}.state"));
        if update && !link_path.exists() {
            let script = std::fs::read_to_string(dir().join(format!("scenarios/{name}.kafka"))).unwrap();
            std::fs::write(&link_path, link::encode(&Scenario::parse(&script).unwrap()) + "\n").unwrap();
        }
        let fragment = std::fs::read_to_string(&link_path).unwrap_or_else(|_| panic!("{name}.link missing"));
        let scenario = link::decode(fragment.trim()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (sim, _) = run(&scenario);
        let actual = state(&sim);
        if update {
            std::fs::write(&state_path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&state_path).unwrap_or_default();
        assert!(expected == actual, "{name}: the link no longer opens to its recorded state");
    }
}

#[test]
fn links_stay_short() {
    // A few hundred commands stay under about 2,000 characters.
    let mut script =
        String::from("seed 5\ncluster brokers=3\ntopic create orders partitions=6 replication-factor=3\nproducer p\n");
    for i in 0..300 {
        let _ = writeln!(script, "send p orders key=customer-{} value=order-{i}", i % 17);
        if i % 10 == 0 {
            script.push_str("advance 250ms\n");
        }
    }
    let link = link::encode(&Scenario::parse(&script).unwrap());
    assert!(link.len() < 2_000, "{} characters for 330 commands", link.len());
}

/// A random but valid script: the commands a person can give, in any order.
fn random_script(seed: u64) -> Scenario {
    let mut rng = Rng::new(seed);
    let mut lines = vec![format!("seed {seed}"), format!("cluster brokers={}", rng.below(4) + 1)];
    let pick = |rng: &mut Rng, items: &[&str]| items[rng.below(items.len())].to_string();
    for i in 0..rng.below(40) + 5 {
        let line = match rng.below(10) {
            0 => format!("topic create t{} partitions={}", rng.below(3), rng.below(4) + 1),
            1 => format!(
                "producer p{} {}",
                rng.below(2),
                pick(&mut rng, &["", "acks=1", "compression.type=gzip linger.ms=7", "enable.idempotence=false"])
            ),
            2 => format!("consumer c{} auto.offset.reset={}", rng.below(2), pick(&mut rng, &["earliest", "latest"])),
            3 => format!(
                "send p{} t{} key={} value='v {i}' header.h=x",
                rng.below(2),
                rng.below(3),
                pick(&mut rng, &["null", "a", "''", "'null'"])
            ),
            4 => format!("assign c{} t{}-0", rng.below(2), rng.below(3)),
            5 => format!("poll c{}", rng.below(2)),
            6 => format!("broker {} {}", pick(&mut rng, &["stop", "start", "shutdown"]), rng.below(4) + 1),
            7 => format!("network {} broker-1 broker-{}", pick(&mut rng, &["cut", "heal"]), rng.below(3) + 2),
            8 if rng.below(2) == 0 => format!(
                "seek c{} t{}-0 {}",
                rng.below(2),
                rng.below(3),
                pick(&mut rng, &["0", "3", "beginning", "end", "timestamp=500"])
            ),
            8 => format!("{} c{} t{}-0", pick(&mut rng, &["pause", "resume"]), rng.below(2), rng.below(3)),
            _ => format!("advance {}ms", rng.below(3_000)),
        };
        lines.push(line);
    }
    Scenario::parse(&(lines.join("\n") + "\n")).unwrap()
}

#[test]
fn any_script_round_trips_through_a_link_to_the_same_trace() {
    for seed in 0..300 {
        let scenario = random_script(seed);
        let back = link::decode(&link::encode(&scenario)).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert_eq!(back.to_string(), scenario.to_string(), "seed {seed}");
        let (_, a) = run(&scenario);
        let (_, b) = run(&back);
        assert_eq!(fnv1a64(a.as_bytes()), fnv1a64(b.as_bytes()), "seed {seed}: same trace");
    }
}

#[test]
fn random_bytes_never_panic_the_decoder() {
    let mut rng = Rng::new(99);
    let good = link::encode(&random_script(1));
    for i in 0..20_000 {
        let fragment: String = if i % 2 == 0 {
            // Noise in the alphabet, behind a valid version.
            let len = rng.below(200);
            "v1.".to_string() + &(0..len).map(|_| b"ABCxyz019-_"[rng.below(11)] as char).collect::<String>()
        } else {
            // A good link with one character changed or cut short.
            let mut bytes = good.clone().into_bytes();
            let at = rng.below(bytes.len());
            bytes[at] = b"Az09-_"[rng.below(6)];
            bytes.truncate(at + rng.below(bytes.len() - at + 1));
            String::from_utf8(bytes).unwrap()
        };
        let _ = link::decode(&fragment);
    }
}
