//! Sessions as the browser keeps them, in text: the autosaved session with every branch of its
//! time tree and the moment being looked at, and the list of recent sessions, where a session
//! goes when something replaces it. Pure: tested natively; the browser layer stores the text.
//!
//! A saved session is a script that any version of the page reads (the line being viewed);
//! what only the time tree needs follows in `#@ ` lines, which a script reads as comments.

use kafka_sim::command::{Command, SharedCommand};
use kafka_sim::scenario::{Line, Scenario};

/// Branches a session keeps besides the line viewed; past this the oldest is dropped, and the
/// page says so.
pub const BRANCHES_MAX: usize = 10;

/// Sessions the recent list keeps; the oldest is dropped past this.
pub const RECENT_MAX: usize = 10;

/// Marks a saved session's tree lines.
const TREE: &str = "#@ ";
/// Starts a recent list's entry: `#@@ title`.
const ENTRY: &str = "#@@ ";

/// A line of time the session left, kept: its commands from the seed, and the simulated time at
/// which it split from the line it was left for.
#[derive(Clone, Debug, PartialEq)]
pub struct Branch {
    pub split_ms: u64,
    pub commands: Vec<SharedCommand>,
}

/// A session as saved.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    pub seed: u64,
    /// The line being viewed, its future included.
    pub commands: Vec<SharedCommand>,
    /// Where it was being looked at, when that was in its past.
    pub at_ms: Option<u64>,
    pub branches: Vec<Branch>,
}

/// The script of `commands` from `seed`.
pub fn script(seed: u64, commands: &[SharedCommand]) -> String {
    Scenario { seed, commands: commands.iter().map(|c| Line { line: 0, command: c.clone() }).collect() }.to_string()
}

impl Saved {
    pub fn to_text(&self) -> String {
        let mut out = script(self.seed, &self.commands);
        if let Some(at) = self.at_ms {
            out += &format!("{TREE}at {at}\n");
        }
        for b in &self.branches {
            out += &format!("{TREE}branch {}\n", b.split_ms);
            for line in script(self.seed, &b.commands).lines() {
                out += TREE;
                out += line;
                out.push('\n');
            }
        }
        out
    }

