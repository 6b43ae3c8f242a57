//! Guided lessons: a lesson is a script whose `#!` comment lines divide it into
//! steps, each with an explanation written for a learner, setup commands that
//! run when the step opens, an action the learner takes (a button in the page),
//! a checkpoint that confirms it, and what to notice once it holds:
//!
//! ```text
//! #! lesson Replication: leaders, followers and the ISR
//! #! step Three copies of every record
//! #! explain A partition with replication factor 3 has a leader and two followers.
//! cluster brokers=3
//! topic create orders partitions=1 replication-factor=3
//! #! do send p orders value=hello
//! #! check partition orders-0 hw=1
//! #! notice The high watermark moved once both followers had the record.
//! ```
//!
//! Directive lines are comments to the script language, so the commands of a
//! lesson are an ordinary script. Parsing checks every command and checkpoint
//! with the script parser, and names the line of anything wrong.

use crate::command::Command;
use crate::scenario::{Scenario, ScriptError};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// One step of a lesson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub title: String,
    /// What the learner reads first (lines joined with spaces; an empty `explain` starts a paragraph).
    pub explain: Vec<String>,
    /// Commands run when the step opens, as script lines.
    pub setup: Vec<String>,
    /// What the learner does, as script lines (one button applies them all).
    pub actions: Vec<String>,
    /// `expect` lines that confirm the step (checked against the state as it changes).
    pub checks: Vec<String>,
    /// What to notice, shown once the checks hold.
    pub notice: Vec<String>,
    /// A question to answer before the action: the learner predicts, then sees.
    pub predict: Option<Prediction>,
}

impl Step {
    /// The step's checkpoints as expectations (each was checked to be one when the lesson was parsed).
    pub fn expectations(&self) -> Vec<crate::expect::Expectation> {
        self.checks
            .iter()
            .filter_map(|c| match Scenario::parse_command(c) {
                Ok(Command::Expect(e)) => Some(e),
                _ => None,
            })
            .collect()
    }
}

/// `#! predict QUESTION | CHOICE | CHOICE... = ANSWER`, with `#! why TEXT` lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prediction {
    pub question: String,
    pub choices: Vec<String>,
    /// Index into `choices`.
    pub answer: usize,
    pub why: Vec<String>,
}

/// A parsed lesson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lesson {
    pub title: String,
    pub seed: u64,
    pub steps: Vec<Step>,
}

/// Steps a lesson may have, a stated limit.
pub const LESSON_STEPS_MAX: usize = 30;

