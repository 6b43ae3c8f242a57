//! The end-to-end throughput scenario of `benches/engine.rs`, run N times (default 1) in a
//! plain program, for profilers: `perf record` for where the time goes, and
//! `valgrind --tool=callgrind` for instruction counts, which repeat exactly from run to run
//! where wall-clock times on a shared machine vary by 5–10% (docs/performance.md).
//!
//! `cargo run --profile bench -p kafka-sim --example throughput -- 3` (the benchmarks' profile: opt-level 3)

#[path = "../benches/shared/throughput.rs"]
mod throughput_scenario;

fn main() {
    let runs = match std::env::args().nth(1).map(|a| a.parse::<u32>()) {
        None => 1,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("throughput: the argument is a number of runs: {e}");
            std::process::exit(2);
        }
    };
    let (ready, sends) = throughput_scenario::throughput_ready();
    for _ in 0..runs {
        std::hint::black_box(throughput_scenario::throughput_run(ready.clone(), &sends));
    }
}
