//! Kafka's v2 record batch (magic 2), byte for byte: the 61-byte header, the
//! CRC-32C over attributes-to-end, zigzag-varint records with headers, and
//! the records section compressed as a whole by the batch's codec.
//!
//! ```text
//! baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8
//! crc uint32 | attributes int16 | lastOffsetDelta int32 | baseTimestamp int64
//! maxTimestamp int64 | producerId int64 | producerEpoch int16 | baseSequence int32
//! recordsCount int32 | records...
//! ```
//! `baseOffset` and `partitionLeaderEpoch` sit outside the CRC, so a leader
//! stamps them without recomputing it, as Kafka does.

mod bytes;
pub mod codec;
pub mod crc;
pub(crate) mod deflate;
pub(crate) mod inflate;
#[cfg(feature = "std")]
mod lz4;
#[cfg(feature = "std")]
mod lz4_block;
#[cfg(feature = "std")]
mod snappy;
#[cfg(feature = "std")]
mod unzstd;
pub mod varint;
#[cfg(feature = "std")]
mod zstd;

use crate::protocol::RecordData;
use crate::record::{Buffer, Bytes, Header};
use alloc::borrow::Cow;
use alloc::rc::Rc;
use alloc::vec::Vec;
pub use bytes::BatchBytes;
pub use codec::Compression;
use core::cell::Cell;
use core::fmt;
use varint::{get_varint, get_varlong, put_varint, put_varlong};

/// Bytes before the records: Kafka's `RECORD_BATCH_OVERHEAD`.
pub const HEADER_BYTES: usize = 61;
/// Offset of the CRC field, and of the attributes where the CRC starts.
const CRC_AT: usize = 17;
const ATTRIBUTES_AT: usize = 21;
/// Records in one batch a decoder accepts: a bound on hostile counts.
pub const RECORDS_PER_BATCH_MAX: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchError {
    Truncated,
    BadVarint,
    BadLength,
    UnsupportedMagic(u8),
    /// Kafka's CORRUPT_MESSAGE.
    CorruptCrc {
        stored: u32,
        computed: u32,
    },
    Codec(Compression),
    CodecUnavailable(Compression),
    UnknownCompression(u16),
    TooLarge,
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::Truncated => f.write_str("the batch is truncated"),
            BatchError::BadVarint => f.write_str("a varint is malformed"),
            BatchError::BadLength => f.write_str("a length field does not match the bytes"),
            BatchError::UnsupportedMagic(m) => write!(f, "magic {m} is not the v2 record batch format"),
            BatchError::CorruptCrc { stored, computed } => {
                write!(f, "CORRUPT_MESSAGE: stored CRC {stored:#010x}, computed {computed:#010x}")
            }
            BatchError::Codec(c) => write!(f, "the {c} data is damaged"),
            BatchError::CodecUnavailable(c) => write!(f, "{c} needs the std feature"),
            BatchError::UnknownCompression(id) => write!(f, "unknown compression id {id}"),
            BatchError::TooLarge => f.write_str("the batch decompresses past the size limit"),
        }
    }
}

/// How a batch's timestamps were set (attribute bit 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampType {
    CreateTime,
    LogAppendTime,
}

/// One record inside a batch, as deltas from the batch's base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchRecord {
    pub offset_delta: i32,
    pub timestamp_delta: i64,
    /// Shared with the records read from this batch (`Bytes`), allocated once here.
    pub key: Option<Bytes>,
    pub value: Option<Bytes>,
    pub headers: Vec<Header>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordBatch {
    pub base_offset: i64,
    pub partition_leader_epoch: i32,
    pub compression: Compression,
    pub timestamp_type: TimestampType,
    pub is_transactional: bool,
    pub is_control: bool,
    pub last_offset_delta: i32,
    pub base_timestamp: i64,
    pub max_timestamp: i64,
    /// -1 without idempotence.
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub records: Vec<BatchRecord>,
}

