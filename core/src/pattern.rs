//! Topic patterns for `subscribe(Pattern)` (matched by the consumer) and for
//! `subscribe(SubscriptionPattern)` (RE2/J, matched by the group coordinator): a subset
//! common to Java's and RE2/J's regex syntax,
//! matched against a whole topic name as `Pattern.matcher(topic).matches()`
//! does. Supported: literals, `.`, `[abc]`, `[a-z]`, `[^...]`, `\d`, `\w`,
//! `\s`, escapes like `\.`, the quantifiers `*`, `+`, `?`, alternation `|`
//! and groups `(...)`. Anything else is refused when the pattern is parsed,
//! never silently read another way. Matching backtracks with a step budget,
//! so no pattern can hang the simulation.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;

/// Backtracking steps one match may take; past it the topic does not match.
const STEPS_MAX: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Class {
    Any,
    Char(char),
    /// Ranges, negated or not.
    Set(Vec<(char, char)>, bool),
}

impl Class {
    fn matches(&self, c: char) -> bool {
        match self {
            Class::Any => c != '\n',
            Class::Char(x) => *x == c,
            Class::Set(ranges, negated) => ranges.iter().any(|(a, b)| (*a..=*b).contains(&c)) != *negated,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Node {
    Class(Class),
    Group(Box<Alternatives>),
    /// min, max (None: unbounded), what repeats.
    Repeat(u32, Option<u32>, Box<Node>),
}

type Sequence = Vec<Node>;
type Alternatives = Vec<Sequence>;

/// A parsed topic pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicPattern {
    source: String,
    alternatives: Alternatives,
}

struct Parser<'a> {
    chars: Vec<char>,
    at: usize,
    source: &'a str,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("pattern '{}': {what} at character {}", self.source, self.at + 1)
    }

    fn alternatives(&mut self, depth: usize) -> Result<Alternatives, String> {
        if depth > 32 {
            return Err(self.error("groups nested too deep"));
        }
        let mut out = alloc::vec![self.sequence(depth)?];
        while self.chars.get(self.at) == Some(&'|') {
            self.at += 1;
            out.push(self.sequence(depth)?);
        }
        Ok(out)
    }

    fn sequence(&mut self, depth: usize) -> Result<Sequence, String> {
        let mut seq = Vec::new();
        while let Some(&c) = self.chars.get(self.at) {
            let node = match c {
                '|' | ')' => break,
                '(' => {
                    self.at += 1;
                    // Non-capturing groups read the same.
                    if self.chars.get(self.at..self.at + 2) == Some(&['?', ':']) {
                        self.at += 2;
                    }
                    let inner = self.alternatives(depth + 1)?;
                    if self.chars.get(self.at) != Some(&')') {
                        return Err(self.error("unclosed group"));
                    }
                    self.at += 1;
                    Node::Group(Box::new(inner))
                }
                '*' | '+' | '?' | '{' => return Err(self.error("a quantifier with nothing to repeat")),
                '^' | '$' if self.at == 0 || self.at + 1 == self.chars.len() => {
                    // Anchors at the ends change nothing: the whole name must match anyway.
                    self.at += 1;
                    continue;
                }
                _ => Node::Class(self.class()?),
            };
            let node = match self.chars.get(self.at) {
                Some('*') => Node::Repeat(0, None, Box::new(node)),
                Some('+') => Node::Repeat(1, None, Box::new(node)),
                Some('?') => Node::Repeat(0, Some(1), Box::new(node)),
                _ => {
                    seq.push(node);
                    continue;
                }
            };
            self.at += 1;
            if matches!(self.chars.get(self.at), Some('*' | '+' | '?')) {
                return Err(self.error("lazy and possessive quantifiers are not supported"));
            }
            seq.push(node);
        }
        Ok(seq)
    }

    fn class(&mut self) -> Result<Class, String> {
        let c = self.chars[self.at];
        self.at += 1;
        match c {
            '.' => Ok(Class::Any),
            '\\' => self.escape(),
            '[' => {
                let negated = self.chars.get(self.at) == Some(&'^');
                if negated {
                    self.at += 1;
                }
                let mut ranges = Vec::new();
                loop {
                    let Some(&c) = self.chars.get(self.at) else {
                        return Err(self.error("unclosed character class"));
                    };
                    self.at += 1;
                    let lo = match c {
                        ']' if !ranges.is_empty() => break,
                        '\\' => match self.escape()? {
                            Class::Char(c) => c,
                            Class::Set(more, false) => {
                                ranges.extend(more);
                                continue;
                            }
                            _ => return Err(self.error("this escape inside a character class")),
                        },
                        c => c,
                    };
                    if self.chars.get(self.at) == Some(&'-') && self.chars.get(self.at + 1).is_some_and(|c| *c != ']') {
                        let hi = self.chars[self.at + 1];
                        self.at += 2;
                        if hi < lo {
                            return Err(self.error("a range that runs backwards"));
                        }
                        ranges.push((lo, hi));
                    } else {
                        ranges.push((lo, lo));
                    }
                }
                Ok(Class::Set(ranges, negated))
            }
            c => Ok(Class::Char(c)),
        }
    }

