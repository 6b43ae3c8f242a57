//! Kafka's default partitioner for keyed records: `toPositive(murmur2(key)) % partitions`
//! (`org.apache.kafka.common.utils.Utils.murmur2` and `BuiltInPartitioner.partitionForKey`).

/// MurmurHash2, 32-bit, seed 0x9747b28c, exactly as Kafka's `Utils.murmur2`.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let length = data.len();
    let mut h: u32 = SEED ^ (length as u32);
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    // Kafka reads the tail with sign extension of `data[i] & 0xff`, i.e. as unsigned bytes.
    let tail = chunks.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (not `abs`, which overflows on `i32::MIN`).
pub fn to_positive(n: i32) -> u32 {
    (n & 0x7fff_ffff) as u32
}

/// The partition a non-null key goes to among `partitions` partitions.
pub fn partition_for_key(key: &[u8], partitions: u32) -> u32 {
    assert!(partitions > 0, "a topic always has at least one partition");
    to_positive(murmur2(key)) % partitions
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectors of Kafka's `UtilsTest.testMurmur2`.
    #[test]
    fn murmur2_matches_kafka_utils_test() {
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973_932_308),
            (b"foobar", -790_332_482),
            (b"a-little-bit-long-string", -985_981_536),
            (b"a-little-bit-longer-string", -1_486_304_829),
            (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
            (b"abc", 479_470_107),
        ];
        for (input, expected) in cases {
            assert_eq!(murmur2(input), expected, "murmur2({:?})", core::str::from_utf8(input));
        }
    }

    /// Cross-checked with kafka-python's `kafka.partitioner.default.murmur2`.
    #[test]
    fn partitions_match_kafka_python() {
        for (key, positive, of3) in [(&b"Alice"[..], 269_325_657, 0), (b"Bob", 2_146_679, 2), (b"", 275_646_681, 0)] {
            assert_eq!(to_positive(murmur2(key)), positive);
            assert_eq!(partition_for_key(key, 3), of3);
        }
    }

    #[test]
    fn to_positive_clears_only_the_sign_bit() {
        assert_eq!(to_positive(-1), 0x7fff_ffff);
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(5), 5);
    }

    #[test]
    fn empty_key_is_hashed_like_any_other_key() {
        assert_eq!(partition_for_key(b"", 3), to_positive(murmur2(b"")) % 3);
    }
}

/// A partitioner a person writes in the script, where Kafka would take a
/// class: `partitioner.class=table:US=0,EU=1,*=2` (exact keys) or
/// `partitioner.class=prefix:vip-=0,*=1` (the first matching key prefix).
/// `*` catches every other record, null keys included; without it they go to
/// the built-in partitioner, as a Java partitioner that delegates would send them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulePartitioner {
    pub kind: RuleKind,
    /// Key (or prefix) bytes and the partition, in the order written.
    pub rules: alloc::vec::Vec<(alloc::string::String, u32)>,
    pub otherwise: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    Table,
    Prefix,
}

/// Rule lists are short by nature; the limit keeps a link's replay cheap.
pub const PARTITIONER_RULES_MAX: usize = 64;

impl RulePartitioner {
    /// Parses `table:K=P,...` or `prefix:K=P,...`; `Ok(None)` when `text` is neither form.
    pub fn parse(text: &str) -> Result<Option<Self>, alloc::string::String> {
        use alloc::format;
        let (kind, list) = match text.split_once(':') {
            Some(("table", list)) => (RuleKind::Table, list),
            Some(("prefix", list)) => (RuleKind::Prefix, list),
            _ => return Ok(None),
        };
        let mut out = RulePartitioner { kind, rules: alloc::vec::Vec::new(), otherwise: None };
        for rule in list.split(',').filter(|r| !r.is_empty()) {
            let (key, partition) =
                rule.rsplit_once('=').ok_or_else(|| format!("rule '{rule}' is not KEY=PARTITION"))?;
            let partition: u32 = partition
                .trim()
                .parse()
                .map_err(|_| format!("rule '{rule}': '{partition}' is not a partition number"))?;
            if key == "*" {
                out.otherwise = Some(partition);
            } else if out.rules.iter().any(|(k, _)| k == key) {
                return Err(format!("rule '{rule}': '{key}' has a rule already"));
            } else {
                out.rules.push((key.into(), partition));
            }
        }
        if out.rules.is_empty() && out.otherwise.is_none() {
            return Err("no rules: write KEY=PARTITION pairs separated by commas, * for every other key".into());
        }
        if out.rules.len() > PARTITIONER_RULES_MAX {
            return Err(format!("at most {PARTITIONER_RULES_MAX} rules"));
        }
        Ok(Some(out))
    }

    /// The partition for a key, or `None` to leave the record to the built-in partitioner.
    pub fn partition(&self, key: Option<&[u8]>) -> Option<u32> {
        let matched = key.and_then(|key| {
            self.rules.iter().find(|(k, _)| match self.kind {
                RuleKind::Table => k.as_bytes() == key,
                RuleKind::Prefix => key.starts_with(k.as_bytes()),
            })
        });
        matched.map(|(_, p)| *p).or(self.otherwise)
    }
}

impl core::fmt::Display for RulePartitioner {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self.kind {
            RuleKind::Table => "table:",
            RuleKind::Prefix => "prefix:",
        })?;
        let mut first = true;
        for (k, p) in self.rules.iter().map(|(k, p)| (k.as_str(), p)).chain(self.otherwise.as_ref().map(|p| ("*", p))) {
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(f, "{k}={p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    #[test]
    fn tables_match_whole_keys_and_prefixes_match_starts() {
        let t = RulePartitioner::parse("table:US=0,EU=1,*=2").unwrap().unwrap();
        assert_eq!(t.partition(Some(b"US")), Some(0));
        assert_eq!(t.partition(Some(b"USA")), Some(2), "a table matches whole keys only");
        assert_eq!(t.partition(None), Some(2), "* takes null keys too");
        assert_eq!(t.to_string(), "table:US=0,EU=1,*=2");
        let p = RulePartitioner::parse("prefix:vip-=0,v=1").unwrap().unwrap();
        assert_eq!(p.partition(Some(b"vip-7")), Some(0), "the first matching prefix wins");
        assert_eq!(p.partition(Some(b"visitor")), Some(1));
        assert_eq!(p.partition(Some(b"anon")), None, "no rule and no *: the built-in partitioner");
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        assert_eq!(RulePartitioner::parse("RoundRobinPartitioner"), Ok(None));
        assert_eq!(RulePartitioner::parse("table:US"), Err("rule 'US' is not KEY=PARTITION".into()));
        assert_eq!(RulePartitioner::parse("table:US=x"), Err("rule 'US=x': 'x' is not a partition number".into()));
        assert_eq!(RulePartitioner::parse("table:US=0,US=1"), Err("rule 'US=1': 'US' has a rule already".into()));
        assert!(RulePartitioner::parse("prefix:").unwrap_err().starts_with("no rules"));
    }
}