impl RecordBatch {
    /// A producer's batch of records, before the leader gives it offsets.
    pub fn from_records(records: &[RecordData], compression: Compression) -> RecordBatch {
        let mut batch = RecordBatch::header_for(records, compression);
        let base_timestamp = batch.base_timestamp;
        batch.records = records
            .iter()
            .enumerate()
            .map(|(i, r)| BatchRecord {
                offset_delta: i as i32,
                timestamp_delta: r.timestamp_ms as i64 - base_timestamp,
                key: r.key.as_deref().map(Bytes::from),
                value: r.value.as_deref().map(Bytes::from),
                headers: r.headers.clone(),
            })
            .collect();
        batch
    }

    /// The header of a batch of `records`, with none in it (their timestamps and count set):
    /// [`RecordBatch::encode_section`] then writes it with the records already encoded.
    pub fn header_for(records: &[RecordData], compression: Compression) -> RecordBatch {
        let base_timestamp = records.first().map_or(0, |r| r.timestamp_ms);
        let max_timestamp = records.iter().map(|r| r.timestamp_ms).max().unwrap_or(base_timestamp);
        RecordBatch::producer_header(base_timestamp, max_timestamp, records.len(), compression)
    }

    /// A producer's batch header for `count` records whose CreateTimes run from
    /// `base_timestamp_ms` (the first record's) up to at most `max_timestamp_ms`.
    pub fn producer_header(
        base_timestamp_ms: u64,
        max_timestamp_ms: u64,
        count: usize,
        compression: Compression,
    ) -> RecordBatch {
        RecordBatch {
            base_offset: 0,
            partition_leader_epoch: -1,
            compression,
            timestamp_type: TimestampType::CreateTime,
            is_transactional: false,
            is_control: false,
            last_offset_delta: count.saturating_sub(1) as i32,
            base_timestamp: base_timestamp_ms as i64,
            max_timestamp: max_timestamp_ms as i64,
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: -1,
            records: Vec::new(),
        }
    }

    fn attributes(&self) -> u16 {
        let mut a = self.compression as u16;
        if self.timestamp_type == TimestampType::LogAppendTime {
            a |= 1 << 3;
        }
        if self.is_transactional {
            a |= 1 << 4;
        }
        if self.is_control {
            a |= 1 << 5;
        }
        a
    }

    /// The batch's bytes, sealed (their CRC known right: it was just computed over them).
    pub fn encode(&self) -> Result<BatchBytes, BatchError> {
        let raw = encode_fields(self.records.iter().map(|r| {
            (r.offset_delta, r.timestamp_delta, RecordFields::new(r.key.as_deref(), r.value.as_deref(), &r.headers))
        }));
        self.encode_section(self.records.len(), &raw)
    }

    /// The header, then `count` records already encoded one after another (`raw`, uncompressed,
    /// as [`append_record`] writes them) compressed, then the CRC written in.
    /// The bytes come back sealed: their CRC is known right without being computed again.
    pub fn encode_section(&self, count: usize, raw: &[u8]) -> Result<BatchBytes, BatchError> {
        // Uncompressed records go into the batch as they are, not through a copy first.
        let records = match self.compression {
            Compression::None => Cow::Borrowed(raw),
            codec => Cow::Owned(codec.compress(raw)?),
        };
        let mut out = Vec::with_capacity(HEADER_BYTES + records.len());
        out.extend(self.base_offset.to_be_bytes());
        out.extend(((HEADER_BYTES - 12 + records.len()) as i32).to_be_bytes());
        out.extend(self.partition_leader_epoch.to_be_bytes());
        out.push(2);
        out.extend([0; 4]);
        out.extend(self.attributes().to_be_bytes());
        out.extend(self.last_offset_delta.to_be_bytes());
        out.extend(self.base_timestamp.to_be_bytes());
        out.extend(self.max_timestamp.to_be_bytes());
        out.extend(self.producer_id.to_be_bytes());
        out.extend(self.producer_epoch.to_be_bytes());
        out.extend(self.base_sequence.to_be_bytes());
        out.extend((count as i32).to_be_bytes());
        out.extend_from_slice(&records);
        let crc = crc::crc32c(&out[ATTRIBUTES_AT..]);
        out[CRC_AT..ATTRIBUTES_AT].copy_from_slice(&crc.to_be_bytes());
        Ok(BatchBytes::sealed(out))
    }