    fn escape(&mut self) -> Result<Class, String> {
        let Some(&c) = self.chars.get(self.at) else {
            return Err(self.error("a trailing backslash"));
        };
        self.at += 1;
        Ok(match c {
            'd' => Class::Set(alloc::vec![('0', '9')], false),
            'w' => Class::Set(alloc::vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')], false),
            's' => Class::Set(alloc::vec![(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r')], false),
            c if c.is_ascii_alphanumeric() => return Err(self.error(&format!("the escape \\{c} is not supported"))),
            c => Class::Char(c),
        })
    }
}

impl TopicPattern {
    pub fn parse(source: &str) -> Result<Self, String> {
        let mut p = Parser { chars: source.chars().collect(), at: 0, source };
        let alternatives = p.alternatives(0)?;
        if p.at != p.chars.len() {
            return Err(p.error("an unmatched ')'"));
        }
        Ok(TopicPattern { source: source.into(), alternatives })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole topic name matches.
    pub fn matches(&self, topic: &str) -> bool {
        let m = Matcher { text: topic.chars().collect(), steps: Cell::new(0) };
        let node = Node::Group(Box::new(self.alternatives.clone()));
        m.node(&node, 0, &mut |end| end == m.text.len())
    }
}

/// One match: the text and the steps taken so far.
struct Matcher {
    text: Vec<char>,
    steps: Cell<usize>,
}

impl Matcher {
    /// Matches `node` at `at`, then asks `k` about where it ended; true as soon as `k` is.
    fn node(&self, node: &Node, at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        self.steps.set(self.steps.get() + 1);
        if self.steps.get() > STEPS_MAX {
            return false;
        }
        match node {
            Node::Class(c) => self.text.get(at).is_some_and(|&ch| c.matches(ch)) && k(at + 1),
            Node::Group(alts) => alts.iter().any(|seq| self.seq(seq, at, k)),
            Node::Repeat(min, max, inner) => self.repeat(inner, *min, *max, at, k),
        }
    }

    fn seq(&self, seq: &[Node], at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        match seq.split_first() {
            None => k(at),
            Some((first, rest)) => self.node(first, at, &mut |end| self.seq(rest, end, k)),
        }
    }

    /// Greedy repetition: as many as possible first, then fewer.
    fn repeat(&self, inner: &Node, min: u32, max: Option<u32>, at: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        if max == Some(0) {
            return k(at);
        }
        // An empty iteration cannot make progress: repeating stops there.
        let more = self.node(inner, at, &mut |end| {
            end != at && self.repeat(inner, min.saturating_sub(1), max.map(|m| m - 1), end, k)
        });
        more || (min == 0 && k(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        TopicPattern::parse(p).unwrap().matches(t)
    }

    #[test]
    fn whole_names_match_as_java_pattern_matches() {
        assert!(m("orders-.*", "orders-eu"));
        assert!(!m("orders-.*", "old-orders-eu"), "a match is of the whole name");
        assert!(m("orders|payments", "payments"));
        assert!(m("t[0-9]+", "t12") && !m("t[0-9]+", "t"));
        assert!(m("(eu|us)\\.orders", "eu.orders") && !m("(eu|us)\\.orders", "euxorders"));
        assert!(m("[^_].*", "orders") && !m("[^_].*", "__consumer_offsets"));
        assert!(m("^logs?$", "log") && m("^logs?$", "logs"));
        assert!(m("\\w+-\\d", "a_b-7"));
    }

    #[test]
    fn unsupported_syntax_is_refused_not_misread() {
        for bad in ["*x", "a{2}", "(ab", "ab)", "[ab", "a\\", "\\p{L}", "a*?", "[z-a]"] {
            assert!(TopicPattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_pathological_pattern_ends_within_its_step_budget() {
        // (a*)*b against many a's backtracks exponentially without a budget.
        assert!(!m("(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    }
}
