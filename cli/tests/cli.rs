//! The `kafka-sim` binary as a person uses it: exit codes, the trace, the JSON view.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn kafka_sim(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-sim"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // A run refused before it reads its input exits without reading it: the pipe closes.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "writing the input: {e}");
    }
    child.wait_with_output().unwrap()
}

const SCRIPT: &str = "seed 42\ncluster brokers=3\ntopic create orders partitions=3\nproducer p1 linger.ms=0\nsend p1 orders key=Alice value=v\nadvance 1s\n";

#[test]
fn run_prints_the_trace() {
    let out = kafka_sim(&["run", "-"], SCRIPT);
    assert!(out.status.success());
    let trace = String::from_utf8(out.stdout).unwrap();
    assert!(trace.starts_with("seed 42\n> cluster brokers=3\n"), "{trace}");
    assert!(trace.contains("p1: 1 record(s) to orders-0 acknowledged at offset 0"), "{trace}");
}

#[test]
fn json_holds_the_records_with_offsets_keys_and_values() {
    let out = kafka_sim(&["run", "-", "--json"], SCRIPT);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json["now_ms"], 1000);
    let p0 = &json["topics"][0]["partitions"][0];
    assert_eq!(p0["records"][0]["offset"], 0);
    assert_eq!(p0["records"][0]["key"], "Alice");
    assert_eq!(p0["records"][0]["value"], "v");
    assert_eq!(json["brokers"].as_array().unwrap().len(), 3);
}

#[test]
fn check_runs_the_checkpoints() {
    let script = format!("{SCRIPT}expect partition orders-0 leo=1\nexpect producer p1 acked=1 failed=0\n");
    let out = kafka_sim(&["check", "-"], &script);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "-: 7 command(s), seed 42, checkpoints: 2 passed, 0 failed\n");
}

#[test]
fn a_failed_checkpoint_is_named_and_exits_1() {
    let script = format!("{SCRIPT}expect partition orders-0 leo=5\n");
    let out = kafka_sim(&["check", "-"], &script);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("line 7: checkpoint failed: `expect partition orders-0 leo=5`: leo is 1, not 5"), "{err}");
}

#[test]
fn a_parse_error_names_the_line_and_exits_1() {
    let out = kafka_sim(&["check", "-"], "cluster brokers=1\nadvance soon\n");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("line 2, column 9: expected a duration"), "{err}");
}

#[test]
fn a_refused_command_names_the_line_and_exits_1() {
    let out = kafka_sim(&["run", "-"], "cluster brokers=1\ntopic create t replication-factor=2\n");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("line 2: `topic create t replication-factor=2`: INVALID_REPLICATION_FACTOR"), "{err}");
}

#[test]
fn keep_going_records_a_refused_command_and_runs_the_rest() {
    let script = "seed 1\ncluster brokers=1\nbroker start 1\ntopic create t\nadvance 1s\n";
    let out = kafka_sim(&["run", "--keep-going", "-"], script);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let trace = String::from_utf8(out.stdout).unwrap();
    assert!(trace.contains("> broker start 1\n! "), "the refusal is in the trace: {trace}");
    assert!(trace.contains("topic t created"), "the run went on: {trace}");
    // Without it the same script stops at the refusal.
    assert_eq!(kafka_sim(&["run", "-"], script).status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(kafka_sim(&["launch"], "").status.code(), Some(2));
    let out = kafka_sim(&["run", "/no/such/file.kafka"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("cannot read /no/such/file.kafka"));
}

/// Every file in a folder of the repository with this extension, sorted.
fn files(dir: &str, ext: &str) -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    out.sort();
    out
}

#[test]
fn every_lesson_is_walked_to_its_end_by_the_cli() {
    let lessons = files("lessons", "lesson");
    assert!(lessons.len() >= 12);
    for file in lessons {
        let out = kafka_sim(&["lesson", file.to_str().unwrap()], "");
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "{}: {}{}", file.display(), stdout, String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("step 1 (") && !stdout.contains(": 0 checkpoint(s) reached"), "{stdout}");
    }
}

#[test]
fn a_lesson_step_whose_checkpoint_is_not_reached_is_named_and_exits_1() {
    let out = kafka_sim(
        &["lesson", "-"],
        "#! lesson L\nseed 1\n#! step One\ncluster brokers=1\n#! do advance 1s\n#! check broker 1 state=stopped\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("step 1 (One): `expect broker 1 state=stopped`: state is running, not stopped"), "{err}");
}

#[test]
fn every_gallery_scenario_passes_its_checkpoints_by_the_cli() {
    let scenarios = files("core/tests/scenarios", "kafka");
    assert!(scenarios.len() >= 20);
    let mut checked = 0;
    for file in scenarios {
        // A scenario that shows refused commands on purpose has them in its reviewed trace
        // (`! ...` lines); `check` stops at the first, so those are checked by the golden test.
        let trace = std::fs::read_to_string(file.with_extension("trace")).unwrap();
        if trace.lines().any(|l| l.starts_with("! ")) {
            continue;
        }
        let out = kafka_sim(&["check", file.to_str().unwrap()], "");
        assert!(out.status.success(), "{}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} scenarios checked");
}

#[test]
fn compare_prints_both_runs_and_refuses_a_change_naming_nothing() {
    let script =
        "seed 1\ncluster brokers=1\ntopic create t\nproducer p acks=1 linger.ms=0\nsend p t value=v\nadvance 1s\n";
    let out = kafka_sim(&["compare", "-", "--change", "p acks=all"], script);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.lines().next().unwrap().ends_with("as written   p acks=all"), "{stdout}");
    assert!(stdout.contains("records acknowledged"), "{stdout}");
    let out = kafka_sim(&["compare", "-", "--change", "q acks=all"], script);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("the session creates no producer, consumer or topic named q"));
    let out = kafka_sim(&["compare", "-", "--change", "acks=all"], script);
    assert_eq!(out.status.code(), Some(2));
}
