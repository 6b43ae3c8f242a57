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
    // Every problem of every lesson, so one run shows all that is wrong.
    let mut failures = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lesson = Lesson::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (k, step) in lesson.walk().into_iter().enumerate() {
            for problem in step.problems {
                failures.push(format!("{}: step {} ({}): {problem}", file.display(), k + 1, step.title));
            }
        }
    }
    assert!(failures.is_empty(), "checkpoints not reached:\n{}", failures.join("\n"));
}

#[test]
fn walking_a_lesson_finds_a_checkpoint_that_proves_nothing_and_one_never_reached() {
    let lesson = Lesson::parse(
        "#! lesson L\nseed 1\n#! step Already true\ncluster brokers=1\n#! do advance 1s\n#! check broker 1 state=running\n\
         #! step Never\n#! do advance 1s\n#! check broker 1 state=stopped\n",
    )
    .unwrap();
    let walked = lesson.walk();
    assert_eq!(walked[0].problems, ["its checkpoints hold before its action"]);
    assert_eq!(walked[1].problems, ["`expect broker 1 state=stopped`: state is running, not stopped"]);
    assert_eq!((walked[0].passed, walked[1].passed), (1, 0));
}

#[test]
fn walking_agrees_with_replaying_the_script_through_each_step() {
    // The learner's session (one engine, step after step) and the script a link replays are the same.
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../lessons/acks.lesson")).unwrap();
    let lesson = Lesson::parse(&text).unwrap();
    let all = lesson.script_through(lesson.steps.len());
    let sim = trace::run(&Scenario::parse(&all).unwrap(), OnError::Stop, &mut String::new()).unwrap();
    for check in &lesson.steps.last().unwrap().checks {
        let kafka_sim::Command::Expect(e) = Scenario::parse_command(check).unwrap() else { unreachable!() };
        assert_eq!(e.evaluate(&sim.view()), Ok(()), "{check}");
    }
}
