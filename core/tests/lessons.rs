//! Every lesson parses, and every checkpoint of every step holds once the
//! learner has done the steps up to it: the lessons teach what the engine does.

use kafka_sim::lesson::Lesson;
use kafka_sim::scenario::Scenario;
use kafka_sim::trace::{self, OnError};
use std::path::PathBuf;

/// Every lesson file in `lessons/` (the page's, its share-groups build's, the CLI's).
fn lesson_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../lessons");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

#[test]
fn every_checkpoint_of_every_lesson_is_reached_by_doing_its_steps() {
    let files = lesson_files();
    assert!(files.len() >= 12, "the lessons are in lessons/");
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

#[test]
fn damaged_lessons_and_changes_are_refused_with_a_reason_never_a_panic() {
    // Every lesson, cut, with lines dropped, doubled or with bytes replaced: parsing answers
    // Ok or an error naming a line, and walking what parses names problems, never panics.
    let texts: Vec<String> = lesson_files().iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let mut rng = kafka_sim::rand::Rng::new(7);
    let noise = ["#!", "#! predict", "=", "|", " = ", "#! step", "#! do", "#! check", "\n", "é", "'", "\"", "seed x"];
    let mut refused = 0;
    for round in 0..400 {
        let text = &texts[round % texts.len()];
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        for _ in 0..1 + rng.below(4) {
            let i = rng.below(lines.len().max(1));
            match rng.below(4) {
                0 if !lines.is_empty() => {
                    lines.remove(i);
                }
                1 if !lines.is_empty() => {
                    let copy = lines[i].clone();
                    lines.insert(i, copy);
                }
                2 if !lines.is_empty() => {
                    let cut = lines[i].char_indices().map(|(k, _)| k).nth(rng.below(lines[i].chars().count().max(1)));
                    lines[i].truncate(cut.unwrap_or(0));
                }
                _ => lines.insert(i.min(lines.len()), noise[rng.below(noise.len())].to_string()),
            }
        }
        let damaged = lines.join("\n");
        match Lesson::parse(&damaged) {
            Ok(lesson) if round % 20 == 0 => {
                // Walking is slow; a sample of what still parses is walked.
                let _ = lesson.walk();
            }
            Ok(_) => {}
            Err(e) => {
                assert!(e.line >= 1 && !e.message.is_empty(), "{e:?}");
                refused += 1;
            }
        }
    }
    assert!(refused > 50, "the damage was mostly refused ({refused} of 400)");
    for text in ["", "p", "p acks", "= =", "p =1", "p a=", "all-topics x=y z", "é é=é", "p acks=1\n"] {
        let _ = kafka_sim::compare::Change::parse(text);
    }
}
