//! Topic names, checked as Kafka's `org.apache.kafka.common.internals.Topic` does.

use crate::error::KafkaError;
use alloc::format;
use alloc::string::String;

/// Kafka's `Topic.MAX_NAME_LENGTH`.
pub const NAME_LENGTH_MAX: usize = 249;

/// Checks one name on its own: non-empty, not `.` or `..`, at most 249 characters,
/// only ASCII alphanumerics, `.`, `_` and `-`.
pub fn validate(name: &str) -> Result<(), KafkaError> {
    let invalid = |m: String| Err(KafkaError::InvalidTopic(m));
    if name.is_empty() {
        return invalid("Topic name is illegal, it can't be empty".into());
    }
    if name == "." || name == ".." {
        return invalid("Topic name cannot be \".\" or \"..\"".into());
    }
    if name.len() > NAME_LENGTH_MAX {
        return invalid(format!(
            "Topic name is illegal, it can't be longer than {NAME_LENGTH_MAX} characters, topic name: {name}"
        ));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')) {
        return invalid(format!(
            "Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
        ));
    }
    Ok(())
}

/// Kafka's `Topic.hasCollision`: metric names replace `.` with `_`, so two names
/// that differ only there would share metrics and are not allowed together.
pub fn collides(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| unify(x) == unify(y))
}

fn unify(b: u8) -> u8 {
    if b == b'.' {
        b'_'
    } else {
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn message(name: &str) -> String {
        validate(name).unwrap_err().to_string()
    }

    #[test]
    fn legal_names_pass() {
        for name in ["orders", "a.b_c-D9", "x", &"a".repeat(249)] {
            assert_eq!(validate(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn empty_name_is_invalid() {
        assert!(message("").contains("can't be empty"));
    }

    #[test]
    fn dot_and_dot_dot_are_invalid() {
        assert!(message(".").contains("cannot be \".\" or \"..\""));
        assert!(message("..").contains("cannot be \".\" or \"..\""));
        assert_eq!(validate("..."), Ok(()));
    }

    #[test]
    fn names_longer_than_249_are_invalid() {
        assert!(message(&"a".repeat(250)).contains("longer than 249"));
    }

    #[test]
    fn illegal_characters_are_invalid() {
        for name in ["or ders", "orders!", "ordérs", "a/b", "a:b"] {
            assert!(message(name).starts_with("INVALID_TOPIC_EXCEPTION"), "{name}");
            assert!(message(name).contains("character other than"), "{name}");
        }
    }

    #[test]
    fn dot_and_underscore_collide() {
        assert!(collides("a.b", "a_b"));
        assert!(collides("a_b", "a.b"));
        assert!(!collides("a.b", "a-b"));
        assert!(!collides("a.b", "a.bc"));
    }
}
