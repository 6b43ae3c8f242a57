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
    assert!(files.len() >= 3, "the lessons are in {}", dir.display());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lesson = Lesson::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (k, step) in lesson.steps.iter().enumerate() {
            let script = lesson.script_through(k + 1);
            let scenario = Scenario::parse(&script).unwrap();
            let sim = trace::run(&scenario, OnError::Stop, &mut String::new())
                .unwrap_or_else(|e| panic!("{}: step {} ({}): {e}", file.display(), k + 1, step.title));
            let view = sim.view();
            for check in &step.checks {
                let kafka_sim::Command::Expect(e) = Scenario::parse_command(check).unwrap() else { unreachable!() };
                if let Err(why) = e.evaluate(&view) {
                    panic!("{}: step {} ({}): `{check}`: {why}", file.display(), k + 1, step.title);
                }
            }
        }
    }
}
