//! Records as Kafka stores them: an optional key, an optional value, headers,
//! a timestamp, and (once in a log) an offset. A null key and an empty key are
//! different things, as in Kafka: only a non-null key is hashed.

use alloc::borrow::Cow;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};

/// A read record's key or value: shared, not copied, when the record is (a consumer keeps what
/// its polls returned beside the poll's event, and a view of it is taken every frame). The
/// records decoded from one batch share one buffer: the stored batch itself when it is not
/// compressed (a fetch hands out the log's bytes, and the records are read where they lie), or
/// the batch's records section once decompressed, allocated once for the batch rather than
/// once for each key and value. Compares, orders, hashes and prints as the bytes it holds.
#[derive(Clone)]
pub struct Bytes {
    buf: Buffer,
    start: usize,
    end: usize,
}

/// What a [`Bytes`] is a slice of.
#[derive(Clone, Debug)]
pub enum Buffer {
    /// Bytes of its own (a decompressed records section, or a copy).
    Own(Rc<[u8]>),
    /// A whole stored batch, its records read in place.
    Batch(Rc<crate::batch::BatchBytes>),
}

impl Buffer {
    fn bytes(&self) -> &[u8] {
        match self {
            Buffer::Own(b) => b,
            Buffer::Batch(b) => b,
        }
    }
}

impl Bytes {
    /// The bytes of `buf` at `start..end`, sharing `buf`; `None` when that is not inside it.
    pub fn within(buf: &Buffer, start: usize, end: usize) -> Option<Bytes> {
        buf.bytes().get(start..end)?;
        Some(Bytes { buf: buf.clone(), start, end })
    }
}

impl core::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // In bounds: `within` checked the range, and the other constructors take all of `buf`.
        &self.buf.bytes()[self.start..self.end]
    }
}

impl Default for Bytes {
    fn default() -> Self {
        Bytes::from(&[][..])
    }
}

impl From<&[u8]> for Bytes {
    fn from(bytes: &[u8]) -> Self {
        Bytes { buf: Buffer::Own(Rc::from(bytes)), start: 0, end: bytes.len() }
    }
}

impl PartialEq for Bytes {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Bytes {}

impl PartialOrd for Bytes {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Bytes {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl core::hash::Hash for Bytes {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A record header: a string key and an optional byte value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Header {
    pub key: String,
    pub value: Option<Vec<u8>>,
}

/// What a producer sends: everything but the offset. Its key and value may borrow (a `send`
/// command's text goes into its batch without a copy of its own); a record the producer keeps
/// past the `send` (waiting for metadata or memory) owns them ([`ProducerRecord::into_owned`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerRecord<'a> {
    pub topic: crate::protocol::TopicName,
    /// An explicit partition wins over the partitioner.
    pub partition: Option<u32>,
    pub key: Option<Cow<'a, [u8]>>,
    pub value: Option<Cow<'a, [u8]>>,
    pub headers: Vec<Header>,
}

impl ProducerRecord<'_> {
    /// The record with its key and value its own.
    pub fn into_owned(self) -> ProducerRecord<'static> {
        let own = |b: Option<Cow<'_, [u8]>>| b.map(|b| Cow::Owned(b.into_owned()));
        ProducerRecord {
            topic: self.topic,
            partition: self.partition,
            key: own(self.key),
            value: own(self.value),
            headers: self.headers,
        }
    }
}

/// A record in a partition's log.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Record {
    pub offset: u64,
    /// The leader epoch the record was written in (the batch's partition leader epoch).
    pub leader_epoch: u32,
    /// CreateTime: the producer's clock when `send` was called.
    pub timestamp_ms: u64,
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::record::ser_bytes"))]
    pub key: Option<Bytes>,
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::record::ser_bytes"))]
    pub value: Option<Bytes>,
    pub headers: Vec<Header>,
    /// The producer id of its batch (-1 without idempotence).
    pub producer_id: i64,
    /// Written inside a transaction.
    pub transactional: bool,
    /// A transaction marker, not data: readers never see it.
    pub control: Option<crate::txn::marker::ControlType>,
}

impl Record {
    /// Bytes of key, value and headers: the payload a fetch size limit counts.
    pub fn payload_bytes(&self) -> usize {
        let opt = |b: Option<&[u8]>| b.map_or(0, <[u8]>::len);
        opt(self.key.as_deref())
            + opt(self.value.as_deref())
            + self.headers.iter().map(|h| h.key.len() + opt(h.value.as_deref())).sum::<usize>()
    }
}

/// Shows bytes as text when they are UTF-8, `null` when absent; used in traces.
#[derive(Debug)]
pub struct Show<'a>(pub Option<&'a [u8]>);

impl fmt::Display for Show<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("null"),
            Some(bytes) => match core::str::from_utf8(bytes) {
                // Quoted and escaped as Rust's Debug for str does, except that other non-ASCII
                // characters are written as they are: Debug's Unicode tables (printable,
                // grapheme-extend) would cost the page about 2 KB for characters no trace has.
                Ok(text) => {
                    f.write_char('"')?;
                    for c in text.chars() {
                        match c {
                            '"' => f.write_str("\\\"")?,
                            '\\' => f.write_str("\\\\")?,
                            '\n' => f.write_str("\\n")?,
                            '\r' => f.write_str("\\r")?,
                            '\t' => f.write_str("\\t")?,
                            '\0' => f.write_str("\\0")?,
                            c if c.is_control() => write!(f, "\\u{{{:x}}}", c as u32)?,
                            c => f.write_char(c)?,
                        }
                    }
                    f.write_char('"')
                }
                Err(_) => {
                    f.write_str("0x")?;
                    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
                }
            },
        }
    }
}

#[cfg(feature = "serde")]
pub(crate) fn ser_bytes<S: serde::Serializer, B: core::ops::Deref<Target = [u8]>>(
    bytes: &Option<B>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match bytes {
        None => s.serialize_none(),
        Some(b) => match core::str::from_utf8(b) {
            Ok(text) => s.serialize_str(text),
            Err(_) => s.collect_seq(b.iter()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Show quotes text as Rust's Debug for str does, for the characters traces hold.
    #[test]
    fn show_escapes_as_debug_does() {
        for text in ["plain", "a \"quoted\" word", "back\\slash", "line\nbreak\ttab\r\0", "bell\u{7}", "café ✓"] {
            assert_eq!(alloc::format!("{}", Show(Some(text.as_bytes()))), alloc::format!("{text:?}"));
        }
        assert_eq!(alloc::format!("{}", Show(None)), "null");
        assert_eq!(alloc::format!("{}", Show(Some(&[0xff, 0x01]))), "0xff01");
    }
}
