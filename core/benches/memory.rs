//! Memory per stored record beyond its payload: a counting allocator measures
//! what a replica's log holds after appending 10,000 records of 100-byte values
//! (16-byte keys) in batches of 100, against the payload bytes themselves.
//! Prints the figure for docs/performance.md; asserts nothing.
//! Run with `cargo bench -p kafka-sim --bench memory`.

use kafka_sim::batch::{BatchBytes, Compression, RecordBatch, Validated};
use kafka_sim::broker::log::PartitionLog;
use kafka_sim::protocol::RecordData;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

/// Bytes currently allocated.
struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const RECORDS: usize = 10_000;
const PER_BATCH: usize = 100;

fn main() {
    // Everything allocated from here on and still alive at the end belongs to the log.
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let batches: Vec<(Validated, BatchBytes)> = (0..RECORDS / PER_BATCH)
        .map(|b| {
            let records: Vec<RecordData> = (0..PER_BATCH)
                .map(|i| RecordData {
                    timestamp_ms: (b * PER_BATCH + i) as u64,
                    key: Some(format!("key-{:012}", b * PER_BATCH + i).into_bytes()),
                    value: Some(vec![b'x'; 100]),
                    headers: Vec::new(),
                })
                .collect();
            let bytes = RecordBatch::from_records(&records, Compression::None).encode().expect("encodes");
            (RecordBatch::validate(&bytes).expect("a batch just encoded is valid"), bytes)
        })
        .collect();
    let payload = RECORDS * (16 + 100);
    let mut log = PartitionLog::default();
    for (checked, bytes) in batches {
        log.append(&checked, bytes, 0);
    }
    let held = LIVE_BYTES.load(Ordering::Relaxed) - before;
    // The batches were moved into the log (their checked headers dropped): what is alive is the log.
    let beyond = held as f64 / RECORDS as f64 - (16 + 100) as f64;
    println!(
        "{RECORDS} records of 16-byte keys and 100-byte values in batches of {PER_BATCH}: the log holds {held} bytes \
         ({:.1} per record), {payload} of them payload: {beyond:.1} bytes per record beyond its payload",
        held as f64 / RECORDS as f64
    );
    assert!(log.log_end_offset() == RECORDS as u64);
}