    /// Decodes one batch from the front of `bytes`; returns it and the bytes it took.
    pub fn decode(bytes: &[u8]) -> Result<(RecordBatch, usize), BatchError> {
        RecordBatch::decode_records(bytes, RecordBatch::decode_header(bytes)?, None)
    }

    /// Decodes the records of a batch whose header has been read and checked. Keys and values
    /// share one buffer: `stored` (the batch these bytes are) when given and the records are not
    /// compressed, else a copy of the records section.
    fn decode_records(
        bytes: &[u8],
        header: CheckedHeader,
        stored: Option<&Rc<BatchBytes>>,
    ) -> Result<(RecordBatch, usize), BatchError> {
        let CheckedHeader { mut batch, count, total_bytes } = header;
        let raw = records_section(batch.compression, &bytes[HEADER_BYTES..total_bytes])?;
        let shared = match (&raw, stored) {
            (Cow::Borrowed(_), Some(stored)) => Buffer::Batch(Rc::clone(stored)),
            _ => Buffer::Own(Rc::from(&*raw)),
        };
        // Where the records lie in the shared buffer: the records section is a copy's start,
        // or the stored batch's bytes after the header.
        let (records, mut at) = match &shared {
            Buffer::Own(own) => (&own[..], 0),
            Buffer::Batch(_) => (&bytes[..total_bytes], HEADER_BYTES),
        };
        batch.records.reserve_exact(count);
        for _ in 0..count {
            batch.records.push(decode_record(records, &shared, &mut at)?);
        }
        if at != records.len() {
            return Err(BatchError::BadLength);
        }
        Ok((batch, total_bytes))
    }

    /// Reads and checks (magic, length, CRC-32C over the whole batch) the header of the batch
    /// at the front of `bytes`, leaving its records encoded: what a follower's append needs, as
    /// Kafka's `appendAsFollower` validates batches by their CRC and reads offsets and times
    /// from the header.
    pub fn decode_header(bytes: &[u8]) -> Result<CheckedHeader, BatchError> {
        RecordBatch::read_header(bytes, &Cell::new(false))
    }

    /// As [`RecordBatch::decode_header`], computing the CRC only if `crc_right` does not say it
    /// has been found right over these bytes already, and saying so when it is.
    fn read_header(bytes: &[u8], crc_right: &Cell<bool>) -> Result<CheckedHeader, BatchError> {
        let header = bytes.get(..HEADER_BYTES).ok_or(BatchError::Truncated)?;
        let be = |at: usize, n: usize| header[at..at + n].iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
        let magic = header[16];
        if magic != 2 {
            return Err(BatchError::UnsupportedMagic(magic));
        }
        let length = be(8, 4) as i32;
        let total =
            usize::try_from(length).map_err(|_| BatchError::BadLength)?.checked_add(12).ok_or(BatchError::BadLength)?;
        if total < HEADER_BYTES {
            return Err(BatchError::BadLength);
        }
        let all = bytes.get(..total).ok_or(BatchError::Truncated)?;
        if !crc_right.get() {
            let stored = be(CRC_AT, 4) as u32;
            let computed = crc::crc32c(&all[ATTRIBUTES_AT..]);
            if stored != computed {
                return Err(BatchError::CorruptCrc { stored, computed });
            }
            crc_right.set(true);
        }
        let attributes = be(ATTRIBUTES_AT, 2) as u16;
        let compression =
            Compression::from_id(attributes & 0x7).ok_or(BatchError::UnknownCompression(attributes & 0x7))?;
        let count = usize::try_from(be(57, 4) as i32).map_err(|_| BatchError::BadLength)?;
        if count > RECORDS_PER_BATCH_MAX {
            return Err(BatchError::TooLarge);
        }
        let batch = RecordBatch {
            base_offset: be(0, 8) as i64,
            partition_leader_epoch: be(12, 4) as i32,
            compression,
            timestamp_type: if attributes & (1 << 3) != 0 {
                TimestampType::LogAppendTime
            } else {
                TimestampType::CreateTime
            },
            is_transactional: attributes & (1 << 4) != 0,
            is_control: attributes & (1 << 5) != 0,
            last_offset_delta: be(23, 4) as i32,
            base_timestamp: be(27, 8) as i64,
            max_timestamp: be(35, 8) as i64,
            producer_id: be(43, 8) as i64,
            producer_epoch: be(51, 2) as i16,
            base_sequence: be(53, 4) as i32,
            records: Vec::new(),
        };
        Ok(CheckedHeader { batch, count, total_bytes: total })
    }
}

