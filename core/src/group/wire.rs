//! Kafka's primitive types as coordinator records use them (big-endian
//! INT16/INT32/INT64, STRING with an INT16 length, BYTES with an INT32
//! length, arrays with an INT32 count), shared by commit and group records.

use crate::protocol::TopicPartition;
use crate::sorted::SortedMap;
use alloc::string::String;
use alloc::vec::Vec;

/// Writes Kafka's big-endian fields.
#[derive(Debug, Default)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    pub fn i16(&mut self, v: i16) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    pub fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    pub fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    pub fn string(&mut self, s: &str) {
        // Names here are far below 32 KiB; longer text is cut, never a panic.
        let len = s.len().min(i16::MAX as usize);
        self.i16(len as i16);
        self.0.extend_from_slice(&s.as_bytes()[..len]);
    }
    pub fn nullable(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.i16(-1),
        }
    }
    pub fn bytes(&mut self, b: &[u8]) {
        self.i32(b.len() as i32);
        self.0.extend_from_slice(b);
    }
    /// Partitions grouped by topic, as the consumer protocol writes them.
    pub fn partitions(&mut self, tps: &[TopicPartition]) {
        let mut by_topic: SortedMap<&str, Vec<u32>> = SortedMap::new();
        for tp in tps {
            by_topic.entry(&tp.topic).or_default().push(tp.partition);
        }
        self.i32(by_topic.len() as i32);
        for (topic, parts) in by_topic {
            self.string(topic);
            self.i32(parts.len() as i32);
            for p in parts {
                self.i32(p as i32);
            }
        }
    }
}

/// Reads Kafka's big-endian fields, failing soft on short or damaged input.
#[derive(Debug)]
pub struct Reader<'a>(pub &'a [u8]);

impl Reader<'_> {
    pub fn take(&mut self, n: usize) -> Option<&[u8]> {
        (self.0.len() >= n).then(|| {
            let (head, tail) = self.0.split_at(n);
            self.0 = tail;
            head
        })
    }
    pub fn i16(&mut self) -> Option<i16> {
        self.take(2).map(|b| i16::from_be_bytes([b[0], b[1]]))
    }
    pub fn i32(&mut self) -> Option<i32> {
        self.take(4).map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub fn i64(&mut self) -> Option<i64> {
        self.take(8).map(|b| i64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }
    pub fn nullable(&mut self) -> Option<Option<String>> {
        let len = self.i16()?;
        if len < 0 {
            return Some(None);
        }
        String::from_utf8(self.take(len as usize)?.to_vec()).ok().map(Some)
    }
    pub fn string(&mut self) -> Option<String> {
        self.nullable()?
    }
    pub fn bytes(&mut self) -> Option<&[u8]> {
        let len = usize::try_from(self.i32()?).ok()?;
        self.take(len)
    }
    /// An array's length, refused when it could not fit in what is left (no huge allocations).
    pub fn count(&mut self, min_item_bytes: usize) -> Option<usize> {
        let n = usize::try_from(self.i32()?).ok()?;
        (n.saturating_mul(min_item_bytes) <= self.0.len()).then_some(n)
    }
    pub fn partitions(&mut self) -> Option<Vec<TopicPartition>> {
        let mut out = Vec::new();
        for _ in 0..self.count(6)? {
            let topic = self.string()?;
            for _ in 0..self.count(4)? {
                out.push(TopicPartition::new(topic.clone(), u32::try_from(self.i32()?).ok()?));
            }
        }
        Some(out)
    }
}

/// What a consumer group's and a share group's snapshots both begin with: their version, the group
/// epoch, the target assignment's epoch, the subscribed topics with their partition counts, and the
/// target assignment by member.
#[derive(Debug)]
pub struct GroupHead {
    pub epoch: i32,
    pub assignment_epoch: i32,
    pub subscribed: SortedMap<String, u32>,
    pub target: SortedMap<String, Vec<TopicPartition>>,
}

impl Writer {
    pub fn group_head(
        &mut self,
        version: i16,
        (epoch, assignment_epoch): (i32, i32),
        subscribed: &SortedMap<String, u32>,
        target: &SortedMap<String, Vec<TopicPartition>>,
    ) {
        self.i16(version);
        self.i32(epoch);
        self.i32(assignment_epoch);
        self.i32(subscribed.len() as i32);
        for (topic, count) in subscribed {
            self.string(topic);
            self.i32(*count as i32);
        }
        self.i32(target.len() as i32);
        for (member, partitions) in target {
            self.string(member);
            self.partitions(partitions);
        }
    }
}

impl Reader<'_> {
    /// A snapshot's head, if it is of `version`.
    pub fn group_head(&mut self, version: i16) -> Option<GroupHead> {
        (self.i16()? == version).then_some(())?;
        let (epoch, assignment_epoch) = (self.i32()?, self.i32()?);
        let mut subscribed = SortedMap::new();
        for _ in 0..self.count(6)? {
            let topic = self.string()?;
            subscribed.insert(topic, u32::try_from(self.i32()?).ok()?);
        }
        let mut target = SortedMap::new();
        for _ in 0..self.count(6)? {
            let member = self.string()?;
            target.insert(member, self.partitions()?);
        }
        Some(GroupHead { epoch, assignment_epoch, subscribed, target })
    }
}

/// A record key of the simulation's own types that name a group (a consumer or share group's
/// snapshot): the key type, then the group id.
pub fn encode_group_key(key_type: i16, group: &str) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.i16(key_type);
    w.string(group);
    w.0
}

/// The group of a key of `key_type`; `None` for other record types.
pub fn decode_group_key(key_type: i16, key: &[u8]) -> Option<String> {
    let mut r = Reader(key);
    (r.i16()? == key_type).then_some(())?;
    r.string()
}
