//! A whole v2 record batch as a producer sends it and a log keeps it, with what is known of
//! its CRC.
//!
//! Every party that receives a batch checks its CRC-32C: the leader (Kafka's
//! `LogValidator`), each follower (`appendAsFollower`) and each consumer (`check.crcs`). In
//! the simulation they all read one buffer, shared: a Produce request's bytes are the bytes
//! the leader stores, and a fetch hands out the stored bytes themselves. Nothing changes the
//! bytes the CRC covers once they are written (a leader stamps only the base offset and the
//! partition leader epoch, which sit before the CRC's range), so the sum over them, once found
//! right, is right for every later reader of the same buffer. The first check computes it
//! and the rest find the answer here: every check still happens and can still fail, but on
//! a build without a CRC instruction (the page's wasm) the sum was a third of the end-to-end
//! work, computed five times over the same bytes. Bytes changed inside the CRC's range are
//! new bytes: a new `BatchBytes`, checked afresh.

use super::{BatchError, CheckedHeader, RecordBatch, Validated};
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;

/// A batch's bytes, with whether its CRC has been found right over them. Read-only but for
/// [`BatchBytes::stamp`], which writes outside the CRC's range.
#[derive(Clone)]
pub struct BatchBytes {
    bytes: Vec<u8>,
    /// Set once the stored CRC has been found equal to the sum over the bytes (or the sum was
    /// computed into them); never cleared, as the bytes it covers never change.
    crc_right: Cell<bool>,
}

impl BatchBytes {
    /// Bytes from elsewhere: their CRC is checked at the first read.
    pub fn new(bytes: Vec<u8>) -> BatchBytes {
        BatchBytes { bytes, crc_right: Cell::new(false) }
    }

    /// Bytes whose CRC was just computed over them and written in (the encoder's own output).
    pub(super) fn sealed(bytes: Vec<u8>) -> BatchBytes {
        BatchBytes { bytes, crc_right: Cell::new(true) }
    }

    /// Whether the CRC has been found right (for tests of the memo itself).
    /// The header's recordsCount (at byte 57 of a v2 batch), read without checking the batch:
    /// for pictures of traffic, which count what a request carries.
    pub fn record_count(&self) -> Option<u32> {
        let field = self.bytes.get(57..61)?;
        Some(u32::from_be_bytes([field[0], field[1], field[2], field[3]]))
    }

    pub fn crc_known_right(&self) -> bool {
        self.crc_right.get()
    }

    /// The header, checked as [`RecordBatch::decode_header`] checks it.
    pub fn header(&self) -> Result<CheckedHeader, BatchError> {
        RecordBatch::read_header(&self.bytes, &self.crc_right)
    }

    /// The whole batch checked record by record, as [`RecordBatch::validate`] does.
    pub fn validate(&self) -> Result<Validated, BatchError> {
        RecordBatch::validate_records(&self.bytes, self.header()?)
    }

    /// The batch decoded into records, as [`RecordBatch::decode`] does.
    pub fn decode(&self) -> Result<(RecordBatch, usize), BatchError> {
        RecordBatch::decode_records(&self.bytes, self.header()?, None)
    }

    /// As [`BatchBytes::decode`], the records' keys and values read where they lie in these
    /// shared bytes when they are not compressed (a consumer's fetch, a view of the log), not
    /// copied out.
    pub fn decode_shared(bytes: &Rc<BatchBytes>) -> Result<(RecordBatch, usize), BatchError> {
        RecordBatch::decode_records(&bytes.bytes, bytes.header()?, Some(bytes))
    }

    /// The bytes alone.
    pub fn into_vec(self) -> Vec<u8> {
        self.bytes
    }

    /// Writes the base offset and partition leader epoch a leader assigns (Kafka stamps both
    /// without recomputing the CRC, which does not cover them).
    pub fn stamp(&mut self, base_offset: u64, partition_leader_epoch: u32) {
        super::stamp(&mut self.bytes, base_offset, partition_leader_epoch);
    }
}

