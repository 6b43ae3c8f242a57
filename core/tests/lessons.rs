//! Every lesson parses, and every checkpoint of every step holds once the
//! learner has done the steps up to it: the lessons teach what the engine does.

use kafka_sim::lesson::Lesson;
use kafka_sim::scenario::Scenario;
use kafka_sim::trace::{self, OnError};
use std::path::PathBuf;

#[test]
fn every_checkpoint_of_every_lesson_is_reached_by_doing_its_steps() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../lessons");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 12, "the lessons are in {}", dir.display());
    // Every failing checkpoint of every lesson, so one run shows all that is wrong.
    let mut failures = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lesson = Lesson::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (k, step) in lesson.steps.iter().enumerate() {
            let script = lesson.script_through(k + 1);
            let scenario = Scenario::parse(&script).unwrap();
            let sim = match trace::run(&scenario, OnError::Stop, &mut String::new()) {
                Ok(sim) => sim,
                Err(e) => {
                    failures.push(format!("{}: step {} ({}): {e}", file.display(), k + 1, step.title));
                    break;
                }
            };
            let view = sim.view();
            // A checkpoint that already holds before the learner acts proves nothing.
            let before = format!(
                "{}{}",
                lesson.script_through(k),
                step.setup.iter().map(|l| format!("{l}\n")).collect::<String>()
            );
            if !step.actions.is_empty() {
                let sim_before =
                    trace::run(&Scenario::parse(&before).unwrap(), OnError::Stop, &mut String::new()).unwrap();
                let view_before = sim_before.view();
                let all_hold = step.checks.iter().all(|check| {
                    let kafka_sim::Command::Expect(e) = Scenario::parse_command(check).unwrap() else { unreachable!() };
                    e.evaluate(&view_before).is_ok()
                });
                if all_hold {
                    failures.push(format!(
                        "{}: step {} ({}): its checkpoints hold before its action",
                        file.display(),
                        k + 1,
                        step.title
                    ));
                }
            }
            for check in &step.checks {
                let kafka_sim::Command::Expect(e) = Scenario::parse_command(check).unwrap() else { unreachable!() };
                if let Err(why) = e.evaluate(&view) {
                    failures.push(format!("{}: step {} ({}): `{check}`: {why}", file.display(), k + 1, step.title));
                }
            }
        }
    }
    assert!(failures.is_empty(), "checkpoints not reached:\n{}", failures.join("\n"));
}
