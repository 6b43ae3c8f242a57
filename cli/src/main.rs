//! `kafka-sim`: runs scenario scripts natively.
//!
//! ```text
//! kafka-sim run FILE          print the trace, one line per event
//! kafka-sim run FILE --json   print the final view as JSON (docs/cli-json.md)
//! kafka-sim run FILE --all    the trace with background traffic (heartbeats, metadata pushes, idle fetches)
//! kafka-sim run FILE --keep-going   a command the simulation refuses is written `! error` and the
//!                             run goes on, as the golden traces do (a fuzzer's minimal script replays)
//! kafka-sim export FILE --python | --cli   the session for a real cluster (kafka-python, or Kafka's CLI tools)
//! kafka-sim check FILE        run the script and its `expect` checkpoints; exit 1 naming a failed one
//! kafka-sim lesson FILE       do a lesson's steps as a learner would; exit 1 naming a checkpoint not reached
//! kafka-sim compare FILE --change "p acks=1"   run it twice, the second time with one setting changed,
//!                             and print how the outcomes differ
//! ```
//! `-` as FILE reads standard input. Exit status: 0 on success, 1 when the
//! script is wrong (the message names the line), 2 on a usage error.

use kafka_sim::scenario::Scenario;
use kafka_sim::trace;
use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str =
    "usage: kafka-sim run FILE [--json | --all] [--keep-going] | kafka-sim check FILE | kafka-sim lesson FILE | kafka-sim compare FILE --change \"NAME KEY=VALUE\" | kafka-sim export FILE --python|--cli   (FILE may be -)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    // `run`'s options in any order around its file.
    let keep_going = argv.first() == Some(&"run") && argv.contains(&"--keep-going");
    let argv: Vec<&str> = argv.into_iter().filter(|a| !(keep_going && *a == "--keep-going")).collect();
    let (mode, file, json, all) = match argv.as_slice() {
        ["run", file] => ("run", *file, false, false),
        ["run", file, "--json"] | ["run", "--json", file] => ("run", *file, true, false),
        ["run", file, "--all"] | ["run", "--all", file] => ("run", *file, false, true),
        ["check", file] => ("check", *file, false, false),
        ["compare", file, "--change", change] => return compare(file, change),
        ["lesson", file] => return lesson(file),
        ["export", file, "--python"] => ("python", *file, false, false),
        ["export", file, "--cli"] => ("shell", *file, false, false),
        ["--help" | "-h" | "help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let text = match read(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kafka-sim: cannot read {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let scenario = match Scenario::parse(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kafka-sim: {file}: {e}");
            return ExitCode::from(1);
        }
    };
    if mode == "python" || mode == "shell" {
        let text =
            if mode == "python" { kafka_sim::export::python(&scenario) } else { kafka_sim::export::cli(&scenario) };
        print!("{text}");
        return ExitCode::SUCCESS;
    }
    if mode == "check" {
        // Runs the script and its `expect` checkpoints; the first failure is named.
        return match trace::checkpoints(&scenario) {
            Err(e) => {
                eprintln!("kafka-sim: {file}: {e}");
                ExitCode::from(1)
            }
            Ok(points) => {
                let failed: Vec<_> = points.iter().filter(|p| p.result.is_err()).collect();
                for p in &failed {
                    eprintln!(
                        "kafka-sim: {file}: line {}: checkpoint failed: `{}`: {}",
                        p.line,
                        p.expectation,
                        p.result.as_ref().err().map_or("", String::as_str)
                    );
                }
                println!(
                    "{file}: {} command(s), seed {}, checkpoints: {} passed, {} failed",
                    scenario.commands.len(),
                    scenario.seed,
                    points.len() - failed.len(),
                    failed.len()
                );
                if failed.is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                }
            }
        };
    }
    let mut text = String::new();
    let on_error = if keep_going { trace::OnError::Record } else { trace::OnError::Stop };
    let result = trace::run_with(&scenario, on_error, all, &mut text);
    let mut out = std::io::stdout().lock();
    match result {
        Ok(sim) => {
            let written = if json {
                serde_json::to_string_pretty(&sim.view())
                    .map_err(std::io::Error::other)
                    .and_then(|j| writeln!(out, "{j}"))
            } else {
                out.write_all(text.as_bytes())
            };
            match written {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("kafka-sim: cannot write output: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Err(e) => {
            if !json {
                let _ = out.write_all(text.as_bytes());
            }
            eprintln!("kafka-sim: {file}: {e}");
            ExitCode::from(1)
        }
    }
}

/// Walks a lesson: each step's setup, then its action, then its checkpoints.
fn lesson(file: &str) -> ExitCode {
    let parsed = read(file)
        .map_err(|e| format!("cannot read {file}: {e}"))
        .and_then(|text| kafka_sim::lesson::Lesson::parse(&text).map_err(|e| format!("{file}: {e}")));
    let lesson = match parsed {
        Ok(l) => l,
        Err(e) => {
            eprintln!("kafka-sim: {e}");
            return ExitCode::from(1);
        }
    };
    let mut failed = 0;
    println!("{file}: {}", lesson.title);
    for (k, step) in lesson.walk().iter().enumerate() {
        println!("  step {} ({}): {} checkpoint(s) reached", k + 1, step.title, step.passed);
        for problem in &step.problems {
            eprintln!("kafka-sim: {file}: step {} ({}): {problem}", k + 1, step.title);
            failed += 1;
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Runs the script as written and with the change, and prints the outcomes side by side.
fn compare(file: &str, change: &str) -> ExitCode {
    let change = match kafka_sim::compare::Change::parse(change) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kafka-sim: --change: {e}");
            return ExitCode::from(2);
        }
    };
    let scenario = match read(file)
        .map_err(|e| format!("cannot read {file}: {e}"))
        .and_then(|text| Scenario::parse(&text).map_err(|e| format!("{file}: {e}")))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kafka-sim: {e}");
            return ExitCode::from(1);
        }
    };
    let session: Vec<_> = scenario.commands.iter().map(|l| l.command.clone()).collect();
    if let Err(e) = change.check(&session) {
        eprintln!("kafka-sim: --change: {e}");
        return ExitCode::from(1);
    }
    let mut comparison = kafka_sim::compare::Comparison::new(scenario.seed, change);
    comparison.sync(&session);
    print!("{}", kafka_sim::compare::render(&comparison));
    ExitCode::SUCCESS
}

fn read(file: &str) -> std::io::Result<String> {
    if file == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s)
    } else {
        std::fs::read_to_string(file)
    }
}
