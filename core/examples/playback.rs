//! The browser benchmark's large cluster (12 brokers, ten topics of 60 partitions at replication
//! factor 3, 200 records a second of traffic) stepped as the page plays it, 100 ms of simulated
//! time a tick, with each tick's messages recorded for the sequence diagram and its view taken:
//! the engine's part of a playback frame, natively, for profilers (`perf record`,
//! `valgrind --tool=callgrind`). Prints each tick's time.
//!
//! `cargo run --profile bench -p kafka-sim --example playback -- 100` (ticks; default 100)

use kafka_sim::scenario::Scenario;
use kafka_sim::time::Duration;
use kafka_sim::Sim;
use std::time::Instant;

fn main() {
    let ticks = match std::env::args().nth(1).map(|a| a.parse::<u32>()) {
        None => 100,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("playback: the argument is a number of ticks: {e}");
            std::process::exit(2);
        }
    };
    let mut script = String::from("cluster brokers=12\nproducer p linger.ms=5\n");
    for t in 0..10 {
        script.push_str(&format!("topic create t{t} partitions=60 replication-factor=3\n"));
    }
    script.push_str("advance 5s\n");
    for t in 0..10 {
        script.push_str(&format!("traffic p t{t} rate=20 keys=50\n"));
    }
    let mut sim = Sim::new(1);
    for line in script.lines() {
        sim.apply(&Scenario::parse_command(line).expect("a valid line")).expect("applies");
    }
    sim.drain_events();
    // The page's way of taking the view each frame: unchanged partitions are reused; and its
    // sequence diagram records every message.
    let mut cache = kafka_sim::view::ViewCache::default();
    let mut sequence = kafka_sim::sequence::Sequence::default();
    let mut times_ms = Vec::new();
    for _ in 0..ticks {
        let t0 = Instant::now();
        sim.advance(Duration::from_ms(100));
        for e in sim.drain_events() {
            sequence.observe(&std::rc::Rc::new(e));
        }
        std::hint::black_box(sim.view_with(&mut cache));
        times_ms.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    let line: Vec<String> = times_ms.iter().map(|t| format!("{t:.2}")).collect();
    println!("ticks (ms): {}", line.join(" "));
}