/// What a leader learns of a producer's batch by walking it (Kafka's `LogValidator`): every
/// record read and checked in place, none copied out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validated {
    pub header: CheckedHeader,
    /// The newest record time: the base timestamp plus the largest delta.
    pub max_record_timestamp: i64,
    /// A record without a key: a compacted topic refuses the batch.
    pub has_null_key: bool,
    /// Bytes of the batch with its records uncompressed: what `batch.size` counts.
    pub uncompressed_bytes: usize,
}

/// A batch's records, uncompressed: the section itself when the batch is not compressed (read
/// in place, not copied: every leader and consumer reads every batch).
fn records_section(compression: Compression, section: &[u8]) -> Result<Cow<'_, [u8]>, BatchError> {
    match compression {
        Compression::None => Ok(Cow::Borrowed(section)),
        codec => codec.decompress(section).map(Cow::Owned),
    }
}

impl RecordBatch {
    /// Checks a batch whole — header, CRC, every record — without decoding it into records.
    pub fn validate(bytes: &[u8]) -> Result<Validated, BatchError> {
        RecordBatch::validate_records(bytes, RecordBatch::decode_header(bytes)?)
    }

    /// Walks the records of a batch whose header has been read and checked.
    fn validate_records(bytes: &[u8], header: CheckedHeader) -> Result<Validated, BatchError> {
        let raw = records_section(header.batch.compression, &bytes[HEADER_BYTES..header.total_bytes])?;
        let (mut at, mut max_delta, mut has_null_key) = (0, None, false);
        for _ in 0..header.count {
            let r = read_record(&raw, &mut at)?;
            max_delta = max_delta.max(Some(r.timestamp_delta));
            has_null_key |= r.key.is_none();
        }
        if at != raw.len() {
            return Err(BatchError::BadLength);
        }
        Ok(Validated {
            max_record_timestamp: header.batch.base_timestamp.saturating_add(max_delta.unwrap_or(0)),
            has_null_key,
            uncompressed_bytes: HEADER_BYTES + raw.len(),
            header,
        })
    }
}

/// A batch's checked header: the batch with its records not decoded (`records` is empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedHeader {
    pub batch: RecordBatch,
    /// Records in the batch (at most `RECORDS_PER_BATCH_MAX`).
    pub count: usize,
    /// Bytes of the whole batch, header included.
    pub total_bytes: usize,
}

/// `(producer id, producer epoch, base sequence)` read from a batch header, if whole.
pub fn producer_fields(bytes: &[u8]) -> Option<(i64, i16, i32)> {
    let h = bytes.get(..HEADER_BYTES)?;
    let id = i64::from_be_bytes(h[43..51].try_into().ok()?);
    let epoch = i16::from_be_bytes(h[51..53].try_into().ok()?);
    let seq = i32::from_be_bytes(h[53..57].try_into().ok()?);
    Some((id, epoch, seq))
}

/// `(is transactional, is control)` from a batch header's attributes, if whole.
pub fn transaction_flags(bytes: &[u8]) -> Option<(bool, bool)> {
    let h = bytes.get(..HEADER_BYTES)?;
    let attributes = i16::from_be_bytes(h[21..23].try_into().ok()?);
    Some((attributes & (1 << 4) != 0, attributes & (1 << 5) != 0))
}

