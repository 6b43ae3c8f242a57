//! Any bytes: the v2 record-batch decoder and the coordinator-record decoders
//! (commit and group metadata keys and values) return a value or an error,
//! never panic and never allocate without bound; a batch that decodes encodes
//! back to bytes that decode to the same records; the leader's in-place check
//! (`validate`) accepts exactly the batches that decode, and agrees on them.
#![no_main]

use kafka_sim::batch::RecordBatch;
use kafka_sim::group::{metadata, offsets};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let checked = RecordBatch::validate(data);
    assert_eq!(checked.is_ok(), RecordBatch::decode(data).is_ok(), "validate and decode agree: {checked:?}");
    if let (Ok(checked), Ok((batch, _))) = (&checked, RecordBatch::decode(data)) {
        assert_eq!(checked.header.count, batch.records.len());
        assert_eq!(checked.has_null_key, batch.records.iter().any(|r| r.key.is_none()));
    }
    if let Ok((batch, _)) = RecordBatch::decode(data) {
        let bytes = batch.encode().expect("a decoded batch encodes again");
        let (again, _) = RecordBatch::decode(&bytes).expect("what was encoded decodes");
        assert_eq!(again.records, batch.records);
    }
    let _ = offsets::decode_key(data);
    let _ = offsets::decode_value(data);
    let _ = metadata::decode_key(data);
    if let Some(g) = metadata::decode_value(data) {
        // Encoding is canonical (partitions grouped by topic, in order): what it writes reads back
        // to a snapshot that writes the same bytes.
        let once = metadata::encode_value(&g);
        let again = metadata::decode_value(&once).expect("an encoded snapshot decodes");
        assert_eq!(metadata::encode_value(&again), once, "group metadata round-trips");
    }
});