    /// Reads a saved session (or any script: a session without branches), or says what is wrong.
    pub fn parse(text: &str) -> Result<Saved, String> {
        let (mut main, mut at_ms, mut branches) = (String::new(), None, Vec::<(u64, String)>::new());
        for (n, line) in text.lines().enumerate() {
            let Some(tree) = line.strip_prefix(TREE) else {
                main += line;
                main.push('\n');
                continue;
            };
            let number =
                |s: &str| s.trim().parse::<u64>().map_err(|_| format!("line {}: '{s}' is not a time in ms", n + 1));
            if let Some(ms) = tree.strip_prefix("at ") {
                at_ms = Some(number(ms)?);
            } else if let Some(ms) = tree.strip_prefix("branch ") {
                branches.push((number(ms)?, String::new()));
            } else if let Some((_, script)) = branches.last_mut() {
                *script += tree;
                script.push('\n');
            } else {
                return Err(format!("line {}: a branch's line before any branch", n + 1));
            }
        }
        let main = Scenario::parse(&main).map_err(|e| e.to_string())?;
        let branches = branches
            .into_iter()
            .map(|(split_ms, text)| {
                let s = Scenario::parse(&text).map_err(|e| format!("a branch: {e}"))?;
                Ok(Branch { split_ms, commands: s.commands.into_iter().map(|l| l.command).collect() })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Saved { seed: main.seed, commands: main.commands.into_iter().map(|l| l.command).collect(), at_ms, branches })
    }
}

/// A session's name in the recent list: its topics, how long it runs and how much it holds.
pub fn title(text: &str) -> String {
    let Ok(saved) = Saved::parse(text) else { return "a session that no longer opens".into() };
    let length_s =
        saved.commands.iter().map(|c| if let Command::Advance(d) = **c { d.ms } else { 0 }).sum::<u64>() / 1_000;
    let topics: Vec<&str> = saved
        .commands
        .iter()
        .filter_map(|c| match &**c {
            Command::CreateTopic { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let mut title = format!("{} lines, {length_s} s", saved.commands.len());
    if !topics.is_empty() {
        title = format!("{}: {title}", topics.join(", "));
    }
    match saved.branches.len() {
        0 => title,
        n => format!("{title}, {n} more branch(es)"),
    }
}

/// One entry of the recent list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recent {
    pub title: String,
    /// The session's saved text.
    pub text: String,
}

/// The recent list's entries, newest first.
pub fn recent(list: &str) -> Vec<Recent> {
    let mut out: Vec<Recent> = Vec::new();
    for line in list.lines() {
        if let Some(title) = line.strip_prefix(ENTRY) {
            out.push(Recent { title: title.into(), text: String::new() });
        } else if let Some(e) = out.last_mut() {
            e.text += line;
            e.text.push('\n');
        }
    }
    out
}

/// The list as text.
pub fn recent_text(entries: &[Recent]) -> String {
    entries.iter().map(|e| format!("{ENTRY}{}\n{}", e.title, e.text)).collect()
}

/// The list with `entry` first: the same session further down is dropped, and the oldest past
/// [`RECENT_MAX`].
pub fn remember(list: &str, entry: Recent) -> String {
    let mut entries = recent(list);
    entries.retain(|e| e.text.trim() != entry.text.trim());
    entries.insert(0, entry);
    entries.truncate(RECENT_MAX);
    recent_text(&entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_sim::time::Duration;

    fn commands(text: &str) -> Vec<SharedCommand> {
        Scenario::parse(text).unwrap().commands.into_iter().map(|l| l.command).collect()
    }

    #[test]
    fn a_saved_tree_reads_back_as_it_was_and_its_main_line_is_a_plain_script() {
        let saved = Saved {
            seed: 7,
            commands: commands("seed 7\ncluster brokers=3\nadvance 5s\nbroker stop 1\nadvance 2s\n"),
            at_ms: Some(3_000),
            branches: vec![
                Branch { split_ms: 5_000, commands: commands("seed 7\ncluster brokers=3\nadvance 9s\n") },
                Branch { split_ms: 1_000, commands: commands("seed 7\ncluster brokers=2\n") },
            ],
        };
        let text = saved.to_text();
        assert_eq!(Saved::parse(&text), Ok(saved.clone()));
        let plain = Scenario::parse(&text).unwrap();
        assert_eq!(plain.commands.len(), 4, "a script reader sees the viewed line only");
        assert_eq!(*plain.commands[1].command, Command::Advance(Duration::from_ms(5_000)));
    }

    #[test]
    fn a_saved_tree_that_is_damaged_is_refused_with_the_line() {
        assert_eq!(Saved::parse("seed 1\n#@ at soon\n").unwrap_err(), "line 2: 'soon' is not a time in ms");
        assert!(Saved::parse("seed 1\n#@ cluster brokers=1\n").unwrap_err().contains("before any branch"));
        assert!(Saved::parse("seed 1\n#@ branch 5\n#@ cluster brokers=x\n").unwrap_err().starts_with("a branch:"));
        assert!(Saved::parse("seed 1\nbroker dance\n").is_err());
    }

    #[test]
    fn the_recent_list_keeps_the_newest_ten_once_each() {
        let entry = |n: usize| Recent { title: format!("session {n}"), text: format!("seed {n}\n") };
        let mut list = String::new();
        for n in 0..12 {
            list = remember(&list, entry(n));
        }
        let kept = recent(&list);
        assert_eq!(kept.len(), RECENT_MAX);
        assert_eq!(kept[0], entry(11), "newest first");
        assert_eq!(kept[9], entry(2), "the two oldest dropped");
        list = remember(&list, entry(5));
        let kept = recent(&list);
        assert_eq!(kept.len(), RECENT_MAX, "the same session is not kept twice");
        assert_eq!(kept[0], entry(5));
        assert_eq!(kept.iter().filter(|e| **e == entry(5)).count(), 1);
    }

    #[test]
    fn a_recent_entry_holds_a_whole_tree() {
        let tree = "seed 1\ncluster brokers=1\n#@ at 5\n#@ branch 0\n#@ seed 1\n";
        let list = remember("", Recent { title: "t".into(), text: tree.into() });
        assert_eq!(recent(&list)[0].text, tree);
    }
}