/// Stamps the offset and leader epoch a leader gives a batch; both are outside the CRC.
pub fn stamp(bytes: &mut [u8], base_offset: u64, partition_leader_epoch: u32) {
    assert!(bytes.len() >= HEADER_BYTES, "stamp needs a whole batch header");
    bytes[0..8].copy_from_slice(&base_offset.to_be_bytes());
    bytes[12..16].copy_from_slice(&partition_leader_epoch.to_be_bytes());
}

/// A record's key, value and headers, borrowed, with their encoded size (`DefaultRecord.sizeOf`
/// of the fields: each with its length prefix) counted once: a producer needs it three times for
/// every record (`max.request.size`, the room in the batch, the append).
#[derive(Clone, Copy, Debug)]
pub struct RecordFields<'a> {
    key: Option<&'a [u8]>,
    value: Option<&'a [u8]>,
    headers: &'a [Header],
    bytes: usize,
}

impl<'a> RecordFields<'a> {
    pub fn new(key: Option<&'a [u8]>, value: Option<&'a [u8]>, headers: &'a [Header]) -> Self {
        let field =
            |b: Option<&[u8]>| b.map_or(varint::varint_len(-1), |b| varint::varint_len(b.len() as i32) + b.len());
        let mut bytes = field(key) + field(value) + varint::varint_len(headers.len() as i32);
        for h in headers {
            bytes += field(Some(h.key.as_bytes())) + field(h.value.as_deref());
        }
        RecordFields { key, value, headers, bytes }
    }

    /// Encoded bytes of the record at these deltas, its length prefix included
    /// (what `DefaultRecord.sizeInBytes` counts).
    pub fn record_bytes(&self, offset_delta: i32, timestamp_delta: i64) -> usize {
        let body = self.body_bytes(offset_delta, timestamp_delta);
        varint::varint_len(body as i32) + body
    }

    /// The record's bytes after its length prefix.
    fn body_bytes(&self, offset_delta: i32, timestamp_delta: i64) -> usize {
        1 + varint::varlong_len(timestamp_delta) + varint::varint_len(offset_delta) + self.bytes
    }

    /// `DefaultRecordBatch.estimateBatchSizeUpperBound`: a batch of this one record, at most.
    /// The producer checks it against max.request.size and buffer.memory.
    pub fn batch_size_upper_bound(&self) -> usize {
        HEADER_BYTES + MAX_RECORD_OVERHEAD + self.bytes
    }
}

/// The most a record's own bytes can take: attributes, and the longest length,
/// timestamp-delta and offset-delta varints (`DefaultRecord.MAX_RECORD_OVERHEAD`).
const MAX_RECORD_OVERHEAD: usize = 21;

fn put_bytes(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        None => put_varint(out, -1),
        Some(b) => {
            put_varint(out, b.len() as i32);
            out.extend_from_slice(b);
        }
    }
}

/// The records section before compression (`DefaultRecord.writeTo` for each): records with
/// their offset and timestamp deltas.
fn encode_fields<'a>(records: impl Iterator<Item = (i32, i64, RecordFields<'a>)>) -> Vec<u8> {
    let mut out = Vec::new();
    for (offset_delta, timestamp_delta, fields) in records {
        append_record(&mut out, offset_delta, timestamp_delta, &fields);
    }
    out
}

/// Appends one record to a records section (`DefaultRecord.writeTo`): its length, then its
/// attributes, deltas, key, value and headers. Returns the bytes it took, as
/// [`RecordFields::record_bytes`] counts them.
pub fn append_record(out: &mut Vec<u8>, offset_delta: i32, timestamp_delta: i64, fields: &RecordFields<'_>) -> usize {
    let start = out.len();
    let body = fields.body_bytes(offset_delta, timestamp_delta);
    put_varint(out, body as i32);
    out.push(0); // record attributes: unused
    put_varlong(out, timestamp_delta);
    put_varint(out, offset_delta);
    put_bytes(out, fields.key);
    put_bytes(out, fields.value);
    put_varint(out, fields.headers.len() as i32);
    for h in fields.headers {
        put_bytes(out, Some(h.key.as_bytes()));
        put_bytes(out, h.value.as_deref());
    }
    debug_assert_eq!(out.len() - start, varint::varint_len(body as i32) + body, "a record's size as counted");
    out.len() - start
}

