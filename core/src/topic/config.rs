//! Topic-level configs by their Kafka names, with Kafka 4.x defaults and
//! validators (`LogConfig`'s `ConfigDef`). A topic stores only its overrides;
//! everything else reads the default, as `kafka-configs --describe` shows it.

use crate::error::KafkaError;
use crate::sorted::SortedMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// What values a config accepts.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Long {
        min: i64,
    },
    Int {
        min: i64,
    },
    /// Whole-number bounds, as Kafka's `Range.between(0, 1)` gives them (and prints them).
    Double {
        min: i64,
        max: i64,
    },
    Boolean,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A comma-separated, non-empty list of these strings.
    ListOf(&'static [&'static str]),
}

/// One config's definition.
#[derive(Clone, Copy, Debug)]
pub struct Def {
    pub name: &'static str,
    pub default: &'static str,
    pub kind: Kind,
}

const LONG_MAX: &str = "9223372036854775807";

/// The topic configs the playground knows, sorted by name.
pub const DEFS: &[Def] = &[
    Def { name: "cleanup.policy", default: "delete", kind: Kind::ListOf(&["compact", "delete"]) },
    Def {
        name: "compression.type",
        default: "producer",
        kind: Kind::OneOf(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
    },
    Def { name: "delete.retention.ms", default: "86400000", kind: Kind::Long { min: 0 } },
    Def { name: "file.delete.delay.ms", default: "60000", kind: Kind::Long { min: 0 } },
    Def { name: "flush.messages", default: LONG_MAX, kind: Kind::Long { min: 1 } },
    Def { name: "flush.ms", default: LONG_MAX, kind: Kind::Long { min: 0 } },
    Def { name: "index.interval.bytes", default: "4096", kind: Kind::Int { min: 0 } },
    Def { name: "max.compaction.lag.ms", default: LONG_MAX, kind: Kind::Long { min: 1 } },
    Def { name: "max.message.bytes", default: "1048588", kind: Kind::Int { min: 0 } },
    Def { name: "message.timestamp.after.max.ms", default: "3600000", kind: Kind::Long { min: 0 } },
    Def { name: "message.timestamp.before.max.ms", default: LONG_MAX, kind: Kind::Long { min: 0 } },
    Def { name: "message.timestamp.type", default: "CreateTime", kind: Kind::OneOf(&["CreateTime", "LogAppendTime"]) },
    Def { name: "min.cleanable.dirty.ratio", default: "0.5", kind: Kind::Double { min: 0, max: 1 } },
    Def { name: "min.compaction.lag.ms", default: "0", kind: Kind::Long { min: 0 } },
    Def { name: "min.insync.replicas", default: "1", kind: Kind::Int { min: 1 } },
    Def { name: "preallocate", default: "false", kind: Kind::Boolean },
    Def { name: "retention.bytes", default: "-1", kind: Kind::Long { min: i64::MIN } },
    Def { name: "retention.ms", default: "604800000", kind: Kind::Long { min: -1 } },
    // Kafka 4.x raised the minimum segment size to 1 MiB.
    Def { name: "segment.bytes", default: "1073741824", kind: Kind::Int { min: 1_048_576 } },
    Def { name: "segment.index.bytes", default: "10485760", kind: Kind::Int { min: 4 } },
    Def { name: "segment.jitter.ms", default: "0", kind: Kind::Long { min: 0 } },
    Def { name: "segment.ms", default: "604800000", kind: Kind::Long { min: 1 } },
    Def { name: "unclean.leader.election.enable", default: "false", kind: Kind::Boolean },
];

/// Looks a config up by its exact Kafka name.
pub fn def(name: &str) -> Option<&'static Def> {
    DEFS.iter().find(|d| d.name == name)
}

/// The brokers' configs that are topics' defaults: a topic's unset config takes the broker's
/// (Kafka's `LogConfig` over the broker's `log.*` and `min.insync.replicas`).
const BROKER_DEFAULTS: &[(&str, &str)] = &[
    ("log.retention.hours", "retention.ms"),
    ("log.retention.ms", "retention.ms"),
    ("log.segment.bytes", "segment.bytes"),
    ("min.insync.replicas", "min.insync.replicas"),
    ("unclean.leader.election.enable", "unclean.leader.election.enable"),
];