impl Lesson {
    /// Parses a lesson; errors name the line, as script errors do.
    pub fn parse(text: &str) -> Result<Lesson, ScriptError> {
        let mut lesson = Lesson { title: String::new(), seed: 0, steps: Vec::new() };
        let err = |line: usize, message: String| ScriptError { line, column: 1, message };
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = raw.trim();
            if let Some(directive) = line.strip_prefix("#!") {
                let directive = directive.trim();
                let (word, rest) = directive.split_once(' ').unwrap_or((directive, ""));
                let rest = rest.trim().to_string();
                if word == "lesson" {
                    lesson.title = rest;
                    continue;
                }
                if word == "step" {
                    if lesson.steps.len() == LESSON_STEPS_MAX {
                        return Err(err(n, format!("a lesson has at most {LESSON_STEPS_MAX} steps")));
                    }
                    lesson.steps.push(Step {
                        title: rest,
                        explain: Vec::new(),
                        setup: Vec::new(),
                        actions: Vec::new(),
                        checks: Vec::new(),
                        notice: Vec::new(),
                        predict: None,
                    });
                    continue;
                }
                let Some(step) = lesson.steps.last_mut() else {
                    return Err(err(n, format!("'#! {word}' comes before the first '#! step'")));
                };
                match word {
                    "explain" => step.explain.push(rest),
                    "predict" => step.predict = Some(parse_prediction(&rest).map_err(|m| err(n, m))?),
                    "why" => match step.predict.as_mut() {
                        Some(p) => p.why.push(rest),
                        None => return Err(err(n, "'#! why' follows a '#! predict'".into())),
                    },
                    "notice" => step.notice.push(rest),
                    "do" => {
                        Scenario::parse_command(&rest).map_err(|e| err(n, format!("in '#! do': {}", e.message)))?;
                        step.actions.push(rest);
                    }
                    "check" => {
                        let expect = format!("expect {rest}");
                        match Scenario::parse_command(&expect) {
                            Ok(Command::Expect(_)) => step.checks.push(expect),
                            Ok(_) => return Err(err(n, "'#! check' takes what an expect line takes".into())),
                            Err(e) => return Err(err(n, format!("in '#! check': {}", e.message))),
                        }
                    }
                    other => {
                        return Err(err(
                            n,
                            format!(
                                "unknown directive '#! {other}': expected lesson, step, explain, predict, why, do, check or notice"
                            ),
                        ))
                    }
                }
                continue;
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(seed) = line.strip_prefix("seed ") {
                lesson.seed =
                    seed.trim().parse().map_err(|_| err(n, format!("expected a seed number, found '{seed}'")))?;
                continue;
            }
            let Some(step) = lesson.steps.last_mut() else {
                return Err(err(n, "commands come after the first '#! step'".into()));
            };
            Scenario::parse_command(line).map_err(|e| err(n, e.message))?;
            step.setup.push(line.to_string());
        }
        if lesson.title.is_empty() {
            return Err(err(1, "a lesson starts with '#! lesson TITLE'".into()));
        }
        if lesson.steps.is_empty() {
            return Err(err(1, "a lesson has at least one '#! step'".into()));
        }
        Ok(lesson)
    }