/// A length-prefixed byte string, borrowed (`None` for Kafka's null, length -1).
fn get_bytes<'a>(raw: &'a [u8], at: &mut usize) -> Result<Option<&'a [u8]>, BatchError> {
    let len = get_varint(raw, at)?;
    if len < 0 {
        return Ok(None);
    }
    let end = at.checked_add(len as usize).ok_or(BatchError::BadLength)?;
    let b = raw.get(*at..end).ok_or(BatchError::Truncated)?;
    *at = end;
    Ok(Some(b))
}

/// One record read in place: every length and varint checked, nothing copied.
struct RecordRef<'a> {
    timestamp_delta: i64,
    offset_delta: i32,
    key: Option<&'a [u8]>,
    value: Option<&'a [u8]>,
    /// Header keys (checked to be UTF-8) and values, in order.
    headers: Vec<(&'a str, Option<&'a [u8]>)>,
}

fn read_record<'a>(raw: &'a [u8], at: &mut usize) -> Result<RecordRef<'a>, BatchError> {
    let len = get_varint(raw, at)?;
    let start = *at;
    let end =
        start.checked_add(usize::try_from(len).map_err(|_| BatchError::BadLength)?).ok_or(BatchError::BadLength)?;
    if end > raw.len() {
        return Err(BatchError::Truncated);
    }
    let body = &raw[..end];
    *at += 1; // attributes
    let timestamp_delta = get_varlong(body, at)?;
    let offset_delta = get_varint(body, at)?;
    let key = get_bytes(body, at)?;
    let value = get_bytes(body, at)?;
    let count = get_varint(body, at)?;
    let count = usize::try_from(count).map_err(|_| BatchError::BadLength)?;
    let mut headers = Vec::new();
    for _ in 0..count {
        let key = get_bytes(body, at)?.ok_or(BatchError::BadLength)?;
        let key = core::str::from_utf8(key).map_err(|_| BatchError::BadLength)?;
        headers.push((key, get_bytes(body, at)?));
    }
    if *at != end {
        return Err(BatchError::BadLength);
    }
    Ok(RecordRef { timestamp_delta, offset_delta, key, value, headers })
}