impl core::ops::Deref for BatchBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl AsRef<[u8]> for BatchBytes {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

/// Equal bytes are equal batches, whatever has been checked of them.
impl PartialEq for BatchBytes {
    fn eq(&self, other: &BatchBytes) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for BatchBytes {}

/// As the bytes alone: what is checked of them is not part of the batch.
impl fmt::Debug for BatchBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.bytes.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Compression;
    use crate::protocol::RecordData;

    fn batch() -> Vec<u8> {
        let records =
            [RecordData { timestamp_ms: 5, key: Some(b"k".to_vec()), value: Some(b"v".to_vec()), headers: vec![] }];
        RecordBatch::from_records(&records, Compression::None).encode().unwrap().into_vec()
    }

    #[test]
    fn the_first_read_checks_the_crc_and_later_reads_of_the_same_bytes_know_it() {
        let bytes = BatchBytes::new(batch());
        assert!(!bytes.crc_known_right());
        assert_eq!(bytes.header().unwrap(), RecordBatch::decode_header(&bytes).unwrap());
        assert!(bytes.crc_known_right());
        assert_eq!(bytes.validate().unwrap(), RecordBatch::validate(&bytes).unwrap());
        assert_eq!(bytes.decode().unwrap(), RecordBatch::decode(&bytes).unwrap());
        let shared = bytes.clone();
        assert!(shared.crc_known_right(), "a copy of checked bytes is checked");
    }

    #[test]
    fn damaged_bytes_fail_every_read_and_are_never_known_right() {
        let mut damaged = batch();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        let bytes = BatchBytes::new(damaged);
        for _ in 0..2 {
            assert!(matches!(bytes.header(), Err(BatchError::CorruptCrc { .. })));
            assert!(matches!(bytes.validate(), Err(BatchError::CorruptCrc { .. })));
            assert!(matches!(bytes.decode(), Err(BatchError::CorruptCrc { .. })));
        }
        assert!(!bytes.crc_known_right());
    }

    #[test]
    fn stamping_a_checked_batch_keeps_it_right() {
        let mut bytes = BatchBytes::new(batch());
        bytes.validate().unwrap();
        bytes.stamp(42, 7);
        // The sum over the stamped bytes, computed again from nothing, is still right.
        let fresh = BatchBytes::new(bytes.to_vec());
        let header = fresh.header().unwrap();
        assert_eq!((header.batch.base_offset, header.batch.partition_leader_epoch), (42, 7));
        assert_eq!(bytes.header().unwrap(), header);
    }

    #[test]
    fn a_shared_decode_reads_uncompressed_records_where_they_lie_and_equals_a_copying_one() {
        let records = [
            RecordData { timestamp_ms: 5, key: Some(b"k".to_vec()), value: Some(b"value".to_vec()), headers: vec![] },
            RecordData { timestamp_ms: 6, key: None, value: Some(b"two".to_vec()), headers: vec![] },
        ];
        for codec in [Compression::None, Compression::Gzip] {
            let stored = Rc::new(RecordBatch::from_records(&records, codec).encode().unwrap());
            let shared = BatchBytes::decode_shared(&stored).unwrap();
            assert_eq!(shared, stored.decode().unwrap(), "{codec}");
            let value = shared.0.records[1].value.as_deref().unwrap();
            assert_eq!(value, b"two");
            let in_place = stored.as_ptr_range().contains(&value.as_ptr());
            assert_eq!(in_place, codec == Compression::None, "{codec}: read in place only when not compressed");
        }
    }

    #[test]
    fn bytes_an_encoder_sealed_are_known_right_and_are_right() {
        let raw = batch();
        let section = &raw[crate::batch::HEADER_BYTES..];
        let header = RecordBatch::decode_header(&raw).unwrap().batch;
        let sealed = header.encode_section(1, section).unwrap();
        assert!(sealed.crc_known_right());
        assert_eq!(&*sealed, &raw[..]);
        assert!(BatchBytes::new(sealed.to_vec()).header().is_ok());
    }
}
