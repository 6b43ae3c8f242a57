//! Splits a script line into words, shell-like: whitespace separates words,
//! `'single quotes'` are literal, `"double quotes"` take `\"`, `\\`, `\n` and
//! `\t`, a backslash outside quotes escapes the next character, and an
//! unquoted `#` that starts a word starts a comment.

use super::ScriptError;
use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    /// 1-based column of the word's first character.
    pub column: usize,
    /// Byte index in `text` of the first `=` that was not quoted or escaped.
    pub eq: Option<usize>,
    /// Whether any part after that `=` (or of the whole word, without one) was quoted,
    /// so that `key='null'` is the text "null" while `key=null` is no key.
    pub value_quoted: bool,
}

impl Word {
    /// `name=value` split at the unquoted `=`.
    pub fn pair(&self) -> Option<(&str, &str)> {
        self.eq.map(|i| (&self.text[..i], &self.text[i + 1..]))
    }

    /// Column of the value part of a pair, for error messages.
    pub fn value_column(&self) -> usize {
        self.column + self.eq.map_or(0, |i| self.text[..=i].chars().count())
    }
}

pub fn words(line: &str, line_no: usize) -> Result<Vec<Word>, ScriptError> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        if chars[i] == '#' {
            break;
        }
        let column = i + 1;
        let mut word = Word { text: String::new(), column, eq: None, value_quoted: false };
        while i < chars.len() && !chars[i].is_whitespace() {
            match chars[i] {
                '\'' => {
                    let close = find(&chars, i + 1, '\'').ok_or_else(|| unterminated(line_no, i, '\''))?;
                    word.text.extend(&chars[i + 1..close]);
                    word.value_quoted = true;
                    i = close + 1;
                }
                '"' => {
                    let mut j = i + 1;
                    loop {
                        match chars.get(j) {
                            None => return Err(unterminated(line_no, i, '"')),
                            Some('"') => break,
                            Some('\\') => {
                                let escaped = match chars.get(j + 1) {
                                    Some('n') => '\n',
                                    Some('t') => '\t',
                                    Some(&c) => c,
                                    None => return Err(unterminated(line_no, i, '"')),
                                };
                                word.text.push(escaped);
                                j += 2;
                            }
                            Some(&c) => {
                                word.text.push(c);
                                j += 1;
                            }
                        }
                    }
                    word.value_quoted = true;
                    i = j + 1;
                }
                '\\' => {
                    let Some(&c) = chars.get(i + 1) else {
                        return Err(ScriptError {
                            line: line_no,
                            column: i + 1,
                            message: "expected a character after '\\'".into(),
                        });
                    };
                    word.text.push(c);
                    i += 2;
                }
                '=' if word.eq.is_none() => {
                    word.eq = Some(word.text.len());
                    // Only quoting after the `=` counts for the value.
                    word.value_quoted = false;
                    word.text.push('=');
                    i += 1;
                }
                c => {
                    word.text.push(c);
                    i += 1;
                }
            }
        }
        out.push(word);
    }
    Ok(out)
}

fn find(chars: &[char], from: usize, c: char) -> Option<usize> {
    (from..chars.len()).find(|&j| chars[j] == c)
}

fn unterminated(line: usize, at: usize, quote: char) -> ScriptError {
    ScriptError { line, column: at + 1, message: alloc::format!("unterminated quote: expected a closing {quote}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        words(line, 1).unwrap().into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn splits_on_whitespace_and_stops_at_comments() {
        assert_eq!(texts("send p1  orders # a comment"), ["send", "p1", "orders"]);
        assert_eq!(texts("# only a comment"), Vec::<String>::new());
        assert_eq!(texts("value=a#b"), ["value=a#b"], "# inside a word is text");
    }

    #[test]
    fn quotes_group_and_keep_json_intact() {
        let w = &words(r#"value='{"order_id":"ORD001","amount":150.0}'"#, 1).unwrap()[0];
        assert_eq!(w.pair(), Some(("value", r#"{"order_id":"ORD001","amount":150.0}"#)));
        assert!(w.value_quoted);
        assert_eq!(texts(r#"a "b c" 'd e'"#), ["a", "b c", "d e"]);
        assert_eq!(texts(r#""say \"hi\"\n""#), ["say \"hi\"\n"]);
        assert_eq!(texts(r"a\ b"), ["a b"]);
    }

    #[test]
    fn equals_inside_quotes_does_not_split() {
        let w = &words("value='a=b'", 1).unwrap()[0];
        assert_eq!(w.pair(), Some(("value", "a=b")));
        let w = &words("'k=v'", 1).unwrap()[0];
        assert_eq!(w.pair(), None);
    }

    #[test]
    fn null_and_quoted_null_differ() {
        let bare = &words("key=null", 1).unwrap()[0];
        let quoted = &words("key='null'", 1).unwrap()[0];
        assert!(!bare.value_quoted);
        assert!(quoted.value_quoted);
    }

    #[test]
    fn unterminated_quote_names_its_column() {
        let e = words("send p1 t value='abc", 7).unwrap_err();
        assert_eq!((e.line, e.column), (7, 17));
        assert!(e.message.contains("unterminated quote"));
    }
}
