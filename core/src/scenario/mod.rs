//! Scenario scripts: the text form of a session. One command per line,
//! `#` comments, shell-like quoting, durations with units. A script parses to
//! a [`Scenario`] and prints back to an equivalent script.
//!
//! ```
//! use kafka_sim::scenario::Scenario;
//! let s = Scenario::parse("seed 7\ncluster brokers=3\nadvance 1s\n").unwrap();
//! assert_eq!(s.seed, 7);
//! assert_eq!(Scenario::parse(&s.to_string()).unwrap(), s);
//! ```

mod lex;
mod parse;
mod print;

use crate::command::Command;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub use parse::SHARE_GROUPS_LEFT_OUT;
pub use print::quote;

/// A seed and the commands to apply, each with the script line it came from.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Scenario {
    pub seed: u64,
    pub commands: Vec<Line>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the source; 0 for commands not from a script.
    pub line: usize,
    /// Shared: a session copies its commands for every branch and replay, never their contents.
    pub command: alloc::rc::Rc<Command>,
}

/// A script line that did not parse: where, and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptError {
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

/// Scripts longer than this are refused: a bound on what a link or file can ask for.
pub const SCRIPT_LINES_MAX: usize = 20_000;

impl Scenario {
    pub fn parse(text: &str) -> Result<Scenario, ScriptError> {
        parse::script(text)
    }

    /// Parses one command line (no `seed`), as the page's inputs produce them.
    pub fn parse_command(text: &str) -> Result<Command, ScriptError> {
        parse::command_line(text, 1)
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "seed {}", self.seed)?;
        for line in &self.commands {
            writeln!(f, "{}", line.command)?;
        }
        Ok(())
    }
}
