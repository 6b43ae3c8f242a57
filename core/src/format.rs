//! The formats a person writes a record's key or value in: plain text
//! (Kafka's StringSerializer), JSON (checked before it is sent, so a typo is
//! an error here rather than a poison record later), or bytes written as hex
//! (ByteArraySerializer). Every format ends as the bytes Kafka would store.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    String,
    Json,
    Hex,
}

impl Format {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "string" => Some(Format::String),
            "json" => Some(Format::Json),
            "hex" => Some(Format::Hex),
            _ => None,
        }
    }

    /// The bytes of `text` in this format, or why it is not valid.
    /// The bytes `text` stands for: the text's own bytes (borrowed) for string and JSON.
    pub fn encode(self, text: &str) -> Result<Cow<'_, [u8]>, String> {
        match self {
            Format::String => Ok(Cow::Borrowed(text.as_bytes())),
            Format::Json => {
                check_json(text)?;
                Ok(Cow::Borrowed(text.as_bytes()))
            }
            Format::Hex => {
                let digits: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
                if digits.len() % 2 != 0 {
                    return Err(format!("hex needs two digits a byte; '{text}' has {} digits", digits.len()));
                }
                digits
                    .chunks(2)
                    .map(|pair| {
                        let s: String = pair.iter().collect();
                        u8::from_str_radix(&s, 16).map_err(|_| format!("'{s}' is not a hex byte"))
                    })
                    .collect::<Result<Vec<u8>, String>>()
                    .map(Cow::Owned)
            }
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::String => "string",
            Format::Json => "json",
            Format::Hex => "hex",
        })
    }
}

/// A JSON object or array laid out two spaces an level for reading, or `None`
/// for anything else (invalid JSON, or a bare string or number).
pub fn pretty_json(text: &str) -> Option<String> {
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) || check_json(text).is_err() {
        return None;
    }
    let mut out = String::new();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(core::iter::repeat_n(' ', depth * 2));
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // An empty object or array stays on one line.
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                if chars.peek().is_some_and(|n| *n == '}' || *n == ']') {
                    continue;
                }
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' => {
                if !out.ends_with('{') && !out.ends_with('[') {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// Nesting a JSON document may have: deeper is refused rather than recursed into.
const JSON_DEPTH_MAX: usize = 64;

/// Checks that `text` is one JSON value (RFC 8259), naming where it is not.
pub fn check_json(text: &str) -> Result<(), String> {
    let mut p = Json { b: text.as_bytes(), at: 0 };
    p.ws();
    p.value(0)?;
    p.ws();
    if p.at != p.b.len() {
        return Err(p.error("more after the JSON value"));
    }
    Ok(())
}

struct Json<'a> {
    b: &'a [u8],
    at: usize,
}

impl Json<'_> {
    fn error(&self, what: &str) -> String {
        format!("invalid JSON at character {}: {what}", self.at + 1)
    }
    fn ws(&mut self) {
        while self.b.get(self.at).is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.b.get(self.at) == Some(&c);
        if hit {
            self.at += 1;
        }
        hit
    }
    fn value(&mut self, depth: usize) -> Result<(), String> {
        if depth > JSON_DEPTH_MAX {
            return Err(self.error("nested too deep"));
        }
        match self.b.get(self.at) {
            Some(b'{') => {
                self.at += 1;
                self.ws();
                if self.eat(b'}') {
                    return Ok(());
                }
                loop {
                    self.ws();
                    self.string()?;
                    self.ws();
                    if !self.eat(b':') {
                        return Err(self.error("expected ':'"));
                    }
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    if self.eat(b'}') {
                        return Ok(());
                    }
                    if !self.eat(b',') {
                        return Err(self.error("expected ',' or '}'"));
                    }
                }
            }
            Some(b'[') => {
                self.at += 1;
                self.ws();
                if self.eat(b']') {
                    return Ok(());
                }
                loop {
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    if self.eat(b']') {
                        return Ok(());
                    }
                    if !self.eat(b',') {
                        return Err(self.error("expected ',' or ']'"));
                    }
                }
            }
            Some(b'"') => self.string(),
            Some(b't') => self.word(b"true"),
            Some(b'f') => self.word(b"false"),
            Some(b'n') => self.word(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("the value ends too soon")),
        }
    }
    fn word(&mut self, w: &[u8]) -> Result<(), String> {
        if self.b[self.at..].starts_with(w) {
            self.at += w.len();
            Ok(())
        } else {
            Err(self.error("expected true, false or null"))
        }
    }
    fn string(&mut self) -> Result<(), String> {
        if !self.eat(b'"') {
            return Err(self.error("expected a string"));
        }
        loop {
            match self.b.get(self.at) {
                None => return Err(self.error("an unterminated string")),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.b.get(self.at) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.at += 1,
                        Some(b'u')
                            if self
                                .b
                                .get(self.at + 1..self.at + 5)
                                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
                        {
                            self.at += 5
                        }
                        _ => return Err(self.error("a bad escape")),
                    }
                }
                Some(c) if *c < 0x20 => return Err(self.error("a control character in a string")),
                Some(_) => self.at += 1,
            }
        }
    }
    fn number(&mut self) -> Result<(), String> {
        self.eat(b'-');
        let digits = |p: &mut Self| {
            let start = p.at;
            while p.b.get(p.at).is_some_and(u8::is_ascii_digit) {
                p.at += 1;
            }
            p.at > start
        };
        if self.eat(b'0') {
            // No leading zeros.
        } else if !digits(self) {
            return Err(self.error("expected digits"));
        }
        if self.eat(b'.') && !digits(self) {
            return Err(self.error("expected digits after '.'"));
        }
        if self.b.get(self.at).is_some_and(|c| *c == b'e' || *c == b'E') {
            self.at += 1;
            let _ = self.eat(b'+') || self.eat(b'-');
            if !digits(self) {
                return Err(self.error("expected exponent digits"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_checked_and_errors_say_where() {
        assert!(check_json(r#"{"order_id":"ORD001","amount":150.0,"items":[1,2,{"x":null}],"ok":true}"#).is_ok());
        assert!(check_json(" -0.5e+3 ").is_ok());
        assert_eq!(check_json(r#"{"a":1,}"#).unwrap_err(), "invalid JSON at character 8: expected a string");
        assert!(check_json(r#"{"a" 1}"#).unwrap_err().contains("expected ':'"));
        assert!(check_json("[1, 2").unwrap_err().contains("expected ',' or ']'"));
        assert!(check_json("01").unwrap_err().contains("more after the JSON value"));
        assert!(check_json(&"[".repeat(100)).unwrap_err().contains("nested too deep"));
        assert!(check_json("").unwrap_err().contains("ends too soon"));
    }

    #[test]
    fn json_pretty_prints_for_reading() {
        assert_eq!(
            pretty_json(r#"{"a":[1,{}],"b":"x, y: {z}"}"#).unwrap(),
            "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": \"x, y: {z}\"\n}"
        );
        assert_eq!(pretty_json("42"), None);
        assert_eq!(pretty_json("{oops"), None);
    }

    #[test]
    fn hex_becomes_bytes() {
        assert_eq!(*Format::Hex.encode("de ad BE EF").unwrap(), [0xde, 0xad, 0xbe, 0xef]);
        assert!(Format::Hex.encode("abc").unwrap_err().contains("two digits a byte"));
        assert!(Format::Hex.encode("zz").unwrap_err().contains("'zz' is not a hex byte"));
        assert_eq!(*Format::String.encode("é").unwrap(), *"é".as_bytes());
    }
}
