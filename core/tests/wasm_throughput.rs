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

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

#[wasm_bindgen_test]
fn end_to_end_throughput_in_the_browser() {
    let (ready, sends) = throughput_ready();
    // Three runs to warm up (the engine's memory grows to its working size), then thirty timed:
    // single runs in a browser vary by a third, the median of thirty much less.
    for _ in 0..3 {
        throughput_run(ready.clone(), &sends);
    }
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let sim = ready.clone();
            let t0 = now_ms();
            assert_eq!(throughput_run(sim, &sends), THROUGHPUT_RECORDS);
            now_ms() - t0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let median = times[RUNS / 2];
    console_log!(
        "wasm throughput/end-to-end: median {median:.1} ms for {THROUGHPUT_RECORDS} records = {:.0} records/s (min {:.1} ms, max {:.1} ms)",
        THROUGHPUT_RECORDS as f64 / median * 1000.0,
        times[0],
        times[RUNS - 1]
    );
}
