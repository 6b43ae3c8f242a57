//! The browser benchmark's large cluster (12 brokers, ten topics of 60 partitions at replication
//! factor 3, 200 records a second of traffic) stepped as the page plays it, 100 ms of simulated
//! time a tick, with each tick's messages recorded for the sequence diagram and its view taken:
//! the engine's part of a playback frame, natively, for profilers (`perf record`,
//! `valgrind --tool=callgrind`). Prints each tick's time.
//!
//! `cargo run --profile bench -p kafka-sim --example playback -- 100` (ticks; default 100), or
//! `-- 100 SCRIPT` to play a scenario file instead (the stage's busy cluster:
//! `tests/bench/busy.kafka`). `TICK_MS` sets the simulated time of a tick (1000 is the page at 10x,
//! 10000 at 100x); `NO_VIEW=1` leaves the view out, to profile the engine alone.

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
    let script = match std::env::args().nth(2) {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("playback: cannot read {path}: {e}");
                std::process::exit(2);
            }
        },
        None => {
            let mut script = String::from("cluster brokers=12\nproducer p linger.ms=5\n");
            for t in 0..10 {
                script.push_str(&format!("topic create t{t} partitions=60 replication-factor=3\n"));
            }
            script.push_str("advance 5s\n");
            for t in 0..10 {
                script.push_str(&format!("traffic p t{t} rate=20 keys=50\n"));
            }
            script
        }
    };
    let scenario = Scenario::parse(&script).unwrap_or_else(|e| {
        eprintln!("playback: line {}: {}", e.line, e.message);
        std::process::exit(2);
    });
    let mut sim = Sim::new(scenario.seed);
    for line in &scenario.commands {
        sim.apply(&line.command).expect("applies");
    }
    sim.drain_events();
    // The page's way of taking the view each frame: unchanged partitions are reused; and its
    // sequence diagram records every message.
    let mut cache = kafka_sim::view::ViewCache::default();
    let mut sequence = kafka_sim::sequence::Sequence::default();
    let tick_ms: u64 = std::env::var("TICK_MS").ok().and_then(|t| t.parse().ok()).unwrap_or(100);
    let (mut times_ms, mut engine_ms) = (Vec::new(), Vec::new());
    for _ in 0..ticks {
        let t0 = Instant::now();
        sim.advance(Duration::from_ms(tick_ms));
        // As the page does: only the messages the sequence keeps get an arrow.
        let events = sim.drain_events();
        let from = kafka_sim::sequence::Sequence::first_needed(&events);
        for (i, e) in events.into_iter().enumerate() {
            if i < from {
                sequence.pass_over(&e);
            } else {
                sequence.observe(&std::rc::Rc::new(e));
            }
        }
        engine_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        if std::env::var("NO_VIEW").is_err() {
            std::hint::black_box(sim.view_with(&mut cache));
        }
        times_ms.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    let line: Vec<String> = times_ms.iter().map(|t| format!("{t:.2}")).collect();
    println!("ticks of {tick_ms} ms (ms): {}", line.join(" "));
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "median: {:.2} ms a tick, of which the engine's step and the sequence {:.2} ms (TICK_MS sets the simulated time a tick)",
        median(&mut times_ms),
        median(&mut engine_ms)
    );
}
