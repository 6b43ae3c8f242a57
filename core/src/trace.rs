//! Running a scenario to a trace: each command echoed as `> command`, then
//! the events it caused, one per line with its simulated time. This text is
//! what golden tests compare and what `kafka-sim run` prints.

use crate::error::CommandError;
use crate::scenario::Scenario;
use crate::sim::Sim;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write};

/// A command of the scenario failed: which line, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunError {
    pub line: usize,
    pub command: String,
    pub error: CommandError,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: `{}`: {}", self.line, self.command, self.error)
    }
}

/// What to do when the simulation refuses a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    /// Stop and return the error (`kafka-sim run`).
    Stop,
    /// Write `! error` into the trace and go on (golden tests of error messages).
    Record,
}

/// Runs every command of `scenario` on a new simulation, writing the trace
/// without background chatter (heartbeats, metadata pushes, empty follower fetches).
pub fn run(scenario: &Scenario, on_error: OnError, trace: &mut String) -> Result<Sim, RunError> {
    run_with(scenario, on_error, false, trace)
}

/// As [`run`]; `chatter` also writes the background traffic.
pub fn run_with(scenario: &Scenario, on_error: OnError, chatter: bool, trace: &mut String) -> Result<Sim, RunError> {
    let mut sim = Sim::new(scenario.seed);
    let _ = writeln!(trace, "seed {}", scenario.seed);
    for line in &scenario.commands {
        let _ = writeln!(trace, "> {}", line.command);
        if let Err(error) = sim.apply(&line.command) {
            if on_error == OnError::Stop {
                let command = format!("{}", line.command);
                return Err(RunError { line: line.line, command, error });
            }
            let _ = writeln!(trace, "! {error}");
        }
        for event in sim.drain_events() {
            if chatter || !event.kind.is_chatter() {
                let _ = writeln!(trace, "{event}");
            }
        }
        if let crate::command::Command::Expect(e) = &*line.command {
            match e.evaluate(&sim.view()) {
                Ok(()) => {
                    let _ = writeln!(trace, "  ok: {e}");
                }
                Err(why) => {
                    let _ = writeln!(trace, "  FAILED: {e}: {why}");
                }
            }
        }
    }
    Ok(sim)
}

/// One `expect` line's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub line: usize,
    pub expectation: crate::expect::Expectation,
    /// `Err` says what was found instead.
    pub result: Result<(), String>,
}

/// Runs a scenario and evaluates every `expect` line where it stands.
/// Stops at the first command the simulation refuses.
pub fn checkpoints(scenario: &Scenario) -> Result<Vec<Checkpoint>, RunError> {
    let mut sim = Sim::new(scenario.seed);
    let mut out = Vec::new();
    for line in &scenario.commands {
        sim.apply(&line.command).map_err(|error| RunError {
            line: line.line,
            command: format!("{}", line.command),
            error,
        })?;
        sim.drain_events();
        if let crate::command::Command::Expect(e) = &*line.command {
            out.push(Checkpoint { line: line.line, expectation: e.clone(), result: e.evaluate(&sim.view()) });
        }
    }
    Ok(out)
}

/// FNV-1a, 64 bit: a small stable hash to compare traces across platforms.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
