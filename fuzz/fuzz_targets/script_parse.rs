//! Any text: the script parser returns a scenario or a line/column error, never
//! panics; a scenario prints back to a script that parses to the same commands.
//! The same text as a lesson (`#!` directives over a script) and as a comparison's
//! change: an answer or an error, never a panic.
#![no_main]

use kafka_sim::compare::Change;
use kafka_sim::lesson::Lesson;
use kafka_sim::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(s) = Scenario::parse(&text) {
        let printed = s.to_string();
        let again = Scenario::parse(&printed).expect("a printed script parses");
        assert_eq!(again.to_string(), printed);
    }
    if let Ok(lesson) = Lesson::parse(&text) {
        assert!(!lesson.title.is_empty() && !lesson.steps.is_empty(), "a parsed lesson has a title and steps");
        for step in &lesson.steps {
            if let Some(p) = &step.predict {
                assert!(p.answer < p.choices.len(), "the answer is one of the choices");
            }
        }
    }
    let _ = Change::parse(&text);
});
