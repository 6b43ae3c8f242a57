//! Golden scenario tests: every `tests/scenarios/NAME.kafka` runs and its
//! trace must equal `tests/scenarios/NAME.trace`, byte for byte.
//!
//! After an intended change of behaviour, regenerate and review the diff:
//! `UPDATE_GOLDEN=1 cargo test -p kafka-sim --test golden` then `git diff`.

use kafka_sim::scenario::Scenario;
use kafka_sim::trace::{self, OnError};
use std::path::{Path, PathBuf};

fn scripts() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/scenarios exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "kafka"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no scenarios found in {}", dir.display());
    paths
}

fn run(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable script");
    let scenario = Scenario::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = String::new();
    trace::run(&scenario, OnError::Record, &mut out).expect("Record mode never stops");
    out
}

#[test]
fn traces_match_golden_files() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for path in scripts() {
        let actual = run(&path);
        let golden = path.with_extension("trace");
        if update {
            std::fs::write(&golden, &actual).expect("writable golden file");
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if expected != actual {
            let line = expected
                .lines()
                .zip(actual.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
            failures.push(format!(
                "{}: differs at line {}\n  expected: {:?}\n  actual:   {:?}",
                path.display(),
                line + 1,
                expected.lines().nth(line),
                actual.lines().nth(line)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "golden traces differ (UPDATE_GOLDEN=1 to regenerate, then review git diff):\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_checkpoint_in_the_golden_scenarios_holds() {
    for path in scripts() {
        let trace = run(&path);
        let failed: Vec<&str> = trace.lines().filter(|l| l.trim_start().starts_with("FAILED:")).collect();
        assert!(failed.is_empty(), "{}: {failed:?}", path.display());
    }
}

#[test]
fn every_script_prints_back_to_an_equivalent_script() {
    for path in scripts() {
        let text = std::fs::read_to_string(&path).unwrap();
        let parsed = Scenario::parse(&text).unwrap();
        let printed = parsed.to_string();
        let reparsed = Scenario::parse(&printed)
            .unwrap_or_else(|e| panic!("{}: printed form fails: {e}\n{printed}", path.display()));
        let commands = |s: &Scenario| s.commands.iter().map(|l| l.command.clone()).collect::<Vec<_>>();
        assert_eq!(commands(&parsed), commands(&reparsed), "{}", path.display());
        assert_eq!(reparsed.to_string(), printed, "{}: printing is not stable", path.display());
    }
}

#[test]
fn the_same_script_gives_the_same_trace_twice() {
    for path in scripts() {
        assert_eq!(run(&path), run(&path), "{} is not deterministic", path.display());
    }
}

/// The wasm test lists the scenarios by name (it cannot read a directory):
/// keep that list complete.
#[test]
fn the_wasm_test_lists_every_scenario() {
    let wasm = include_str!("wasm_determinism.rs");
    for path in scripts() {
        let name = path.file_stem().unwrap().to_str().unwrap();
        assert!(wasm.contains(&format!("scenario!(\"{name}\")")), "add {name} to tests/wasm_determinism.rs");
    }
}

/// Followers fetch in sessions too (their fetches are background traffic, left out of the
/// golden traces): the first fetch to a leader names every partition followed there, an idle
/// one names none, and one after a write names only the partition whose log grew. Every
/// answer after the first names only partitions with news.
#[test]
fn followers_fetch_in_sessions() {
    let script = "seed 1\ncluster brokers=2\ntopic create t replica-assignment=1:2,1:2\n\
                  advance 5s\nproducer p linger.ms=0\nsend p t partition=1 value=x\nadvance 2s\n";
    let scenario = Scenario::parse(script).expect("the script parses");
    let mut out = String::new();
    trace::run_with(&scenario, OnError::Stop, true, &mut out).expect("the script runs");
    let requests: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("broker-2 -> broker-1: Fetch request"))
        .map(|l| l.split(": Fetch request ").nth(1).unwrap_or(""))
        .map(|rest| rest.split_once(' ').map_or("", |(_, after)| after))
        .collect();
    assert_eq!(requests.first().copied(), Some("(replica) t-0@0,t-1@0"), "{out}");
    assert!(requests[1..].iter().all(|r| r.starts_with("(replica) session=")), "{requests:?}");
    assert!(requests.iter().any(|r| r.ends_with("epoch=3")), "an idle fetch names no partition: {requests:?}");
    assert!(requests.iter().any(|r| r.ends_with(" t-1@1")), "only t-1 moved: {requests:?}");
    assert!(!requests[1..].iter().any(|r| r.contains("t-0@")), "t-0 never moved: {requests:?}");
}
