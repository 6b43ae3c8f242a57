//! Native benchmarks of the engine (criterion). Numbers go in docs/performance.md.
//!
//! - `producer/<codec>`: records per second from `send` to acknowledged, 100-byte
//!   values, acks=all on a 3-broker cluster with replication factor 3.
//! - `batch/encode|decode/<codec>`: one 100-record batch through the v2 format.
//! - `simulation/idle-cluster-minute`: a 3-broker cluster with one topic left alone
//!   for a simulated minute (heartbeats, idle follower fetches): the cost of time passing.
//! - `group/consume-1000`: a group of three consumers joining and reading 1,000 records
//!   (replication factor 3, auto-commit), from the first FindCoordinator to the last commit.
//! - `throughput/end-to-end`: 20,000 records of 100 bytes, batched (linger.ms=5), acks=all to
//!   replication factor 3, replicated and read by a consumer: records per second end to end.
//! - `group/idle-group-minute`: a Stable group of three in its poll loops for a simulated
//!   minute (heartbeats, empty long polls): the cost of time passing with a group.
//! - `share-group/consume-1000`: the same 1,000 records read by a share group of three workers,
//!   each record acquired, accepted and its state written to the share coordinator.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use kafka_sim::batch::{Compression, RecordBatch};
use kafka_sim::protocol::RecordData;
use kafka_sim::time::Duration;
use kafka_sim::{Command, Sim};
use std::hint::black_box;

#[path = "shared/throughput.rs"]
mod throughput_scenario;
use throughput_scenario::{command, throughput_ready, throughput_run, value, THROUGHPUT_RECORDS};

const RECORDS: u64 = 1_000;

fn producer_run(codec: Compression) -> u64 {
    let mut sim = Sim::new(1);
    for line in [
        "cluster brokers=3".to_string(),
        "topic create bench partitions=3 replication-factor=3".to_string(),
        format!("producer p acks=all linger.ms=5 compression.type={codec}"),
    ] {
        sim.apply(&command(&line)).unwrap();
    }
    let sends: Vec<Command> =
        (0..RECORDS).map(|i| command(&format!("send p bench key=k{} value='{}'", i % 64, value(i)))).collect();
    for s in &sends {
        sim.apply(s).unwrap();
    }
    sim.advance(Duration::from_ms(2_000));
    let acked = sim.view().clients.iter().map(|c| c.acked_records).sum::<u64>();
    assert_eq!(acked, RECORDS, "every record acknowledged");
    acked
}

fn producer(c: &mut Criterion) {
    let mut group = c.benchmark_group("producer");
    group.throughput(Throughput::Elements(RECORDS));
    group.sample_size(10);
    for codec in Compression::ALL {
        group.bench_with_input(BenchmarkId::from_parameter(codec), &codec, |b, &codec| b.iter(|| producer_run(codec)));
    }
    group.finish();
}

fn batches(c: &mut Criterion) {
    let records: Vec<RecordData> = (0..100)
        .map(|i| RecordData {
            timestamp_ms: 1_000 + i,
            key: Some(format!("k{}", i % 64).into_bytes()),
            value: Some(value(i).into_bytes()),
            headers: vec![],
        })
        .collect();
    let mut group = c.benchmark_group("batch");
    group.throughput(Throughput::Elements(records.len() as u64));
    for codec in Compression::ALL {
        let batch = RecordBatch::from_records(&records, codec);
        let bytes = batch.encode().unwrap();
        group
            .bench_with_input(BenchmarkId::new("encode", codec), &batch, |b, batch| b.iter(|| batch.encode().unwrap()));
        group.bench_with_input(BenchmarkId::new("decode", codec), &bytes, |b, bytes| {
            b.iter(|| RecordBatch::decode(black_box(bytes)).unwrap())
        });
    }
    group.finish();
}

fn idle(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulation");
    group.sample_size(10);
    group.bench_function("idle-cluster-minute", |b| {
        b.iter(|| {
            let mut sim = Sim::new(1);
            sim.apply(&command("cluster brokers=3")).unwrap();
            sim.apply(&command("topic create t partitions=6 replication-factor=3")).unwrap();
            sim.advance(Duration::from_ms(60_000));
            sim.drain_events().len()
        })
    });
    group.finish();
}

/// Seven simulated days, as the page's "7 d" fast-forward: one broker, a topic in hourly segments under
/// a day of retention, and a traffic generator sending a record a second (604,800 records), so segments
/// roll and retention deletes them the whole time.
fn fast_forward(c: &mut Criterion) {
    let mut group = c.benchmark_group("fast-forward");
    group.sample_size(10);
    group.bench_function("seven-days-one-record-a-second", |b| {
        b.iter(|| {
            let mut sim = Sim::new(1);
            for line in [
                "cluster brokers=1",
                "topic create logs partitions=1 segment.ms=3600000 retention.ms=86400000",
                "producer p linger.ms=0",
                "traffic p logs rate=1 keys=100",
            ] {
                sim.apply(&command(line)).unwrap();
            }
            sim.advance(Duration::from_ms(7 * 86_400_000));
            sim.drain_events().len()
        })
    });
    group.finish();
}

