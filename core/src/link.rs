//! Share links: a session (seed + script) in a URL fragment. The format is a
//! version, a dot, then the script compressed with raw deflate and written in
//! base64url without padding: `v1.<base64url(deflate(script))>`. The fragment
//! never reaches a server.
//!
//! Decoding is bounded at every step (fragment length, decompressed size,
//! lines, simulated time) and never panics: a malformed, truncated,
//! oversized or future-version link is a [`LinkError`] that says what is wrong.
//!
//! ```
//! use kafka_sim::{link, scenario::Scenario};
//! let s = Scenario::parse("seed 3\ncluster brokers=3\nadvance 5s\n").unwrap();
//! let url_fragment = link::encode(&s);
//! assert!(url_fragment.starts_with("v1."));
//! assert_eq!(link::decode(&url_fragment).unwrap(), s);
//! ```

use crate::command::Command;
use crate::scenario::{Scenario, ScriptError};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// The version this build writes and reads.
pub const VERSION: u32 = 1;
/// Characters of a fragment the decoder looks at.
pub const LINK_CHARS_MAX: usize = 64 * 1024;
/// Bytes of script a link may unpack to.
pub const SCRIPT_BYTES_MAX: usize = 1024 * 1024;
/// Simulated time a linked session may span: a year.
pub const SPAN_MS_MAX: u64 = 366 * 86_400_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    Empty,
    TooLong {
        chars: usize,
    },
    NoVersion,
    FutureVersion(u32),
    /// Not base64url, or not a deflate stream: usually a link cut short when copied.
    Damaged(&'static str),
    TooLarge,
    NotText,
    Script(ScriptError),
    TooLongInTime {
        ms: u64,
    },
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Empty => f.write_str("the link holds no session"),
            LinkError::TooLong { chars } => {
                write!(f, "the link is {chars} characters long; a session link has at most {LINK_CHARS_MAX}")
            }
            LinkError::NoVersion => f.write_str("the link does not start with a version like v1."),
            LinkError::FutureVersion(v) => write!(
                f,
                "the link was made by a newer version of Kafka Playground (format v{v}; this one reads v{VERSION})"
            ),
            LinkError::Damaged(what) => {
                write!(f, "the link is damaged ({what}); it may have been cut short when copied")
            }
            LinkError::TooLarge => write!(f, "the link unpacks to more than {SCRIPT_BYTES_MAX} bytes of script"),
            LinkError::NotText => f.write_str("the link's script is not UTF-8 text"),
            LinkError::Script(e) => write!(f, "the link's script has an error at {e}"),
            LinkError::TooLongInTime { ms } => {
                write!(f, "the link's session spans {} days of simulated time; at most 366", ms / 86_400_000)
            }
        }
    }
}

/// The fragment for a session.
pub fn encode(scenario: &Scenario) -> String {
    encode_script(&scenario.to_string())
}

/// The fragment for a session's script as written: a build without share groups carries a
/// script it cannot parse to the build that can (`web/`'s share-groups build).
pub fn encode_script(text: &str) -> String {
    let packed = crate::batch::deflate::compress(text.as_bytes());
    let mut out = String::from("v1.");
    base64url_encode(&packed, &mut out);
    out
}