/// A broker config that is topics' default, checked as its topic config is: its name, the topic
/// config it sets and the value that gets, or Kafka's refusal; `None` for a config that is none of
/// them. `log.retention.hours` is `retention.ms` in hours (a negative number: forever).
pub fn broker_default(name: &str, value: &str) -> Option<Result<(&'static str, &'static str, String), KafkaError>> {
    let &(broker, topic) = BROKER_DEFAULTS.iter().find(|(b, _)| *b == name)?;
    let refused =
        |why: &str| KafkaError::InvalidConfig(format!("Invalid value {value} for configuration {name}: {why}"));
    let value = if broker == "log.retention.hours" {
        match value.trim().parse::<i32>() {
            Ok(h) if h < 0 => String::from("-1"),
            Ok(h) => (i64::from(h) * 3_600_000).to_string(),
            Err(_) => return Some(Err(refused("Not a number of type INT"))),
        }
    } else {
        value.to_string()
    };
    let d = def(topic)?;
    Some(check(d, &value).map(|v| (broker, d.name, v)).map_err(|why| refused(&why)))
}

/// A topic's config overrides, validated, over the brokers' defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopicConfig {
    overrides: SortedMap<String, String>,
    /// The brokers' defaults the cluster was started with, by topic config name.
    broker: SortedMap<String, String>,
}