/// Ten transactions of 100 records each over two partitions (RF 3, three brokers), each committed:
/// AddPartitionsToTxn, the produce path, EndTxn, the state writes and the markers.
fn transactions(c: &mut Criterion) {
    let mut group = c.benchmark_group("transactions");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1_000));
    group.bench_function("ten-commits-of-100", |b| {
        b.iter(|| {
            let mut sim = Sim::new(1);
            for line in [
                "cluster brokers=3",
                "topic create t partitions=2 replication-factor=3",
                "producer tx transactional.id=bench",
                "init-transactions tx",
                "advance 1s",
            ] {
                sim.apply(&command(line)).unwrap();
            }
            for n in 0..10u64 {
                sim.apply(&command("begin-transaction tx")).unwrap();
                for i in 0..100 {
                    sim.apply(&command(&format!("send tx t key=k{i} value='{}'", value(n * 100 + i)))).unwrap();
                }
                sim.apply(&command("commit-transaction tx")).unwrap();
                sim.advance(Duration::from_ms(1_000));
            }
            sim.drain_events().len()
        })
    });
    group.finish();
}

/// A cluster with 1,000 acknowledged records and three subscribed consumers not yet polling.
fn group_ready() -> Sim {
    group_ready_with(&["c1", "c2", "c3"])
}

/// A cluster with 1,000 acknowledged records and these consumers of group `g`, subscribed, not
/// yet polling.
fn group_ready_with(consumers: &[&str]) -> Sim {
    let mut sim = Sim::new(1);
    for line in [
        "cluster brokers=3".to_string(),
        "topic create bench partitions=6 replication-factor=3".to_string(),
        "producer p acks=all linger.ms=5".to_string(),
    ] {
        sim.apply(&command(&line)).unwrap();
    }
    for i in 0..RECORDS {
        sim.apply(&command(&format!("send p bench key=k{} value='{}'", i % 64, value(i)))).unwrap();
    }
    sim.advance(Duration::from_ms(2_000));
    for c in consumers {
        sim.apply(&command(&format!("consumer {c} group.id=g auto.offset.reset=earliest"))).unwrap();
        sim.apply(&command(&format!("subscribe {c} bench"))).unwrap();
    }
    sim
}

fn group(c: &mut Criterion) {
    let mut group = c.benchmark_group("group");
    group.sample_size(10);
    let ready = group_ready();
    group.throughput(Throughput::Elements(RECORDS));
    group.bench_function("consume-1000", |b| {
        b.iter_batched(
            || ready.clone(),
            |mut sim| {
                for c in ["c1", "c2", "c3"] {
                    sim.apply(&command(&format!("consume {c}"))).unwrap();
                }
                sim.advance(Duration::from_ms(12_000));
                let consumed: usize = sim.view().clients.iter().map(|c| c.received.len()).sum();
                assert_eq!(consumed as u64, RECORDS, "every record consumed once");
                consumed
            },
            criterion::BatchSize::LargeInput,
        )
    });
    let mut stable = ready.clone();
    for c in ["c1", "c2", "c3"] {
        stable.apply(&command(&format!("consume {c}"))).unwrap();
    }
    stable.advance(Duration::from_ms(12_000));
    stable.drain_events();
    group.throughput(Throughput::Elements(1));
    group.bench_function("idle-group-minute", |b| {
        b.iter_batched(
            || stable.clone(),
            |mut sim| {
                sim.advance(Duration::from_ms(60_000));
                sim.drain_events().len()
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// The same 1,000 records read by a share group of three workers (KIP-932): each record acquired
/// under a lock by one worker and accepted by its next ShareFetch, every acknowledgement written to
/// the share coordinator (`__share_group_state`, acks=all), from the first heartbeat to the last
/// record acknowledged.
fn share_group(c: &mut Criterion) {
    let mut ready = group_ready_with(&[]);
    ready.apply(&command("group config g share.auto.offset.reset=earliest")).unwrap();
    for w in ["w1", "w2", "w3"] {
        ready.apply(&command(&format!("share-consumer {w} group.id=g"))).unwrap();
        ready.apply(&command(&format!("subscribe {w} bench"))).unwrap();
    }
    let mut group = c.benchmark_group("share-group");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RECORDS));
    group.bench_function("consume-1000", |b| {
        b.iter_batched(
            || ready.clone(),
            |mut sim| {
                for w in ["w1", "w2", "w3"] {
                    sim.apply(&command(&format!("consume {w}"))).unwrap();
                }
                sim.advance(Duration::from_ms(12_000));
                let view = sim.view();
                let done: u64 = view.share_partitions.iter().map(|s| s.start_offset).sum();
                assert_eq!(done, RECORDS, "every record acknowledged: each share-partition's start past it");
                done
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("throughput");
    group.sample_size(10);
    group.throughput(Throughput::Elements(THROUGHPUT_RECORDS));
    let (ready, sends) = throughput_ready();
    group.bench_function("end-to-end", |b| {
        b.iter_batched(|| ready.clone(), |sim| throughput_run(sim, &sends), criterion::BatchSize::LargeInput)
    });
    group.finish();
}

criterion_group!(benches, throughput, producer, batches, idle, group, share_group, fast_forward, transactions);
criterion_main!(benches);