/// A session from a fragment (with or without the leading `#`).
pub fn decode(fragment: &str) -> Result<Scenario, LinkError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment).trim();
    if fragment.is_empty() {
        return Err(LinkError::Empty);
    }
    if fragment.len() > LINK_CHARS_MAX {
        return Err(LinkError::TooLong { chars: fragment.chars().count() });
    }
    let (version, body) = fragment.split_once('.').ok_or(LinkError::NoVersion)?;
    let version: u32 = version.strip_prefix('v').and_then(|v| v.parse().ok()).ok_or(LinkError::NoVersion)?;
    if version > VERSION {
        return Err(LinkError::FutureVersion(version));
    }
    if version == 0 {
        return Err(LinkError::NoVersion);
    }
    let packed = base64url_decode(body).ok_or(LinkError::Damaged("not base64url"))?;
    let bytes = crate::batch::inflate::inflate(&packed, SCRIPT_BYTES_MAX).map_err(|e| match e {
        crate::batch::inflate::InflateError::TooLarge => LinkError::TooLarge,
        crate::batch::inflate::InflateError::Corrupt => LinkError::Damaged("not a deflate stream"),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| LinkError::NotText)?;
    let scenario = Scenario::parse(&text).map_err(LinkError::Script)?;
    let span: u64 = scenario
        .commands
        .iter()
        .map(|l| match *l.command {
            Command::Advance(d) => d.ms,
            _ => 0,
        })
        .fold(0u64, u64::saturating_add);
    if span > SPAN_MS_MAX {
        return Err(LinkError::TooLongInTime { ms: span });
    }
    Ok(scenario)
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url_encode(bytes: &[u8], out: &mut String) {
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| ALPHABET.iter().position(|&a| a == c).map(|v| v as u32);
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// For tests and the page: the script text of a link, or the error.
pub fn script_text(fragment: &str) -> Result<String, LinkError> {
    decode(fragment).map(|s| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37).wrapping_add(200)).collect();
            let mut s = String::new();
            base64url_encode(&bytes, &mut s);
            assert!(!s.contains('='), "no padding");
            assert_eq!(base64url_decode(&s), Some(bytes));
        }
        assert_eq!(base64url_decode("a"), None);
        assert_eq!(base64url_decode("ab+/"), None, "standard base64 is not base64url");
    }

    fn script() -> Scenario {
        Scenario::parse("seed 9\ncluster brokers=3\ntopic create orders partitions=3\nadvance 1s\n").unwrap()
    }

    #[test]
    fn every_kind_of_bad_link_is_named() {
        let good = encode(&script());
        type Check = fn(&LinkError) -> bool;
        let cases: [(&str, Check); 6] = [
            ("", |e| *e == LinkError::Empty),
            ("hello", |e| *e == LinkError::NoVersion),
            ("v9.abc", |e| *e == LinkError::FutureVersion(9)),
            ("v1.!!!!", |e| matches!(e, LinkError::Damaged(_))),
            ("v1.AAAA", |e| matches!(e, LinkError::Damaged(_))),
            ("v0.AAAA", |e| *e == LinkError::NoVersion),
        ];
        for (link, ok) in cases {
            let e = decode(link).unwrap_err();
            assert!(ok(&e), "{link}: {e}");
        }
        let cut = &good[..good.len() / 2];
        assert!(matches!(decode(cut), Err(LinkError::Damaged(_))), "a link cut in half");
        assert!(matches!(decode(&"A".repeat(LINK_CHARS_MAX + 1)), Err(LinkError::TooLong { .. })));
        assert!(decode(&format!("#{good}")).is_ok(), "the # is optional");
    }

    #[test]
    fn a_script_error_names_its_line() {
        let mut bad = String::from("v1.");
        base64url_encode(
            &miniz_oxide::deflate::compress_to_vec(b"seed 1\ncluster brokers=1\nadvance soon\n", 9),
            &mut bad,
        );
        let e = decode(&bad).unwrap_err();
        assert!(e.to_string().starts_with("the link's script has an error at line 3, column 9"), "{e}");
    }

    #[test]
    fn a_bomb_is_refused() {
        let huge = "advance 1ms\n".repeat(SCRIPT_BYTES_MAX / 10);
        let mut link = String::from("v1.");
        base64url_encode(&miniz_oxide::deflate::compress_to_vec(huge.as_bytes(), 9), &mut link);
        assert!(link.len() < LINK_CHARS_MAX, "compresses well");
        assert_eq!(decode(&link), Err(LinkError::TooLarge));
        let long = "seed 1\n".to_string() + &"advance 100d\n".repeat(4);
        let mut link = String::from("v1.");
        base64url_encode(&miniz_oxide::deflate::compress_to_vec(long.as_bytes(), 9), &mut link);
        assert!(matches!(decode(&link), Err(LinkError::TooLongInTime { .. })));
    }
}