    /// The whole lesson as one script, every step's setup and actions in order: what
    /// replays a learner's progress, and what tests run to prove every checkpoint reachable.
    pub fn script_through(&self, steps: usize) -> String {
        let mut out = format!("seed {}\n", self.seed);
        for s in self.steps.iter().take(steps) {
            for l in s.setup.iter().chain(&s.actions) {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }

    /// Does the lesson as a learner would, step by step in one session, and says of each
    /// step what is wrong: a command refused, a checkpoint that does not hold after the
    /// action, or checkpoints that all hold before it (a step that proves nothing).
    pub fn walk(&self) -> Vec<StepOutcome> {
        let mut sim = crate::sim::Sim::new(self.seed);
        let mut out = Vec::new();
        let evaluate = |sim: &crate::sim::Sim, step: &Step| -> Vec<(String, Result<(), String>)> {
            let view = sim.view();
            step.expectations().into_iter().map(|e| (e.to_string(), e.evaluate(&view))).collect()
        };
        for step in &self.steps {
            let mut outcome = StepOutcome { title: step.title.clone(), passed: 0, problems: Vec::new() };
            let apply = |sim: &mut crate::sim::Sim, lines: &[String], problems: &mut Vec<String>| {
                for line in lines {
                    let applied = Scenario::parse_command(line)
                        .map_err(|e| e.message)
                        .and_then(|c| sim.apply(&c).map_err(|e| e.to_string()));
                    if let Err(e) = applied {
                        problems.push(format!("`{line}` was refused: {e}"));
                    }
                }
            };
            apply(&mut sim, &step.setup, &mut outcome.problems);
            if !step.actions.is_empty() && evaluate(&sim, step).iter().all(|(_, r)| r.is_ok()) {
                outcome.problems.push(String::from("its checkpoints hold before its action"));
            }
            apply(&mut sim, &step.actions, &mut outcome.problems);
            for (check, result) in evaluate(&sim, step) {
                match result {
                    Ok(()) => outcome.passed += 1,
                    Err(why) => outcome.problems.push(format!("`{check}`: {why}")),
                }
            }
            sim.drain_events();
            out.push(outcome);
        }
        out
    }
}

/// What [`Lesson::walk`] found in one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepOutcome {
    pub title: String,
    /// Checkpoints that held after the action.
    pub passed: usize,
    pub problems: Vec<String>,
}

/// `QUESTION | CHOICE | CHOICE... = ANSWER`: the answer is one of the choices.
fn parse_prediction(text: &str) -> Result<Prediction, String> {
    let (body, answer) = text.rsplit_once('=').ok_or("a prediction ends with '= ANSWER'")?;
    let mut parts = body.split('|').map(str::trim);
    let question = parts.next().unwrap_or_default().to_string();
    let choices: Vec<String> = parts.filter(|c| !c.is_empty()).map(String::from).collect();
    if question.is_empty() || choices.len() < 2 {
        return Err("a prediction is 'QUESTION | CHOICE | CHOICE... = ANSWER' with at least two choices".into());
    }
    let answer = answer.trim();
    let index = choices
        .iter()
        .position(|c| c == answer)
        .ok_or_else(|| format!("the answer '{answer}' is not one of the choices"))?;
    Ok(Prediction { question, choices, answer: index, why: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = "#! lesson Replication\nseed 3\n#! step Copies\n#! explain Three copies.\n\
        cluster brokers=3\ntopic create t partitions=1 replication-factor=3\nproducer p linger.ms=0\n\
        #! do send p t value=x\n#! do advance 1s\n#! check partition t-0 hw=1\n#! notice The HW moved.\n\
        #! step A broker dies\n#! do broker stop 1\n#! do advance 20s\n#! check partition t-0 isr=2,3\n";

    #[test]
    fn steps_gather_their_explanation_setup_actions_checks_and_notes() {
        let l = Lesson::parse(LESSON).unwrap();
        assert_eq!((l.title.as_str(), l.seed, l.steps.len()), ("Replication", 3, 2));
        let s = &l.steps[0];
        assert_eq!(s.setup.len(), 3);
        assert_eq!(s.actions, vec!["send p t value=x", "advance 1s"]);
        assert_eq!(s.checks, vec!["expect partition t-0 hw=1"]);
        assert_eq!(s.notice, vec!["The HW moved."]);
        assert!(l.script_through(1).ends_with("advance 1s\n"));
        assert!(l.script_through(2).contains("broker stop 1"));
    }

    #[test]
    fn a_prediction_has_choices_an_answer_and_reasons() {
        let l = Lesson::parse(
            "#! lesson X\n#! step S\n#! predict Who leads? | broker 2 | broker 3 = broker 3\n#! why ISR order.\n",
        )
        .unwrap();
        let p = l.steps[0].predict.as_ref().unwrap();
        assert_eq!((p.question.as_str(), p.choices.len(), p.answer), ("Who leads?", 2, 1));
        assert_eq!(p.why, vec!["ISR order."]);
        let e = Lesson::parse("#! lesson X\n#! step S\n#! predict Who? | a | b = c\n").unwrap_err();
        assert!(e.message.contains("'c' is not one of the choices"), "{}", e.message);
        let e = Lesson::parse("#! lesson X\n#! step S\n#! why because\n").unwrap_err();
        assert!(e.message.contains("follows a '#! predict'"), "{}", e.message);
    }

    #[test]
    fn mistakes_name_their_line() {
        let e = Lesson::parse("#! lesson X\n#! step S\n#! do launch rockets\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("unknown command 'launch'"), "{}", e.message);
        let e = Lesson::parse("#! lesson X\n#! step S\n#! check partition t-0 colour=red\n").unwrap_err();
        assert!(e.message.contains("in '#! check'"), "{}", e.message);
        let e = Lesson::parse("#! lesson X\ncluster brokers=1\n").unwrap_err();
        assert!(e.message.contains("after the first '#! step'"), "{}", e.message);
        let e = Lesson::parse("#! lesson X\n#! step S\n#! shout hello\n").unwrap_err();
        assert!(e.message.contains("unknown directive"), "{}", e.message);
        assert!(Lesson::parse("cluster brokers=1\n").is_err(), "no title, no steps");
    }
}
