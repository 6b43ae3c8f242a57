//! Record batches against a real client library: kafka-python's builder wrote
//! `fixtures/record-batches/kafka-python-<codec>.bin` (tools/record_batches.py
//! generate), and they must decode here to the same records; the bytes this
//! encoder writes are pinned in `rust-<codec>.bin`, which kafka-python's
//! reader checks (tools/record_batches.py check, run by `./x test`).
//! After an intended encoder change: `UPDATE_FIXTURES=1 cargo test -p kafka-sim --test record_batches`.

use kafka_sim::batch::{BatchError, Compression, RecordBatch};
use kafka_sim::protocol::RecordData;
use kafka_sim::record::Header;
use std::path::PathBuf;

/// The same records as RECORDS in tools/record_batches.py.
fn records() -> Vec<RecordData> {
    let header = |k: &str, v: Option<&[u8]>| Header { key: k.into(), value: v.map(<[u8]>::to_vec) };
    let mut out = vec![
        RecordData {
            timestamp_ms: 1_000,
            key: Some(b"Alice".to_vec()),
            value: Some(br#"{"order_id":"ORD001","amount":150.0}"#.to_vec()),
            headers: vec![header("source", Some(b"python-client"))],
        },
        RecordData { timestamp_ms: 1_005, key: None, value: Some(b"hello".to_vec()), headers: vec![] },
        RecordData {
            timestamp_ms: 1_002,
            key: Some(vec![]),
            value: None,
            headers: vec![header("trace", None), header("n", Some(b"1"))],
        },
    ];
    for i in 0..40u64 {
        out.push(RecordData {
            timestamp_ms: 1_010 + i,
            key: Some(format!("k{}", i % 5).into_bytes()),
            value: Some(format!("value-{i}-").repeat(8).into_bytes()),
            headers: vec![],
        });
    }
    out
}

/// The same records as LARGE in tools/record_batches.py: enough for the gzip and zstd encoders'
/// matches, Huffman codes, repeat offsets and FSE tables of their own to matter.
fn large_records() -> Vec<RecordData> {
    (0..2_000u64)
        .map(|i| RecordData {
            timestamp_ms: 2_000 + i,
            key: Some(format!("k{}", i % 97).into_bytes()),
            value: Some(
                format!(r#"{{"order_id":"ORD{i:05}","amount":{}.5,"status":"created"}}"#, i % 613).into_bytes(),
            ),
            headers: vec![],
        })
        .collect()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/record-batches").join(name)
}

#[test]
fn batches_built_by_kafka_python_decode_to_the_same_records() {
    let expected = RecordBatch::from_records(&records(), Compression::None).records;
    for codec in Compression::ALL {
        let bytes = std::fs::read(fixture(&format!("kafka-python-{codec}.bin"))).expect("fixture present");
        let (batch, used) = RecordBatch::decode(&bytes).unwrap_or_else(|e| panic!("{codec}: {e}"));
        assert_eq!(used, bytes.len(), "{codec}");
        assert_eq!(batch.compression, codec);
        assert_eq!(batch.records, expected, "{codec}");
        assert_eq!((batch.base_timestamp, batch.max_timestamp), (1_000, 1_049), "{codec}");
    }
}

#[test]
fn this_encoder_writes_the_pinned_bytes_kafka_python_reads() {
    let update = std::env::var_os("UPDATE_FIXTURES").is_some();
    for codec in Compression::ALL {
        let bytes = RecordBatch::from_records(&records(), codec).encode().unwrap();
        let path = fixture(&format!("rust-{codec}.bin"));
        if update {
            std::fs::write(&path, &bytes).unwrap();
            continue;
        }
        let pinned = std::fs::read(&path).expect("fixture present (UPDATE_FIXTURES=1 writes it)");
        assert!(pinned[..] == bytes[..], "{codec}: encoder output changed; regenerate and re-check with kafka-python");
    }
    for codec in [Compression::Gzip, Compression::Zstd] {
        let bytes = RecordBatch::from_records(&large_records(), codec).encode().unwrap();
        let path = fixture(&format!("rust-{codec}-large.bin"));
        if update {
            std::fs::write(&path, &bytes).unwrap();
            continue;
        }
        let pinned = std::fs::read(&path).expect("fixture present (UPDATE_FIXTURES=1 writes it)");
        assert!(
            pinned[..] == bytes[..],
            "{codec} (large): encoder output changed; regenerate and re-check with kafka-python"
        );
        let (decoded, _) = RecordBatch::decode(&pinned).unwrap();
        assert_eq!(decoded.records.len(), 2_000);
    }
}

#[test]
fn uncompressed_bytes_match_kafka_python_exactly() {
    // Without compression there is one right encoding: byte-for-byte equal, except the
    // partition leader epoch (outside the CRC), which the Java producer leaves at -1
    // (NO_PARTITION_LEADER_EPOCH) as this encoder does, and kafka-python writes as 0.
    let mut ours = RecordBatch::from_records(&records(), Compression::None).encode().unwrap().into_vec();
    assert_eq!(&ours[12..16], &[0xff; 4]);
    ours[12..16].copy_from_slice(&[0; 4]);
    let theirs = std::fs::read(fixture("kafka-python-none.bin")).unwrap();
    assert!(ours[..] == theirs[..], "uncompressed batch bytes differ from kafka-python's");
}

#[test]
fn a_damaged_fixture_is_a_crc_error() {
    let mut bytes = std::fs::read(fixture("kafka-python-zstd.bin")).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x10;
    assert!(matches!(RecordBatch::decode(&bytes), Err(BatchError::CorruptCrc { .. })));
}