/// Reads the record at `at` in `records`, whose bytes are `shared`'s.
fn decode_record(records: &[u8], shared: &Buffer, at: &mut usize) -> Result<BatchRecord, BatchError> {
    let r = read_record(records, at)?;
    // `read_record`'s slices lie inside `records`; their offsets make the shared `Bytes`.
    let share = |field: &[u8]| {
        let start = (field.as_ptr() as usize).wrapping_sub(records.as_ptr() as usize);
        Bytes::within(shared, start, start + field.len()).ok_or(BatchError::BadLength)
    };
    Ok(BatchRecord {
        offset_delta: r.offset_delta,
        timestamp_delta: r.timestamp_delta,
        key: r.key.map(share).transpose()?,
        value: r.value.map(share).transpose()?,
        headers: r
            .headers
            .into_iter()
            .map(|(key, value)| Header { key: key.into(), value: value.map(<[u8]>::to_vec) })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn records() -> Vec<RecordData> {
        vec![
            RecordData {
                timestamp_ms: 1_000,
                key: Some(b"Alice".to_vec()),
                value: Some(br#"{"amount":150}"#.to_vec()),
                headers: vec![Header { key: "source".into(), value: Some(b"web".to_vec()) }],
            },
            RecordData { timestamp_ms: 1_005, key: None, value: None, headers: vec![] },
            RecordData {
                timestamp_ms: 1_002,
                key: Some(vec![]),
                value: Some(b"x".to_vec()),
                headers: vec![Header { key: "n".into(), value: None }],
            },
        ]
    }

    #[test]
    fn every_codec_round_trips_with_headers_and_null_keys() {
        for codec in Compression::ALL {
            let batch = RecordBatch::from_records(&records(), codec);
            let bytes = batch.encode().unwrap();
            let (back, used) = RecordBatch::decode(&bytes).unwrap();
            assert_eq!(used, bytes.len());
            assert_eq!(back, batch, "{codec}");
            assert_eq!(back.max_timestamp, 1_005);
            assert_eq!(back.last_offset_delta, 2);
        }
    }

    #[test]
    fn the_header_is_61_bytes_and_the_length_field_counts_the_rest() {
        let bytes = RecordBatch::from_records(&[], Compression::None).encode().unwrap();
        assert_eq!(bytes.len(), HEADER_BYTES);
        assert_eq!(i32::from_be_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]), 49);
        assert_eq!(bytes[16], 2, "magic");
    }

    #[test]
    fn record_bytes_is_the_encoded_size() {
        let rs = records();
        let batch = RecordBatch::from_records(&rs, Compression::None);
        let predicted: usize = rs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let delta = r.timestamp_ms as i64 - rs[0].timestamp_ms as i64;
                RecordFields::new(r.key.as_deref(), r.value.as_deref(), &r.headers).record_bytes(i as i32, delta)
            })
            .sum();
        assert_eq!(HEADER_BYTES + predicted, batch.encode().unwrap().len());
        let mut gzip = batch.clone();
        gzip.compression = Compression::Gzip;
        let checked = RecordBatch::validate(&gzip.encode().unwrap()).unwrap();
        assert_eq!(checked.uncompressed_bytes, HEADER_BYTES + predicted, "what batch.size counts, before compression");
        assert_eq!(checked.header.count, rs.len());
    }

    #[test]
    fn a_producer_encodes_its_records_in_place_to_the_same_bytes() {
        let rs = records();
        for codec in [Compression::None, Compression::Lz4] {
            let copied = RecordBatch::from_records(&rs, codec).encode().unwrap();
            // As the producer builds it: each record appended as it comes, then the header.
            let mut section = Vec::new();
            for (i, r) in rs.iter().enumerate() {
                let fields = RecordFields::new(r.key.as_deref(), r.value.as_deref(), &r.headers);
                append_record(&mut section, i as i32, r.timestamp_ms as i64 - rs[0].timestamp_ms as i64, &fields);
            }
            let in_place = RecordBatch::header_for(&rs, codec).encode_section(rs.len(), &section).unwrap();
            assert_eq!(copied, in_place, "{codec}");
        }
    }

    #[test]
    fn a_flipped_bit_is_a_crc_error() {
        let mut bytes = RecordBatch::from_records(&records(), Compression::None).encode().unwrap().into_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(matches!(RecordBatch::decode(&bytes), Err(BatchError::CorruptCrc { .. })));
    }

    #[test]
    fn stamping_offset_and_epoch_keeps_the_crc_valid() {
        let mut bytes = RecordBatch::from_records(&records(), Compression::Gzip).encode().unwrap().into_vec();
        stamp(&mut bytes, 42, 7);
        let (batch, _) = RecordBatch::decode(&bytes).unwrap();
        assert_eq!((batch.base_offset, batch.partition_leader_epoch), (42, 7));
    }

    #[test]
    fn truncated_or_garbage_input_is_an_error() {
        let bytes = RecordBatch::from_records(&records(), Compression::Lz4).encode().unwrap();
        for cut in [0, 10, HEADER_BYTES, bytes.len() - 1] {
            assert!(RecordBatch::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut wrong_magic = bytes.to_vec();
        wrong_magic[16] = 1;
        assert_eq!(RecordBatch::decode(&wrong_magic), Err(BatchError::UnsupportedMagic(1)));
    }
}