impl TopicConfig {
    /// Validates and stores overrides; the first bad entry is the error, naming it.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, KafkaError> {
        let mut config = TopicConfig::default();
        for (name, value) in pairs {
            config.set(name, value)?;
        }
        Ok(config)
    }

    /// Sets one override after checking it as Kafka's `ConfigDef` would.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), KafkaError> {
        let def = def(name).ok_or_else(|| KafkaError::InvalidConfig(format!("Unknown topic config name: {name}")))?;
        let normalized = check(def, value).map_err(|why| {
            KafkaError::InvalidConfig(format!("Invalid value {value} for configuration {name}: {why}"))
        })?;
        self.overrides.insert(def.name.to_string(), normalized);
        Ok(())
    }

    /// The config over the brokers' defaults (topic config names and checked values).
    pub fn with_broker_defaults(mut self, defaults: &[(&'static str, String)]) -> Self {
        for (name, value) in defaults {
            self.broker.insert((*name).into(), value.clone());
        }
        self
    }

    /// The overrides, sorted by name.
    pub fn overrides(&self) -> impl Iterator<Item = (&str, &str)> {
        self.overrides.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Every known config with its effective value (override or default), sorted by name.
    pub fn effective(&self) -> Vec<(&'static str, String)> {
        DEFS.iter()
            .map(|d| {
                let value =
                    self.overrides.get(d.name).or_else(|| self.broker.get(d.name)).map_or(d.default, String::as_str);
                (d.name, value.to_string())
            })
            .collect()
    }

    fn raw(&self, name: &'static str) -> &str {
        match self.overrides.get(name).or_else(|| self.broker.get(name)) {
            Some(v) => v,
            None => def(name).map_or("", |d| d.default),
        }
    }

    /// A validated long/int config. Values were checked on the way in, so a
    /// parse failure here is a bug in [`DEFS`], caught by a unit test.
    pub fn long(&self, name: &'static str) -> i64 {
        self.raw(name).parse().unwrap_or(0)
    }

    /// A validated string config, as stored.
    pub fn text(&self, name: &'static str) -> &str {
        self.raw(name)
    }

    /// A validated boolean config.
    pub fn flag(&self, name: &'static str) -> bool {
        self.raw(name) == "true"
    }

    pub fn min_insync_replicas(&self) -> u32 {
        self.long("min.insync.replicas").clamp(1, i64::from(u32::MAX)) as u32
    }

    pub fn retention_ms(&self) -> i64 {
        self.long("retention.ms")
    }
}

/// Returns the value as Kafka would store it, or why it is rejected (Kafka's wording).
fn check(def: &Def, value: &str) -> Result<String, String> {
    let trimmed = value.trim();
    match def.kind {
        Kind::Long { min } | Kind::Int { min } => {
            let is_int = matches!(def.kind, Kind::Int { .. });
            let n: i64 =
                trimmed.parse().map_err(|_| format!("Not a number of type {}", if is_int { "INT" } else { "LONG" }))?;
            if is_int && i32::try_from(n).is_err() {
                return Err("Not a number of type INT".into());
            }
            if n < min {
                return Err(format!("Value must be at least {min}"));
            }
            Ok(n.to_string())
        }
        Kind::Double { min, max } => {
            let x = parse_double(trimmed).ok_or_else(|| String::from("Not a number of type DOUBLE"))?;
            if !(min as f64..=max as f64).contains(&x) {
                return Err(format!("Value must be no less than {min} and no more than {max}"));
            }
            Ok(trimmed.to_string())
        }
        Kind::Boolean => match trimmed.to_ascii_lowercase().as_str() {
            "true" => Ok("true".into()),
            "false" => Ok("false".into()),
            _ => Err("Expected value to be either true or false".into()),
        },
        Kind::OneOf(allowed) => {
            if allowed.contains(&trimmed) {
                Ok(trimmed.to_string())
            } else {
                Err(format!("String must be one of: {}", allowed.join(", ")))
            }
        }
        Kind::ListOf(allowed) => {
            let items: Vec<&str> = trimmed.split(',').map(str::trim).collect();
            if items.iter().any(|i| i.is_empty()) {
                return Err("Empty list or empty list element".into());
            }
            if let Some(bad) = items.iter().find(|i| !allowed.contains(i)) {
                return Err(format!("Invalid value {bad}; must be one of {}", allowed.join(", ")));
            }
            Ok(items.join(","))
        }
    }
}

/// A DOUBLE config value as Java's `Double.valueOf` reads the usual forms: an optional sign,
/// digits with an optional point, an optional exponent, an optional `d`/`f` suffix, `NaN` and
/// `Infinity`. Written out rather than with `str::parse::<f64>`, whose exact algorithm brings a
/// 20 KB table into the page for the one DOUBLE config there is (min.cleanable.dirty.ratio).
/// Up to 19 significant digits count (more change the value by less than one part in 10^18);
/// the result is the nearest double when the digits and the exponent are small, as here.
pub fn parse_double(text: &str) -> Option<f64> {
    let text = text.trim();
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let signed = |x: f64| if negative { -x } else { x };
    match body {
        "NaN" => return Some(f64::NAN),
        "Infinity" => return Some(signed(f64::INFINITY)),
        _ => {}
    }
    let body = body.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(body);
    let (number, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut scale: i64 = 0;
    let mut significant = 0;
    for (i, c) in whole.bytes().chain(fraction.bytes()).enumerate() {
        let digit = u64::from(c.checked_sub(b'0').filter(|d| *d <= 9)?);
        let in_fraction = i >= whole.len();
        if significant < 19 {
            mantissa = mantissa * 10 + digit;
            significant += usize::from(mantissa > 0);
            scale -= i64::from(in_fraction);
        } else if !in_fraction {
            // Digits past the 19th of the whole part still count as powers of ten.
            scale += 1;
        }
    }
    if let Some(e) = exponent {
        let (minus, digits) = match e.as_bytes().first()? {
            b'-' => (true, &e[1..]),
            b'+' => (false, &e[1..]),
            _ => (false, e),
        };
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // Past a few hundred the value is 0 or infinite whatever the digits.
        let digits = digits.trim_start_matches('0');
        let e: i64 = if digits.len() > 6 { 1_000_000 } else { digits.parse().unwrap_or(0) };
        scale += if minus { -e } else { e };
    }
    if mantissa == 0 {
        return Some(signed(0.0));
    }
    let mut power = 1.0f64;
    for _ in 0..scale.unsigned_abs().min(400) {
        power *= 10.0;
    }
    let x = mantissa as f64;
    Some(signed(if scale >= 0 { x * power } else { x / power }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_read_as_java_reads_them_and_as_exactly_as_the_standard_parser() {
        for text in [
            "0.5",
            "0.01",
            ".75",
            "1.",
            "1",
            "0",
            "0.123456789",
            "1e-2",
            "12.5E-3",
            "+0.25",
            "0.3333333333333333",
            "5e-1",
            " 0.9 ",
        ] {
            assert_eq!(parse_double(text), Some(text.trim().parse::<f64>().unwrap()), "{text}");
        }
        assert_eq!(parse_double("0.5d"), Some(0.5), "Java's type suffix");
        assert_eq!(parse_double("-0"), Some(-0.0));
        assert_eq!(parse_double("0e400"), Some(0.0));
        assert_eq!(parse_double("1e0000001"), Some(10.0), "leading zeros of an exponent");
        assert_eq!(parse_double("1e999"), Some(f64::INFINITY));
        assert_eq!(parse_double("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_double("NaN").is_some_and(f64::is_nan));
        for bad in ["", ".", "-", "e5", "1e", "1e+", "0.5x", "1.2.3", "0x1p-1", "nan", "inf", "1e5e3"] {
            assert_eq!(parse_double(bad), None, "{bad}");
        }
        // Any text: an answer or None, never a panic; where both parsers read a number, the same one
        // (to a part in 10^15, as more than 15 digits may round differently).
        let mut rng = crate::rand::Rng::new(7);
        let alphabet = b"0123456789.eE+-dfNaI ";
        let mut compared = 0;
        for _ in 0..20_000 {
            let len = rng.below(14);
            let text: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())] as char).collect();
            if let (Some(ours), Ok(std)) = (parse_double(&text), text.trim().parse::<f64>()) {
                let close = ours == std || (ours - std).abs() <= std.abs() * 1e-15;
                assert!(close, "{text:?}: {ours} against {std}");
                compared += 1;
            }
        }
        assert!(compared > 500, "only {compared} random texts were numbers to both");
        let refused = TopicConfig::from_pairs([("min.cleanable.dirty.ratio", "1.5")]).unwrap_err().to_string();
        assert!(refused.contains("no more than 1"), "{refused}");
    }

    fn err(name: &str, value: &str) -> String {
        TopicConfig::from_pairs([(name, value)]).unwrap_err().to_string()
    }

    #[test]
    fn every_default_passes_its_own_validator() {
        for d in DEFS {
            assert!(check(d, d.default).is_ok(), "default of {} is invalid", d.name);
        }
        let names: Vec<_> = DEFS.iter().map(|d| d.name).collect();
        let mut sorted = names.clone();
        crate::sort::sort(&mut sorted);
        assert_eq!(names, sorted, "DEFS must stay sorted by name");
    }

    #[test]
    fn a_brokers_default_is_a_topics_unless_the_topic_sets_its_own() {
        let hours = broker_default("log.retention.hours", "2").unwrap().unwrap();
        assert_eq!(hours, ("log.retention.hours", "retention.ms", "7200000".to_string()));
        assert_eq!(broker_default("log.retention.hours", "-1").unwrap().unwrap().2, "-1", "negative: forever");
        assert!(broker_default("log.flush.interval.ms", "1").is_none(), "not a topic default");
        let defaults = [("min.insync.replicas", "2".to_string()), ("retention.ms", "60000".to_string())];
        let plain = TopicConfig::default().with_broker_defaults(&defaults);
        assert_eq!(plain.min_insync_replicas(), 2);
        assert_eq!(plain.retention_ms(), 60_000);
        assert_eq!(plain.overrides().count(), 0, "a broker default is not the topic's override");
        let own = TopicConfig::from_pairs([("min.insync.replicas", "1")]).unwrap().with_broker_defaults(&defaults);
        assert_eq!(own.min_insync_replicas(), 1);
        assert!(own.effective().contains(&("retention.ms", "60000".to_string())));
    }

    #[test]
    fn defaults_are_kafkas() {
        let c = TopicConfig::default();
        assert_eq!(c.retention_ms(), 604_800_000);
        assert_eq!(c.min_insync_replicas(), 1);
        assert_eq!(c.long("segment.bytes"), 1_073_741_824);
        assert_eq!(c.long("retention.bytes"), -1);
    }

    #[test]
    fn unknown_config_names_it() {
        assert_eq!(err("retention.msec", "1"), "INVALID_CONFIG: Unknown topic config name: retention.msec");
    }

    #[test]
    fn non_number_names_the_config_and_type() {
        assert_eq!(
            err("retention.ms", "week"),
            "INVALID_CONFIG: Invalid value week for configuration retention.ms: Not a number of type LONG"
        );
    }

    #[test]
    fn below_minimum_is_rejected() {
        assert!(err("retention.ms", "-2").ends_with("Value must be at least -1"));
        assert!(err("min.insync.replicas", "0").ends_with("Value must be at least 1"));
        assert!(err("segment.bytes", "1000").contains("segment.bytes"));
    }

    #[test]
    fn int_configs_reject_longs() {
        assert!(err("segment.bytes", "9999999999").ends_with("Not a number of type INT"));
    }

    #[test]
    fn enums_booleans_lists_and_ratios_are_checked() {
        assert!(err("cleanup.policy", "forever").contains("must be one of compact, delete"));
        assert!(err("cleanup.policy", "").contains("Empty list"));
        assert!(err("unclean.leader.election.enable", "yes").contains("true or false"));
        assert!(err("message.timestamp.type", "Now").contains("CreateTime, LogAppendTime"));
        assert!(err("min.cleanable.dirty.ratio", "1.5").contains("no more than 1"));
        let ok = TopicConfig::from_pairs([("cleanup.policy", "compact, delete")]).unwrap();
        assert_eq!(ok.overrides().collect::<Vec<_>>(), [("cleanup.policy", "compact,delete")]);
    }
}
