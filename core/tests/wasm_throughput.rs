//! The end-to-end throughput benchmark in WebAssembly, in headless Chromium:
//! the native `throughput/end-to-end` scenario, timed with `performance.now()`.
//! A measurement, not a test: it prints records per second and asserts only
//! that every record arrived. Run by `./x bench`:
//! `cargo test -p kafka-sim --target wasm32-unknown-unknown --profile bench --test wasm_throughput -- --nocapture`.
#![cfg(target_arch = "wasm32")]

#[path = "../benches/shared/throughput.rs"]
mod throughput_scenario;
use throughput_scenario::{throughput_ready, throughput_run, THROUGHPUT_RECORDS};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Timed runs.
const RUNS: usize = 30;

/// Criterion's default warm-up time.
const WARM_UP_MS: f64 = 3_000.0;

/// A bound on the warm-up, should the clock not move (no `performance` object).
const WARM_UP_RUNS_MAX: usize = 1_000;

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

#[wasm_bindgen_test]
fn end_to_end_throughput_in_the_browser() {
    let (ready, sends) = throughput_ready();
    // Warm up as criterion does natively, for three seconds: the engine's memory grows to its
    // working size, and V8 compiles the hot functions again with its optimizing tier (the first
    // ten or so runs take up to three times as long as the rest). Then thirty timed: single runs
    // in a browser vary by a third, the median of thirty much less.
    let warm_up_from = now_ms();
    for _ in 0..WARM_UP_RUNS_MAX {
        throughput_run(ready.clone(), &sends);
        if now_ms() - warm_up_from >= WARM_UP_MS {
            break;
        }
    }
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let sim = ready.clone();
            let t0 = now_ms();
            assert_eq!(throughput_run(sim, &sends), THROUGHPUT_RECORDS);
            now_ms() - t0
        })
        .collect();
    // In order, so a reader sees whether the warm-up was long enough (no downward trend).
    let in_order: Vec<String> = times.iter().map(|t| format!("{t:.1}")).collect();
    console_log!("wasm throughput/end-to-end runs in order (ms): {}", in_order.join(" "));
    times.sort_by(f64::total_cmp);
    let median = times[RUNS / 2];
    console_log!(
        "wasm throughput/end-to-end: median {median:.1} ms for {THROUGHPUT_RECORDS} records = {:.0} records/s (min {:.1} ms, max {:.1} ms)",
        THROUGHPUT_RECORDS as f64 / median * 1000.0,
        times[0],
        times[RUNS - 1]
    );
}
