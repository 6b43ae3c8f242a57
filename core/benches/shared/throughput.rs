//! The end-to-end throughput scenario, shared by the native benchmark
//! (`benches/engine.rs`) and the same measurement in WebAssembly in headless
//! Chromium (`tests/wasm_throughput.rs`), so both measure exactly the same work; its
//! `command` and `value` serve the other native benchmarks too.

use kafka_sim::scenario::Scenario;
use kafka_sim::time::Duration;
use kafka_sim::{Command, Sim};

/// A script line as a command (benchmark lines are valid by construction).
pub fn command(line: &str) -> Command {
    Scenario::parse_command(line).expect("a valid benchmark command")
}

/// 100 bytes of JSON-ish text, compressible the way real payloads are.
pub fn value(i: u64) -> String {
    let v = format!(
        "{{\"order_id\":\"ORD{i:06}\",\"customer\":\"c{:04}\",\"status\":\"created\",\"amount\":{}.50}}",
        i % 977,
        i % 300
    );
    format!("{v:<100}")
}

/// Records in one end-to-end throughput run.
pub const THROUGHPUT_RECORDS: u64 = 20_000;

/// A cluster (3 brokers, 3 partitions, RF 3), a batching idempotent producer and a consumer
/// polling in a loop; and the sends, parsed.
pub fn throughput_ready() -> (Sim, Vec<Command>) {
    let mut sim = Sim::new(1);
    for line in [
        "cluster brokers=3",
        "topic create bench partitions=3 replication-factor=3",
        "producer p acks=all linger.ms=5",
        "consumer c auto.offset.reset=earliest",
        "assign c bench-0,bench-1,bench-2",
        "consume c",
        "advance 1s",
    ] {
        sim.apply(&command(line)).unwrap();
    }
    sim.drain_events();
    let sends = (0..THROUGHPUT_RECORDS).map(|i| command(&format!("send p bench value='{}'", value(i)))).collect();
    (sim, sends)
}

/// Sends every record, then lets time pass until the consumer has all of them; the records consumed.
pub fn throughput_run(mut sim: Sim, sends: &[Command]) -> u64 {
    let mut consumed = 0u64;
    let count = |sim: &mut Sim, consumed: &mut u64| {
        for e in sim.drain_events() {
            if let kafka_sim::event::EventKind::Polled { records, .. } = e.kind {
                *consumed += records.len() as u64;
            }
        }
    };
    // A thousand sends every 5 ms of simulated time: 200,000 records a second, within the
    // producer's buffer.
    for chunk in sends.chunks(1_000) {
        for s in chunk {
            sim.apply(s).unwrap();
        }
        sim.advance(Duration::from_ms(5));
        count(&mut sim, &mut consumed);
    }
    for _ in 0..200 {
        sim.advance(Duration::from_ms(10));
        count(&mut sim, &mut consumed);
        if consumed >= THROUGHPUT_RECORDS {
            break;
        }
    }
    assert_eq!(consumed, THROUGHPUT_RECORDS, "every record consumed");
    consumed
}
