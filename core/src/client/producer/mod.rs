//! A producer: partitions records, collects them in per-partition batches
//! (closed by batch.size or linger.ms), and sends each batch to the
//! partition's leader, at most max.in.flight.requests.per.connection at a
//! time per broker.
//!
//! Retriable errors (a moved leader, NOT_ENOUGH_REPLICAS, a timeout) are
//! retried after retry.backoff.ms, exponentially up to retry.backoff.max.ms,
//! until `retries` or delivery.timeout.ms run out. Batches are real v2 record
//! batches, compressed by compression.type; an idempotent producer numbers
//! them per partition. A transactional producer's side of transactions is in
//! [`transaction`].

pub mod transaction;

use super::config::ProducerConfig;
use super::partitioner::partition_for_key;
use super::{Connection, InFlight};

use crate::batch::RecordFields;
use crate::batch::{self, BatchBytes, RecordBatch};
use crate::effects::{Effects, Timer};
use crate::error::{CommandError, KafkaError};
use crate::event::EventKind;
use crate::limits::RECORDS_BUFFERED_PER_PRODUCER_MAX;
use crate::protocol::{Acks, ClientName, ProducePartition, Request, Response, TopicName, TopicPartition};
use crate::rand::Rng;
use crate::record::ProducerRecord;
use crate::sorted::{SortedMap, SortedSet};
use crate::time::{Duration, Instant};
use alloc::borrow::Cow;
use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Records for one partition, waiting to be sent together: encoded as they are added, as
/// Java's accumulator appends each record to its batch's buffer at `send`.
#[derive(Clone, Debug)]
pub struct Batch {
    /// The records section, uncompressed: each record as the batch will carry it.
    section: Vec<u8>,
    /// Each record's CreateTime, in order: the header's base and max timestamps, and each
    /// send's `RecordMetadata`.
    timestamps_ms: Vec<u64>,
    /// The batch's bytes before compression, header included (what `batch.size` counts).
    pub bytes: usize,
    pub created: Instant,
    /// Full, lingered long enough, or flushed: send when the connection allows.
    pub ready: bool,
    /// Sends so far; a retry waits for `retry_at`.
    pub attempts: u32,
    pub retry_at: Option<Instant>,
    /// An idempotent producer's first sequence for this batch, fixed at its first
    /// send so that a retry is recognisable.
    pub base_sequence: Option<i32>,
    /// The producer epoch the sequence belongs to: a retry goes with the epoch of its first send
    /// (Java sets a batch's producer state once, when it has no sequence yet), unless an epoch
    /// bump rewrites the batch's partition from sequence 0.
    pub producer_epoch: Option<i16>,
    /// The partition's leader epoch as the producer knew it when the batch last went out: a
    /// retry skips its backoff once metadata names a newer leader (KIP-951,
    /// `RecordAccumulator.shouldBackoff`).
    leader_epoch: Option<u32>,
    /// The attempt on which metadata named a newer leader (`attemptsWhenLeaderLastChanged`):
    /// that attempt's retry skips its backoff.
    leader_changed_on: Option<u32>,
    /// delivery.timeout.ms passed while the batch was in flight: its send failed with a
    /// TimeoutException (`Sender.getExpiredInflightBatches`); the answer, when it comes, only
    /// tells an idempotent producer whether the broker wrote it.
    expired: bool,
}

/// A record waiting for its topic's metadata (Java's `send` blocking in `waitOnMetadata`).
#[derive(Clone, Debug)]
struct Waiting {
    record: ProducerRecord<'static>,
    since: Instant,
    /// `flush()` came after this send: in Java the send blocked until the metadata came and the
    /// flush found the record in a batch, so its batch goes as soon as it has one.
    flushed: bool,
}

/// Per topic, the partition the sticky partitioner uses for null keys and the
/// bytes produced to it so far (KIP-794).
#[derive(Clone, Debug)]
struct Sticky {
    partition: u32,
    bytes: usize,
}

#[derive(Clone, Debug)]
pub struct Producer {
    pub conn: Connection,
    /// The producer's name as its per-record events share it (`conn.name`, counted not copied).
    shared_name: ClientName,
    pub config: ProducerConfig,
    /// The sticky partitioner's choices. Each kind of randomness has a stream of its own
    /// (backoff jitter is the connection's, traffic keys `traffic_rng`), so changing a retry
    /// setting moves no partition choice.
    rng: Rng,
    traffic_rng: Rng,
    waiting: Vec<Waiting>,
    /// A traffic generator: topic, milliseconds between sends, keys, records sent.
    traffic: Option<(String, u64, u32, u64)>,
    /// Sends blocked because buffer.memory is taken by batches not yet completed, in send order.
    memory_waiting: VecDeque<Waiting>,
    pub batches: SortedMap<TopicPartition, Vec<Batch>>,
    /// Batches sent and not yet answered, by the correlation id of their request.
    in_flight_batches: SortedMap<u32, Vec<(TopicPartition, Batch)>>,
    /// Per broker, the partition its last drain stopped at: the next starts there, so no
    /// partition is always last in a full request (Java's `nodesDrainIndex`).
    drain_index: SortedMap<u32, u32>,
    /// Records in `batches` and `in_flight_batches`, kept as they come and go: `send` checks the
    /// buffer's limit against it every time (`drain` asserts it against a count).
    batched_records: usize,
    sticky: SortedMap<TopicName, Sticky>,
    round_robin: SortedMap<TopicName, u32>,
    /// Metadata answers in a row with an error: the next request waits the metadata backoff.
    metadata_failures: u32,
    /// Per broker, when the sender last found a batch for it ready and when it last sent it one
    /// (Java's `NodeLatencyStats`): with partitioner.availability.timeout.ms, a broker ready
    /// long after its last drain is left out of the sticky partitioner's choice.
    node_latency: SortedMap<u32, (Instant, Instant)>,
    pub acked_records: u64,
    pub failed_records: u64,
    /// An idempotent producer's id and epoch, once InitProducerId answered.
    pub producer_id: Option<(i64, i16)>,
    init_in_flight: bool,
    /// The next sequence number per partition.
    sequences: SortedMap<TopicPartition, i32>,
    /// The epoch each partition's sequences run under: after an epoch bump a partition starts
    /// again at sequence 0 once nothing of it is in flight (Java's `maybeUpdateProducerIdAndEpoch`).
    sequence_epochs: SortedMap<TopicPartition, i16>,
    /// Partitions where a sequenced batch failed or expired, leaving a gap the broker would refuse
    /// every later batch for (OUT_OF_ORDER_SEQUENCE_NUMBER): an idempotent producer bumps its epoch
    /// once nothing of them is in flight (KIP-360, `TransactionManager.bumpIdempotentProducerEpoch`).
    unresolved: SortedSet<TopicPartition>,
    /// Partitions whose gap caused the last epoch bump: their queued batches start again at
    /// sequence 0 under the new epoch (Java's `partitionsToRewriteSequences`). Other partitions
    /// finish their batches under the old epoch first.
    rewrite: SortedSet<TopicPartition>,
    /// The last sequence the broker acknowledged per partition, under the partition's epoch
    /// (Java's `lastAckedSequence`): a gap is resolved without a bump when it reaches the next.
    last_acked: SortedMap<TopicPartition, i32>,
    /// `close()` was called: no more sends; what was buffered still goes.
    pub closed: bool,
    /// A transactional producer's transaction state.
    pub txn: Option<transaction::TxnManager>,
    /// Records an abort dropped, told when the abort completes.
    pending_abort_dropped: usize,
}

impl Producer {
    pub fn new(name: String, config: ProducerConfig, bootstrap: Vec<u32>, seed: u64) -> Self {
        let shared_name = ClientName::from(name.as_str());
        let reconnect = config.reconnect_backoff();
        let conn = Connection::new(name, bootstrap, config.request_timeout_ms, reconnect);
        let txn = config.transactional_id.clone().map(transaction::TxnManager::new);
        Producer {
            conn,
            shared_name,
            metadata_failures: 0,
            node_latency: SortedMap::new(),
            config,
            rng: Rng::new(seed),
            traffic_rng: Rng::new(seed ^ 0x7261_6666_6963),
            waiting: Vec::new(),
            traffic: None,
            memory_waiting: VecDeque::new(),
            batches: SortedMap::new(),
            in_flight_batches: SortedMap::new(),
            drain_index: SortedMap::new(),
            batched_records: 0,
            sticky: SortedMap::new(),
            round_robin: SortedMap::new(),
            acked_records: 0,
            failed_records: 0,
            producer_id: None,
            init_in_flight: false,
            sequences: SortedMap::new(),
            sequence_epochs: SortedMap::new(),
            unresolved: SortedSet::new(),
            rewrite: SortedSet::new(),
            last_acked: SortedMap::new(),
            closed: false,
            txn,
            pending_abort_dropped: 0,
        }
    }

    pub fn name(&self) -> &str {
        &self.conn.name
    }

    /// Records accepted by `send` and not yet acknowledged or failed.
    pub fn buffered_records(&self) -> usize {
        self.waiting.len() + self.memory_waiting.len() + self.batched_records
    }

    /// `batched_records` counted from the batches.
    fn count_batched_records(&self) -> usize {
        let batched = self.batches.values().flatten().chain(self.live_in_flight());
        batched.map(|b| b.record_count()).sum()
    }

    /// Batches in flight that have not expired.
    fn live_in_flight(&self) -> impl Iterator<Item = &Batch> {
        self.in_flight_batches.values().flatten().map(|(_, b)| b).filter(|b| !b.expired)
    }

    /// A batch leaves the producer: acknowledged, failed, expired or dropped.
    fn batch_done(&mut self, batch: &Batch) {
        self.batched_records -= batch.record_count();
    }

    /// buffer.memory in use: each batch not yet completed holds at least batch.size
    /// (Kafka's BufferPool hands out batch.size blocks, or more for a larger record).
    fn reserved_bytes(&self) -> u64 {
        let batch_size = self.config.batch_size_bytes;
        let batched = self.batches.values().flatten().chain(self.live_in_flight());
        batched.map(|b| batch_size.max(b.bytes as u64)).sum()
    }

    /// Blocked sends get memory as batches complete, in order; those that waited
    /// max.block.ms fail as KafkaProducer's send() throws.
    fn release_memory_waiting(&mut self, fx: &mut Effects) {
        let max_block = Duration::from_ms(self.config.max_block_ms);
        let Some(first) = self.memory_waiting.front() else {
            return;
        };
        let room = self.reserved_bytes() + self.config.batch_size_bytes <= self.config.buffer_memory_bytes;
        if !room && first.since + max_block > fx.now {
            return;
        }
        let mut queue = core::mem::take(&mut self.memory_waiting);
        while let Some(w) = queue.pop_front() {
            if w.since + max_block <= fx.now {
                let msg =
                    format!("Failed to allocate memory within the configured max blocking time {} ms.", max_block.ms);
                self.fail(None, 1, KafkaError::Timeout(msg), fx);
                continue;
            }
            // With the queue taken, accumulate() either finds memory or blocks this record again.
            let _ = self.accumulate(w.record, w.since, fx);
            if !self.memory_waiting.is_empty() {
                break;
            }
        }
        self.memory_waiting.extend(queue);
        if let Some(w) = self.memory_waiting.front() {
            fx.cancel(Timer::MemoryWait);
            fx.timer_in((w.since + max_block).saturating_since(fx.now), Timer::MemoryWait);
        }
    }

    /// `KafkaProducer.send`: the record is buffered; its fate arrives as events.
    pub fn send(&mut self, record: ProducerRecord<'_>, fx: &mut Effects) -> Result<(), CommandError> {
        self.check_txn_send()?;
        if self.buffered_records() >= RECORDS_BUFFERED_PER_PRODUCER_MAX {
            return Err(CommandError::Limit(format!(
                "{} already buffers {RECORDS_BUFFERED_PER_PRODUCER_MAX} records (the playground's buffer.memory)",
                self.name()
            )));
        }
        match self.conn.partition_count(&record.topic) {
            None => {
                let topic = String::from(record.topic.as_str());
                self.waiting.push(Waiting { record: record.into_owned(), since: fx.now, flushed: false });
                self.conn.refresh_metadata(alloc::vec![topic], true, fx);
            }
            // The sender wakes for a new or a full batch; one still filling waits for linger.ms.
            Some(count) if self.accumulate_into(record, count, fx.now, fx) => self.drain(fx),
            Some(_) => {}
        }
        Ok(())
    }

    /// `traffic`: send `rate_per_s` records a second of simulated time from now on (0 stops).
    pub fn set_traffic(&mut self, topic: &str, rate_per_s: u32, keys: u32, fx: &mut Effects) {
        fx.cancel(Timer::Traffic);
        if rate_per_s == 0 {
            self.traffic = None;
            return;
        }
        let interval_ms = (1_000 / u64::from(rate_per_s)).max(1);
        let sent = self.traffic.as_ref().map_or(0, |t| t.3);
        self.traffic = Some((topic.into(), interval_ms, keys, sent));
        fx.timer_in(Duration::from_ms(interval_ms), Timer::Traffic);
    }

    /// One generated record: a key drawn from the set (seeded), a value that names it.
    fn traffic_send(&mut self, fx: &mut Effects) {
        let Some((topic, interval_ms, keys, sent)) = self.traffic.clone() else {
            return;
        };
        if self.closed {
            self.traffic = None;
            return;
        }
        let key = (keys > 0).then(|| format!("key-{}", self.traffic_rng.below(keys as usize)).into_bytes());
        let record = ProducerRecord {
            topic: topic.as_str().into(),
            partition: None,
            key: key.map(Cow::Owned),
            value: Some(Cow::Owned(format!("{topic}-{sent}").into_bytes())),
            headers: Vec::new(),
        };
        if let Err(e) = self.send(record, fx) {
            // A full buffer stops the generator rather than dropping records silently.
            self.traffic = None;
            let error = KafkaError::Timeout(format!("traffic stopped: {e}"));
            return self.fail(None, 1, error, fx);
        }
        self.traffic = Some((topic, interval_ms, keys, sent + 1));
        fx.timer_in(Duration::from_ms(interval_ms), Timer::Traffic);
    }

    /// `KafkaProducer.flush`: every batch becomes sendable now, and so do the batches of records
    /// still waiting for their topic's metadata once they have them. (Java's flush also blocks
    /// until they complete; here their completions arrive as events.)
    pub fn flush(&mut self, fx: &mut Effects) {
        for b in self.batches.values_mut().flatten() {
            b.ready = true;
        }
        for w in &mut self.waiting {
            w.flushed = true;
        }
        self.drain(fx);
    }

    /// `KafkaProducer.ensureValidRecordSize`: the callback fails with
    /// RecordTooLargeException, before the record reaches the accumulator.
    fn ensure_valid_record_size(&self, fields: &RecordFields<'_>) -> Result<(), KafkaError> {
        let size = fields.batch_size_upper_bound() as u64;
        let message = |what: String| {
            KafkaError::RecordTooLarge(format!(
                "The message is {size} bytes when serialized which is larger than {what}"
            ))
        };
        if size > self.config.max_request_size_bytes {
            let max = self.config.max_request_size_bytes;
            return Err(message(format!("{max}, which is the value of the max.request.size configuration.")));
        }
        if size > self.config.buffer_memory_bytes {
            return Err(message(
                "the total memory buffer you have configured with the buffer.memory configuration.".into(),
            ));
        }
        Ok(())
    }

    /// `KafkaProducer.close()`: every batch may go now; no new sends. Java's close
    /// blocks until they complete; here their completions arrive as events.
    /// A second close does nothing, as in Java.
    pub fn close(&mut self, fx: &mut Effects) {
        if self.closed {
            return;
        }
        self.closed = true;
        fx.event(EventKind::Closed {
            client: self.conn.name.clone(),
            kind: "producer",
            pending_records: self.buffered_records(),
        });
        self.flush(fx);
    }

    /// Chooses the partition and appends to that partition's open batch.
    /// Puts a record into its partition's batch; true when that made a batch to send (a new
    /// batch, or one now full): Kafka's `RecordAppendResult` that wakes the sender.
    fn accumulate(&mut self, record: ProducerRecord<'_>, created: Instant, fx: &mut Effects) -> bool {
        match self.conn.partition_count(&record.topic) {
            Some(count) => self.accumulate_into(record, count, created, fx),
            None => false,
        }
    }

    /// As `accumulate`, for a topic of `count` partitions (the caller has looked it up).
    fn accumulate_into(&mut self, record: ProducerRecord<'_>, count: u32, created: Instant, fx: &mut Effects) -> bool {
        if !self.memory_waiting.is_empty() {
            // The sending thread is blocked: later sends wait behind the first.
            self.memory_waiting.push_back(Waiting { record: record.into_owned(), since: created, flushed: false });
            return false;
        }
        let fields = RecordFields::new(record.key.as_deref(), record.value.as_deref(), &record.headers);
        if let Err(error) = self.ensure_valid_record_size(&fields) {
            self.fail(None, 1, error, fx);
            return false;
        }
        let ruled = self.config.rule_partitioner.as_ref().and_then(|r| r.partition(record.key.as_deref()));
        let chosen = match (record.partition, ruled) {
            (Some(p), _) => Some((p, "explicit partition")),
            (None, Some(p)) => Some((p, "partitioner.class rules")),
            (None, None) => None,
        };
        if let Some((p, why)) = chosen.filter(|(p, _)| *p >= count) {
            let error = KafkaError::InvalidPartitions(if record.partition.is_some() {
                format!("Invalid partition given with record: {p} is not in the range [0...{count}).")
            } else {
                // Java would append to a partition with no leader until delivery.timeout.ms; the
                // playground fails the send at once and says why.
                format!("the {why} chose partition {p}, not in the range [0...{count}).")
            });
            self.fail(None, 1, error, fx);
            return false;
        }
        let (partition, why) = match (chosen, &record.key) {
            (Some(choice), _) => choice,
            (None, _) if self.config.round_robin => (self.round_robin(&record.topic, count), "RoundRobinPartitioner"),
            (None, Some(key)) if !self.config.partitioner_ignore_keys => {
                (partition_for_key(key, count), "murmur2(key) % partitions")
            }
            (None, Some(_)) => {
                (self.sticky_partition(&record.topic, count), "sticky partitioner, partitioner.ignore.keys=true")
            }
            (None, None) => (self.sticky_partition(&record.topic, count), "sticky partitioner, null key"),
        };
        let tp = TopicPartition::new(record.topic.clone(), partition);
        fx.event(EventKind::Partitioned { producer: self.shared_name.clone(), tp: tp.clone(), why });
        // Only the sticky partitioner's own choices count towards its batch.size switch.
        let sticky = why.starts_with("sticky");
        let batch_size = self.config.batch_size_bytes as usize;
        // Sizes are encoded bytes before compression: Kafka's estimate with a ratio of 1.
        // The record's size in the open batch, counted once.
        // The last batch takes records until the sender drains it, ready (lingered) or not, as
        // Java's accumulator appends to the deque's last batch until it is drained and closed; a
        // batch sent before (a retry, back in the queue) takes none.
        let open = self
            .batches
            .get_mut(&tp)
            .and_then(|q| q.last_mut())
            .filter(|b| b.attempts == 0 && b.base_sequence.is_none());
        let open = open.map(|b| (b.size_of(&fields, created.ms), b));
        // `full`: the batch the record went into has no room left (Java's `allBatchesFull`, as
        // only the last batch may have room): the sticky partitioner may switch now.
        let (size, wake, full) = match open.filter(|(size, b)| b.bytes + size <= batch_size) {
            Some((size, b)) => {
                b.append(&fields, created.ms);
                self.batched_records += 1;
                b.ready |= b.bytes >= batch_size;
                (size, b.ready, b.bytes >= batch_size)
            }
            None => {
                let size = fields.record_bytes(0, 0);
                let bytes = batch::HEADER_BYTES + size;
                // buffer.memory is counted only when a new batch needs some of it.
                let (reserved, buffer_memory) = (self.reserved_bytes(), self.config.buffer_memory_bytes);
                // The partition's name is copied only for its first batch, not for every record.
                let batches = match self.batches.get_mut(&tp) {
                    Some(batches) => batches,
                    None => self.batches.entry(tp.clone()).or_default(),
                };
                if reserved + batch_size.max(bytes) as u64 > buffer_memory {
                    // No memory for a new batch: send() blocks until batches complete, up to max.block.ms.
                    self.memory_waiting.push_back(Waiting {
                        record: record.into_owned(),
                        since: created,
                        flushed: false,
                    });
                    let producer = self.conn.name.clone();
                    fx.event(EventKind::SendBlocked { producer, reserved_bytes: reserved, buffer_memory });
                    fx.cancel(Timer::MemoryWait);
                    fx.timer_in(Duration::from_ms(self.config.max_block_ms), Timer::MemoryWait);
                    return false;
                }
                if let Some(last) = batches.last_mut() {
                    last.ready = true;
                }
                // A record larger than batch.size still goes, alone in its batch.
                let ready = bytes >= batch_size || self.config.linger_ms == 0;
                // A batch that will fill gets room for as many records like this one as
                // batch.size holds, up to 16 (it grows from there), as Kafka's accumulator takes
                // a batch.size buffer for a new batch; one sent at once holds just this record.
                // Kafka takes that buffer from a pool; here each would be a new allocation, and
                // a producer lingering a few ms at a few records a second sends batches of one.
                let capacity = if ready { 1 } else { (batch_size / size).clamp(1, 16) };
                let mut batch = Batch::new(capacity, size, created, ready);
                batch.append(&fields, created.ms);
                batches.push(batch);
                self.batched_records += 1;
                if !ready {
                    fx.timer_in(Duration::from_ms(self.config.linger_ms), Timer::Linger(tp.clone()));
                }
                // A new batch counts its header too (Java's `appendNewBatch` reports the batch's
                // whole estimated size as the bytes appended).
                (bytes, true, bytes >= batch_size)
            }
        };
        if sticky {
            self.note_sticky_bytes(&tp, size, count, full);
        }
        wake
    }

    fn sticky_partition(&mut self, topic: &TopicName, count: u32) -> u32 {
        if let Some(s) = self.sticky.get(topic) {
            if s.partition < count {
                return s.partition;
            }
        }
        let partition = self.next_partition(topic, count);
        self.sticky.insert(topic.clone(), Sticky { partition, bytes: 0 });
        partition
    }

    /// `BuiltInPartitioner.nextPartition`: uniform over partitions with a leader, or,
    /// with partitioner.adaptive.partitioning.enable and uneven queues, weighted
    /// towards partitions with fewer batches waiting (weight = longest queue + 1 - own).
    /// The same partition may come again.
    fn next_partition(&mut self, topic: &str, count: u32) -> u32 {
        let available: Vec<u32> = (0..count)
            .filter(|&p| self.conn.leader_of(&TopicPartition::new(topic, p)).is_some_and(|l| !self.node_unavailable(l)))
            .collect();
        let pool = if available.is_empty() { (0..count).collect() } else { available };
        let queues: Vec<usize> =
            pool.iter().map(|&p| self.batches.get(&TopicPartition::new(topic, p)).map_or(0, Vec::len)).collect();
        let uneven = queues.iter().any(|&q| q != queues[0]);
        if self.config.partitioner_adaptive && uneven {
            let max = queues.iter().copied().max().unwrap_or(0);
            let weights: Vec<usize> = queues.iter().map(|q| max + 1 - q).collect();
            let mut pick = self.rng.below(weights.iter().sum());
            for (p, w) in pool.iter().zip(&weights) {
                if pick < *w {
                    return *p;
                }
                pick -= w;
            }
        }
        pool[self.rng.below(pool.len())]
    }

    /// Kafka's `RoundRobinPartitioner`: a counter per topic over all partitions.
    fn round_robin(&mut self, topic: &TopicName, count: u32) -> u32 {
        // The name is shared into the map once, not copied for every record.
        let next = match self.round_robin.get_mut(topic) {
            Some(next) => next,
            None => self.round_robin.entry(topic.clone()).or_insert(0),
        };
        let p = *next % count;
        *next = next.wrapping_add(1);
        p
    }

    /// After batch.size bytes went to the sticky partition, switch to another one at random
    /// at a batch boundary: when the partition's last batch is full, or at twice batch.size
    /// whatever the batch (`BuiltInPartitioner.updatePartitionInfo`: switching in the middle
    /// of a batch would send it part-filled).
    fn note_sticky_bytes(&mut self, tp: &TopicPartition, bytes: usize, count: u32, batch_full: bool) {
        let batch_size = self.config.batch_size_bytes as usize;
        let switch = match self.sticky.get_mut(&tp.topic) {
            Some(s) => {
                s.bytes += bytes;
                (s.bytes >= batch_size && batch_full) || s.bytes >= 2 * batch_size
            }
            None => false,
        };
        if switch {
            let partition = self.next_partition(&tp.topic, count);
            self.sticky.insert(tp.topic.clone(), Sticky { partition, bytes: 0 });
        }
    }

    /// Sends ready batches while each leader's connection has room; expires
    /// batches past delivery.timeout.ms.
    fn drain(&mut self, fx: &mut Effects) {
        self.release_memory_waiting(fx);
        if self.closed || !self.memory_waiting.is_empty() {
            // A closing producer sends everything without waiting for linger.ms, records that
            // were waiting for metadata included; so does one whose buffer.memory is exhausted
            // (`RecordAccumulator.ready`'s `exhausted`: a send is blocked waiting for memory).
            self.batches.values_mut().flatten().for_each(|b| b.ready = true);
        }
        self.expire_in_flight(fx);
        if self.txn.is_some() && self.producer_id.is_none() {
            // A transactional producer gets its id from initTransactions.
            self.drive_txn(fx);
            return;
        }
        if self.config.idempotent && self.producer_id.is_none() {
            // Nothing goes out before the producer has its id (Sender.maybeSendAndPollTransactionalRequest).
            if !self.init_in_flight && !self.batches.is_empty() {
                if let Some(broker) = self.conn.least_loaded(fx.now) {
                    self.init_in_flight = true;
                    let request =
                        Request::InitProducerId { transactional_id: None, transaction_timeout_ms: 0, producer: None };
                    self.conn.request(broker, request, fx);
                }
            }
            return;
        }
        self.maybe_bump_epoch(fx);
        self.expire_queued(fx);
        // Each round is one turn of Java's sender loop at this instant: the brokers with a
        // partition ready to send and room for a request, then one request to each.
        loop {
            let mut sent = false;
            for node in self.ready_nodes(fx) {
                let drained = self.drain_node(node, fx);
                if !drained.is_empty() {
                    self.send_produce(node, drained, fx);
                    sent = true;
                }
            }
            if !sent {
                break;
            }
        }
        self.batches.retain(|_, b| !b.is_empty());
        debug_assert_eq!(self.batched_records, self.count_batched_records(), "batched records as counted");
        self.drive_txn(fx);
    }

    /// Batches at the head of their queue that waited delivery.timeout.ms fail
    /// (`RecordAccumulator.expiredBatches`).
    fn expire_queued(&mut self, fx: &mut Effects) {
        let delivery_timeout = Duration::from_ms(self.config.delivery_timeout_ms);
        let tps: Vec<TopicPartition> = self.batches.keys().cloned().collect();
        for tp in tps {
            while self.batches.get(&tp).and_then(|b| b.first()).is_some_and(|b| b.created + delivery_timeout <= fx.now)
            {
                let batch = self.pop_batch(&tp);
                self.expire(&tp, &batch, fx);
            }
        }
    }

    /// With max.in.flight.requests.per.connection=1 a partition with a batch in flight sends no
    /// other (Java's sender mutes it: `guaranteeMessageOrder`), wherever its leader moved.
    fn muted(&self, tp: &TopicPartition) -> bool {
        self.config.max_in_flight_requests_per_connection == 1 && self.in_flight_count(tp) > 0
    }

    fn in_flight_count(&self, tp: &TopicPartition) -> usize {
        let mut count = 0;
        for batches in self.in_flight_batches.values() {
            for (t, _) in batches {
                count += usize::from(t == tp);
            }
        }
        count
    }

    /// KIP-951: metadata names a newer leader than the one the head batch last went to; the
    /// batch remembers the attempt it learnt it on, and that attempt's retry skips its backoff
    /// (`ProducerBatch.maybeUpdateLeaderEpoch`, `hasLeaderChangedForTheOngoingRetry`).
    fn note_leader_epoch(&mut self, tp: &TopicPartition) -> bool {
        let epoch_now = self.leader_epoch(tp).filter(|_| self.conn.leader_of(tp).is_some());
        let Some(first) = self.batches.get_mut(tp).and_then(|b| b.first_mut()) else {
            return false;
        };
        if let (Some(then), Some(now)) = (first.leader_epoch, epoch_now) {
            if now > then {
                first.leader_epoch = Some(now);
                first.leader_changed_on = Some(first.attempts);
            }
        }
        first.attempts > 0 && first.leader_changed_on == Some(first.attempts)
    }

    /// Java's `RecordAccumulator.ready` and the sender's `client.ready`: the brokers leading a
    /// partition whose first batch may go now (full, lingered, flushed, or its retry backoff
    /// over) and whose connection takes another request, in id order.
    fn ready_nodes(&mut self, fx: &mut Effects) -> Vec<u32> {
        let limit = self.config.max_in_flight_requests_per_connection as usize;
        let mut nodes = Vec::new();
        let tps: Vec<TopicPartition> = self.batches.keys().cloned().collect();
        for tp in tps {
            if let Some(t) = self.txn.as_mut() {
                // Java adds a partition to the transaction when a record is sent to it
                // (`maybeAddPartition` in `doSend`), not when its batch is drained.
                t.may_send_to(&tp);
            }
            if self.muted(&tp) {
                continue;
            }
            let leader_changed = self.note_leader_epoch(&tp);
            let Some(first) = self.batches.get(&tp).and_then(|b| b.first()) else {
                continue;
            };
            let leader = self.conn.leader_of(&tp);
            // KIP-951's early retry is for a new leader known: a partition with none waits out
            // its backoff, and so do its metadata requests (seed 5503574).
            if let Some(at) = first.retry_at.filter(|&at| at > fx.now && !(leader_changed && leader.is_some())) {
                // One wake-up per partition, always for the batch at the head: a retry
                // queued in front of another must not leave the other without one.
                fx.timer_in(at.saturating_since(fx.now), Timer::RetryBatch(tp.clone()));
                continue;
            }
            if !first.ready {
                continue;
            }
            let Some(leader) = leader else {
                // No known leader: ask, and look again after the backoff.
                self.conn.refresh_metadata(alloc::vec![String::from(tp.topic.as_str())], true, fx);
                let backoff = Duration::from_ms(self.config.retry_backoff_ms);
                if let Some(b) = self.batches.get_mut(&tp).and_then(|b| b.first_mut()) {
                    b.retry_at = Some(fx.now + backoff);
                }
                fx.timer_in(backoff, Timer::RetryBatch(tp.clone()));
                continue;
            };
            if let Some(at) = self.conn.ready_at(leader).filter(|&at| at > fx.now) {
                // The connection to the leader failed and is backing off (reconnect.backoff.ms):
                // the sender skips the node until then (`Sender.sendProducerData`'s
                // `client.ready`), spending no retry on a broker it cannot reach.
                self.note_node_ready(leader, fx.now);
                fx.timer_in(at.saturating_since(fx.now), Timer::RetryBatch(tp.clone()));
                continue;
            }
            if self.config.acks != Acks::None && self.conn.in_flight_to(leader) >= limit {
                self.note_node_ready(leader, fx.now);
                continue;
            }
            if !nodes.contains(&leader) {
                nodes.push(leader);
            }
        }
        crate::sort::sort(&mut nodes);
        nodes
    }

    /// Java's `RecordAccumulator.drainBatchesForOneNode`: the first batch of each partition
    /// `node` leads, ready or not (a request to the broker carries whatever it can), starting
    /// where the last drain to it stopped, up to max.request.size; a partition that may not send
    /// yet stops the drain there (`shouldStopDrainBatchesForPartition`).
    fn drain_node(&mut self, node: u32, fx: &mut Effects) -> Vec<(TopicPartition, Batch, BatchBytes)> {
        let mut parts = Vec::new();
        for (t, ps) in self.conn.topics.iter() {
            for p in ps {
                if p.leader == Some(node) {
                    parts.push(TopicPartition::new(t.clone(), p.partition));
                }
            }
        }
        let mut drained = Vec::new();
        if parts.is_empty() {
            return drained;
        }
        let start = self.drain_index.get(&node).copied().unwrap_or(0) as usize % parts.len();
        let mut i = start;
        let mut size = 0;
        loop {
            let tp = &parts[i];
            self.drain_index.insert(node, i as u32);
            i = (i + 1) % parts.len();
            match self.drain_partition(tp, size, drained.is_empty(), fx) {
                Drain::Skip => {}
                Drain::Stop => break,
                Drain::Take(batch, bytes) => {
                    size += bytes.len();
                    drained.push((tp.clone(), batch, bytes));
                }
            }
            if i == start {
                break;
            }
        }
        drained
    }

    /// One partition's turn in a drain: its first batch, numbered and encoded, if it may go.
    fn drain_partition(&mut self, tp: &TopicPartition, size: usize, first: bool, fx: &mut Effects) -> Drain {
        if self.muted(tp) {
            return Drain::Skip;
        }
        let leader_changed = self.note_leader_epoch(tp);
        let Some(head) = self.batches.get(tp).and_then(|b| b.first()) else {
            return Drain::Skip;
        };
        if head.retry_at.is_some_and(|at| at > fx.now) && !leader_changed {
            return Drain::Skip;
        }
        if size + head.bytes > self.config.max_request_size_bytes as usize && !first {
            // The request is full; a batch larger than max.request.size alone still goes alone.
            return Drain::Stop;
        }
        let base_sequence = head.base_sequence;
        if let Some(t) = self.txn.as_mut() {
            if !t.may_send_to(tp) {
                // The partition joins the transaction first (AddPartitionsToTxn).
                return Drain::Stop;
            }
        }
        if self.config.idempotent {
            // A new batch waits until the partition's sequences run under the new epoch; a
            // retry goes only in its turn.
            if !self.sequences_current(tp) && base_sequence.is_none() {
                return Drain::Stop;
            }
            if !self.may_send_sequenced(tp, base_sequence) {
                return Drain::Stop;
            }
        }
        let mut batch = self.pop_batch(tp);
        let count = batch.record_count();
        batch.leader_epoch = self.leader_epoch(tp);
        // The real bytes: a v2 record batch, compressed with compression.type.
        let mut header = RecordBatch::producer_header(0, 0, count, self.config.compression_type);
        if let Some((id, epoch)) = self.producer_id {
            let next = self.sequences.entry(tp.clone()).or_insert(0);
            let sequence = *batch.base_sequence.get_or_insert_with(|| {
                let first = *next;
                *next = next.wrapping_add(count as i32);
                first
            });
            header.producer_id = id;
            header.producer_epoch = *batch.producer_epoch.get_or_insert(epoch);
            header.base_sequence = sequence;
            header.is_transactional = self.txn.is_some();
        }
        match batch.encode(header) {
            Ok(bytes) => Drain::Take(batch, bytes),
            Err(e) => {
                self.batch_done(&batch);
                self.fail(Some(tp.clone()), count, KafkaError::CorruptMessage(format!("{e}")), fx);
                Drain::Skip
            }
        }
    }

    /// One Produce request to `node` with the batches drained for it.
    fn send_produce(&mut self, node: u32, drained: Vec<(TopicPartition, Batch, BatchBytes)>, fx: &mut Effects) {
        self.node_latency.insert(node, (fx.now, fx.now));
        let mut partitions = Vec::with_capacity(drained.len());
        let mut batches = Vec::with_capacity(drained.len());
        for (tp, batch, bytes) in drained {
            partitions.push(ProducePartition { tp: tp.clone(), batch: alloc::rc::Rc::new(bytes) });
            batches.push((tp, batch));
        }
        let request = Request::Produce {
            acks: self.config.acks,
            timeout_ms: self.config.request_timeout_ms,
            transactional_id: self.txn.as_ref().map(|t| t.shared_id.clone()),
            partitions,
        };
        if self.config.acks != Acks::None {
            let id = self.conn.request(node, request, fx);
            self.in_flight_batches.insert(id, batches);
            return;
        }
        self.conn.fire_and_forget(node, request, fx);
        for (tp, batch) in batches {
            self.batch_done(&batch);
            let count = batch.record_count();
            self.acked_records += count as u64;
            let producer = self.conn.name.clone();
            let timestamps = batch.timestamps_ms;
            fx.event(EventKind::Acked { producer, tp, base_offset: None, count, timestamps });
        }
    }

    /// KIP-360 for an idempotent producer without transactions (Java's `maybeResolveSequences`):
    /// once nothing of a partition with a possible gap is in flight or waiting to be retried, the
    /// gap is resolved if the broker acknowledged the sequence just before the next one (the
    /// expired batch had been written after all); otherwise the epoch goes up by one, locally
    /// (a new InitProducerId only when the epoch is exhausted), and that partition starts its
    /// sequences again at 0 under it.
    fn maybe_bump_epoch(&mut self, fx: &mut Effects) {
        if self.unresolved.is_empty() || self.txn.is_some() {
            return;
        }
        let Some((producer_id, epoch)) = self.producer_id else {
            return;
        };
        let mut gaps = Vec::new();
        for tp in self.unresolved.iter() {
            let in_flight = self.in_flight_count(tp) > 0;
            let retrying = self.batches.get(tp).is_some_and(|q| q.iter().any(|b| b.base_sequence.is_some()));
            if in_flight || retrying {
                continue;
            }
            let next = self.sequences.get(tp).copied().unwrap_or(0);
            let acked_through = self.last_acked.get(tp).map(|s| s.wrapping_add(1));
            gaps.push((tp.clone(), acked_through != Some(next)));
        }
        let mut partitions = Vec::new();
        for (tp, gap) in gaps {
            self.unresolved.remove(&tp);
            if gap {
                partitions.push(tp);
            }
        }
        if partitions.is_empty() {
            return;
        }
        let producer = self.conn.name.clone();
        if epoch == i16::MAX {
            // resetIdempotentProducerId: a new id, and every partition from 0.
            self.producer_id = None;
            self.sequences.clear();
            self.sequence_epochs.clear();
            self.last_acked.clear();
            self.rewrite.clear();
            for b in self.batches.values_mut().flatten() {
                (b.base_sequence, b.producer_epoch) = (None, None);
            }
            fx.event(EventKind::ProducerEpochBumped { producer, producer_id, epoch: None, partitions });
            return;
        }
        self.producer_id = Some((producer_id, epoch + 1));
        self.rewrite.extend(partitions.iter().cloned());
        fx.event(EventKind::ProducerEpochBumped { producer, producer_id, epoch: Some(epoch + 1), partitions });
    }

    /// Whether `tp`'s new batches may take sequences under the producer's epoch. After a bump,
    /// a partition whose gap caused it starts again at 0 once nothing of it is in flight, its
    /// queued retries renumbered in their order (Java's `startSequencesAtBeginning` for the
    /// partitions to rewrite). Any other partition first finishes the batches it already
    /// numbered, each retried under the epoch and sequence of its first send (the broker
    /// recognises a duplicate by them); only then do its sequences start at 0 under the new
    /// epoch (`maybeUpdateProducerIdAndEpoch`, and `shouldStopDrainBatchesForPartition` holding
    /// new batches back meanwhile).
    fn sequences_current(&mut self, tp: &TopicPartition) -> bool {
        let Some((_, epoch)) = self.producer_id.filter(|_| self.txn.is_none() && self.config.idempotent) else {
            return true;
        };
        match self.sequence_epochs.get(tp) {
            Some(&e) if e == epoch => return true,
            None if !self.sequences.contains_key(tp) => {
                self.sequence_epochs.insert(tp.clone(), epoch);
                return true;
            }
            _ => {}
        }
        if self.in_flight_count(tp) > 0 {
            return false;
        }
        let queued = self.batches.get_mut(tp).into_iter().flatten().filter(|b| b.base_sequence.is_some());
        let mut next = 0i32;
        if self.rewrite.remove(tp) {
            for b in queued {
                (b.base_sequence, b.producer_epoch) = (Some(next), Some(epoch));
                next = next.wrapping_add(b.record_count() as i32);
            }
        } else if queued.count() > 0 {
            // Retries of the old epoch go first, as they are.
            return false;
        }
        self.sequences.insert(tp.clone(), next);
        self.sequence_epochs.insert(tp.clone(), epoch);
        self.last_acked.remove(tp);
        true
    }

    /// The Java client's ordering guard for idempotent producers: a retried batch
    /// goes only when nothing of its partition is in flight (so sequences arrive in
    /// order), and a new batch only while fewer than five of the partition's
    /// batches are unresolved (the five the broker remembers for duplicates).
    fn may_send_sequenced(&self, tp: &TopicPartition, base_sequence: Option<i32>) -> bool {
        let in_flight = self.in_flight_count(tp);
        match base_sequence {
            Some(_) => in_flight == 0,
            None => {
                let queued = self.batches.get(tp).map_or(0, |q| q.iter().filter(|b| b.base_sequence.is_some()).count());
                in_flight + queued < crate::broker::log::PRODUCER_BATCHES_KEPT
            }
        }
    }

    /// The partition's leader epoch in the producer's metadata.
    fn leader_epoch(&self, tp: &TopicPartition) -> Option<u32> {
        Some(self.conn.topics.get(&tp.topic)?.get(tp.partition as usize)?.leader_epoch)
    }

    /// The sender found a batch for `broker` ready and could not send it.
    fn note_node_ready(&mut self, broker: u32, now: Instant) {
        match self.node_latency.get_mut(&broker) {
            Some(latency) => latency.0 = now,
            None => drop(self.node_latency.insert(broker, (now, Instant::ZERO))),
        }
    }

    /// Whether the adaptive partitioner leaves `broker` out: with
    /// partitioner.availability.timeout.ms, it had ready batches that long after it last took one
    /// (`RecordAccumulator.partitionReady`'s `readyTimeMs - drainTimeMs`).
    fn node_unavailable(&self, broker: u32) -> bool {
        let timeout = self.config.partitioner_availability_timeout_ms;
        if timeout == 0 || !self.config.partitioner_adaptive {
            return false;
        }
        self.node_latency.get(&broker).is_some_and(|&(ready, drained)| ready.saturating_since(drained).ms > timeout)
    }

    /// delivery.timeout.ms also ends batches in flight: each fails with a TimeoutException now,
    /// and its request stays out until answered or timed out (`Sender.getExpiredInflightBatches`).
    fn expire_in_flight(&mut self, fx: &mut Effects) {
        let delivery_timeout = Duration::from_ms(self.config.delivery_timeout_ms);
        let mut due = Vec::new();
        for (id, batches) in self.in_flight_batches.iter() {
            for (i, (_, b)) in batches.iter().enumerate() {
                if !b.expired && b.created + delivery_timeout <= fx.now {
                    due.push((*id, i));
                }
            }
        }
        for (id, i) in due {
            let Some((tp, batch)) = self.in_flight_batches.get_mut(&id).and_then(|b| b.get_mut(i)) else {
                continue;
            };
            batch.expired = true;
            let (tp, batch) = (tp.clone(), batch.clone());
            self.expire(&tp, &batch, fx);
        }
    }

    fn pop_batch(&mut self, tp: &TopicPartition) -> Batch {
        let batches = self.batches.get_mut(tp);
        let batch = batches.filter(|b| !b.is_empty()).map(|b| b.remove(0));
        batch.unwrap_or_else(|| Batch::new(0, 0, Instant::ZERO, true))
    }

    /// Java's `Sender.completeBatch` on an error: a retriable error is retried
    /// while `retries` and delivery.timeout.ms allow; anything else fails the batch.
    fn retry_or_fail(&mut self, tp: TopicPartition, mut batch: Batch, error: KafkaError, fx: &mut Effects) {
        // An idempotent producer's later batches are refused while an earlier one is
        // being retried; they go again in order (the Java Sender's in-order retry).
        let retriable =
            error.is_retriable() || (self.config.idempotent && error == KafkaError::OutOfOrderSequenceNumber);
        // PRODUCER_FENCED is fatal; INVALID_PRODUCER_EPOCH only fails the batch, and the transaction can
        // be aborted (Java since 2.7: `maybeTransitionToErrorState`); if a newer instance did take
        // over, the abort's EndTxn is answered PRODUCER_FENCED.
        if self.txn.is_some() && error == KafkaError::ProducerFenced {
            // A newer instance bumped the epoch: this one is a zombie.
            self.batch_done(&batch);
            self.fail_batch(tp, &batch, true, KafkaError::ProducerFenced, fx);
            self.on_txn_error(KafkaError::ProducerFenced, fx);
            return;
        }
        if !retriable || u64::from(batch.attempts) >= self.config.retries {
            // Java adjusts sequences only when the batch did not exhaust its retries: after the last
            // retry it cannot know whether the broker took the batch (`Sender.completeBatch`).
            if u64::from(batch.attempts) < self.config.retries {
                self.note_gap(&tp, &batch);
            }
            self.batch_done(&batch);
            self.fail_batch(tp, &batch, true, error, fx);
            return;
        }
        if batch.created + Duration::from_ms(self.config.delivery_timeout_ms) <= fx.now {
            // No time left to retry (`Sender.canRetry`): the batch fails with the broker's error.
            self.note_gap(&tp, &batch);
            self.batch_done(&batch);
            self.fail_batch(tp, &batch, true, error, fx);
            return;
        }
        batch.attempts += 1;
        let backoff = self.config.retry_backoff().backoff(batch.attempts - 1, &mut self.conn.backoff_rng);
        batch.retry_at = Some(fx.now + Duration::from_ms(backoff));
        batch.ready = true;
        fx.event(EventKind::Retrying {
            producer: self.conn.name.clone(),
            tp: tp.clone(),
            count: batch.record_count(),
            attempt: batch.attempts,
            error,
        });
        self.conn.refresh_metadata(alloc::vec![String::from(tp.topic.as_str())], true, fx);
        fx.timer_in(Duration::from_ms(backoff), Timer::RetryBatch(tp.clone()));
        self.requeue(tp, batch);
    }

    /// Back in line by sequence (Java's insertInSequenceOrder), or first when unsequenced
    /// (Java's `addFirst`), so records keep their order within the partition.
    fn requeue(&mut self, tp: TopicPartition, batch: Batch) {
        let queue = self.batches.entry(tp).or_default();
        let at = match batch.base_sequence {
            Some(seq) => queue.iter().position(|b| b.base_sequence.is_none_or(|s| s > seq)).unwrap_or(queue.len()),
            None => 0,
        };
        queue.insert(at, batch);
    }

    /// The answer to a batch that expired in flight: written, it moves the partition's last
    /// acknowledged sequence, so the gap may close without an epoch bump
    /// (`TransactionManager.handleCompletedBatch` runs for an expired batch too).
    fn note_expired_answer(&mut self, tp: &TopicPartition, batch: &Batch, written: bool) {
        if written {
            self.note_acked_sequence(tp, batch);
        }
    }

    /// The broker wrote `batch`: under the epoch the partition's sequences run under now, its last
    /// sequence is the partition's last acknowledged (Java's `lastAckedSequence`).
    fn note_acked_sequence(&mut self, tp: &TopicPartition, batch: &Batch) {
        let current = self.sequence_epochs.get(tp).copied() == batch.producer_epoch;
        if let (Some(seq), true) = (batch.base_sequence, current) {
            let last = seq.wrapping_add(batch.record_count() as i32 - 1);
            let acked = self.last_acked.entry(tp.clone()).or_insert(last);
            *acked = (*acked).max(last);
        }
    }

    fn expire(&mut self, tp: &TopicPartition, batch: &Batch, fx: &mut Effects) {
        self.note_gap(tp, batch);
        self.batch_done(batch);
        let since = fx.now.saturating_since(batch.created).ms;
        let count = batch.record_count();
        let msg = format!("Expiring {count} record(s) for {tp}: {since} ms has passed since batch creation");
        let sent = batch.attempts > 0 || batch.base_sequence.is_some();
        self.fail_batch(tp.clone(), batch, sent, KafkaError::Timeout(msg), fx);
    }

    /// A batch that had its sequence numbers failed: the partition's sequence has a gap, unless the
    /// producer is transactional (its transaction is aborted instead, and the abort moves on).
    fn note_gap(&mut self, tp: &TopicPartition, batch: &Batch) {
        if self.config.idempotent && self.txn.is_none() && batch.base_sequence.is_some() {
            self.unresolved.insert(tp.clone());
        }
    }

    fn fail(&mut self, tp: Option<TopicPartition>, count: usize, error: KafkaError, fx: &mut Effects) {
        self.fail_with(tp, count, error, None, fx);
    }

    /// A batch failed; if it went out (`sent`), a broker may still write it (a late write).
    fn fail_batch(&mut self, tp: TopicPartition, batch: &Batch, sent: bool, error: KafkaError, fx: &mut Effects) {
        let producer_id = self.producer_id.map_or(-1, |(id, _)| id);
        let sent = sent.then(|| (producer_id, alloc::rc::Rc::from(batch.timestamps_ms.as_slice())));
        self.fail_with(Some(tp), batch.record_count(), error, sent, fx);
    }

    fn fail_with(
        &mut self,
        tp: Option<TopicPartition>,
        count: usize,
        error: KafkaError,
        sent: Option<(i64, alloc::rc::Rc<[u64]>)>,
        fx: &mut Effects,
    ) {
        self.failed_records += count as u64;
        let producer = self.conn.name.clone();
        fx.event(EventKind::ProduceFailed { producer, tp, count, error: error.clone(), sent });
        // A record of the transaction is lost: it can only be aborted now.
        self.txn_abortable(error, fx);
    }

    pub fn on_response(&mut self, correlation_id: u32, response: Response, fx: &mut Effects) {
        let Some(done) = self.conn.complete(correlation_id, fx) else {
            return;
        };
        if self.on_txn_response(&done.request, &response, fx) {
            self.drain(fx);
            return;
        }
        match response {
            Response::Metadata { brokers, topics } => {
                let errors = self.conn.on_metadata(brokers, topics);
                if errors.is_empty() {
                    self.metadata_failures = 0;
                } else {
                    // Java's metadata backoff: retry.backoff.ms doubling up to retry.backoff.max.ms.
                    let wait = self.metadata_backoff();
                    fx.timer_in(wait, Timer::MetadataRetry);
                }
                // Metadata is asked for again metadata.max.age.ms after an answer, so that new
                // partitions are found (`Metadata.timeToNextUpdate`).
                fx.cancel(Timer::MetadataRefresh);
                fx.timer_in(Duration::from_ms(self.config.metadata_max_age_ms), Timer::MetadataRefresh);
                // With errors, the backoff timer asks again; without, ask now for any other topic.
                self.release_waiting(errors.is_empty(), fx);
            }
            Response::InitProducerId { result: Ok((producer_id, producer_epoch)), .. } => {
                self.init_in_flight = false;
                self.producer_id = Some((producer_id, producer_epoch));
                let producer = self.conn.name.clone();
                fx.event(EventKind::ProducerIdAssigned { producer, producer_id, epoch: producer_epoch });
            }
            Response::Produce { partitions } => {
                let Some(batches) = self.in_flight_batches.remove(&correlation_id) else {
                    return;
                };
                for (tp, batch) in batches {
                    let Some(answer) = partitions.iter().find(|p| p.tp == tp) else {
                        // A broker answers every partition of a request; a batch without its
                        // answer is retried as if the connection had failed.
                        debug_assert!(false, "the Produce answer has no {tp}");
                        self.retry_or_fail(tp, batch, KafkaError::NetworkException, fx);
                        continue;
                    };
                    self.complete_batch(tp, batch, answer.result.clone(), answer.log_append_time_ms, fx);
                }
            }
            _ => {}
        }
        self.drain(fx);
    }

    /// A partition's answer to a batch (`Sender.completeBatch`).
    fn complete_batch(
        &mut self,
        tp: TopicPartition,
        batch: Batch,
        result: Result<u64, KafkaError>,
        log_append_time_ms: Option<u64>,
        fx: &mut Effects,
    ) {
        if batch.expired {
            // Failed already: the answer only says whether the broker has its sequences.
            self.note_expired_answer(&tp, &batch, result.is_ok());
            return;
        }
        match result {
            Ok(base_offset) => {
                self.batch_done(&batch);
                let count = batch.record_count();
                self.note_acked_sequence(&tp, &batch);
                self.acked_records += count as u64;
                let producer = self.conn.name.clone();
                // Each send's RecordMetadata: its offset, and the broker's time for a
                // LogAppendTime topic, else the record's own CreateTime.
                let mut timestamps = batch.timestamps_ms;
                if let Some(t) = log_append_time_ms {
                    timestamps.fill(t);
                }
                fx.event(EventKind::Acked { producer, tp, base_offset: Some(base_offset), count, timestamps });
            }
            Err(e) => self.retry_or_fail(tp, batch, e, fx),
        }
    }

    pub fn on_timer(&mut self, timer: Timer, fx: &mut Effects) {
        match timer {
            Timer::Linger(tp) => {
                let linger = Duration::from_ms(self.config.linger_ms);
                for b in self.batches.get_mut(&tp).into_iter().flatten() {
                    if b.created + linger <= fx.now {
                        b.ready = true;
                    }
                }
            }
            Timer::RequestTimeout(_) | Timer::Disconnected(_) | Timer::Refused(_) => {
                let refused = matches!(timer, Timer::Refused(_));
                for (id, InFlight { request, .. }, error) in self.conn.fail(&timer, fx) {
                    match request {
                        Request::Metadata { .. } => {
                            self.conn.metadata_in_flight = false;
                            let wait = self.metadata_backoff();
                            fx.timer_in(wait, Timer::MetadataRetry);
                            // The periodic refresh goes on after a lost answer too.
                            fx.cancel(Timer::MetadataRefresh);
                            fx.timer_in(wait, Timer::MetadataRefresh);
                        }
                        Request::FindTransactionCoordinator { .. }
                        | Request::FindCoordinator { .. }
                        | Request::InitProducerId { transactional_id: Some(_), .. }
                        | Request::AddPartitionsToTxn { .. }
                        | Request::AddOffsetsToTxn { .. }
                        | Request::EndTxn { .. }
                        | Request::TxnOffsetCommit { .. } => self.on_txn_error(error, fx),
                        Request::InitProducerId { .. } => {
                            // Ask another broker after the backoff.
                            self.init_in_flight = false;
                            fx.timer_in(Duration::from_ms(self.config.retry_backoff_ms), Timer::MetadataRetry);
                        }
                        Request::Produce { .. } => {
                            for (tp, batch) in self.in_flight_batches.remove(&id).unwrap_or_default() {
                                if batch.expired {
                                    self.note_expired_answer(&tp, &batch, false);
                                } else if refused {
                                    // The connection was refused: the batch never went, so it spends
                                    // no retry; it waits at the head of its queue for the connection
                                    // (reconnect.backoff.ms), as Java's sender drains only to ready nodes.
                                    let topic = String::from(tp.topic.as_str());
                                    self.conn.refresh_metadata(alloc::vec![topic], true, fx);
                                    self.requeue(tp, batch);
                                } else {
                                    self.retry_or_fail(tp, batch, error.clone(), fx);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Timer::MetadataRetry => self.release_waiting(true, fx),
            Timer::MetadataRefresh if !self.closed => {
                let topics: Vec<String> = self.conn.topics.keys().map(|t| String::from(t.as_str())).collect();
                self.conn.refresh_metadata(topics, true, fx);
            }
            Timer::MemoryWait => self.release_memory_waiting(fx),
            Timer::Traffic => self.traffic_send(fx),
            // The batch whose backoff ended goes out in drain() below.
            _ => {}
        }
        self.drain(fx);
    }

    /// The wait before asking for metadata again after a failed answer (`Metadata.refreshBackoff`).
    fn metadata_backoff(&mut self) -> Duration {
        let wait = self.config.retry_backoff().backoff(self.metadata_failures, &mut self.conn.backoff_rng);
        self.metadata_failures += 1;
        Duration::from_ms(wait)
    }

    /// Moves records whose topic metadata arrived into batches; fails those
    /// that waited longer than max.block.ms; asks again for the rest.
    fn release_waiting(&mut self, ask_again: bool, fx: &mut Effects) {
        let max_block = Duration::from_ms(self.config.max_block_ms);
        let mut missing: Vec<String> = Vec::new();
        for mut w in core::mem::take(&mut self.waiting) {
            if let Some(known) = self.conn.topic_name(&w.record.topic) {
                // The record takes the name the metadata is kept under, as every later send's
                // record does, so that the partitioner's and the batches' keys made from it
                // compare with theirs by pointer.
                w.record.topic = known;
                let _ = self.accumulate(w.record, w.since, fx);
                if w.flushed {
                    self.batches.values_mut().flatten().for_each(|b| b.ready = true);
                }
            } else if w.since + max_block <= fx.now {
                let msg = format!("Topic {} not present in metadata after {} ms.", w.record.topic, max_block.ms);
                self.fail(None, 1, KafkaError::Timeout(msg), fx);
            } else {
                if !missing.iter().any(|t| *t == w.record.topic) {
                    missing.push(String::from(w.record.topic.as_str()));
                }
                self.waiting.push(w);
            }
        }
        if ask_again {
            self.conn.refresh_metadata(missing, true, fx);
        }
    }
}

/// What a drain does with a partition's first batch.
enum Drain {
    /// Not now; the drain goes on to the next partition.
    Skip,
    /// Not now, and the drain ends here: the request is full, or the partition must wait
    /// (for its transaction, its turn to retry or new sequences).
    Stop,
    Take(Batch, BatchBytes),
}

impl Batch {
    /// An empty batch with room for `capacity` records of `record_bytes` each.
    fn new(capacity: usize, record_bytes: usize, created: Instant, ready: bool) -> Self {
        Batch {
            section: Vec::with_capacity(capacity * record_bytes),
            timestamps_ms: Vec::with_capacity(capacity),
            bytes: batch::HEADER_BYTES,
            created,
            ready,
            attempts: 0,
            retry_at: None,
            base_sequence: None,
            producer_epoch: None,
            leader_epoch: None,
            leader_changed_on: None,
            expired: false,
        }
    }

    /// Records in the batch.
    pub fn record_count(&self) -> usize {
        self.timestamps_ms.len()
    }

    /// The offset and timestamp deltas of a record appended now with this CreateTime.
    fn deltas(&self, timestamp_ms: u64) -> (i32, i64) {
        let base_ms = self.timestamps_ms.first().copied().unwrap_or(timestamp_ms);
        (self.record_count() as i32, timestamp_ms as i64 - base_ms as i64)
    }

    /// The bytes a record would add: its offset and timestamp deltas depend on where it goes.
    fn size_of(&self, fields: &RecordFields<'_>, timestamp_ms: u64) -> usize {
        let (offset_delta, timestamp_delta) = self.deltas(timestamp_ms);
        fields.record_bytes(offset_delta, timestamp_delta)
    }

    /// Encodes a record onto the batch.
    fn append(&mut self, fields: &RecordFields<'_>, timestamp_ms: u64) {
        let (offset_delta, timestamp_delta) = self.deltas(timestamp_ms);
        self.bytes += batch::append_record(&mut self.section, offset_delta, timestamp_delta, fields);
        self.timestamps_ms.push(timestamp_ms);
    }

    /// The v2 record batch for this batch's records: header, records (compressed) and CRC.
    fn encode(&self, mut header: RecordBatch) -> Result<crate::batch::BatchBytes, crate::batch::BatchError> {
        header.last_offset_delta = self.record_count().saturating_sub(1) as i32;
        header.base_timestamp = self.timestamps_ms.first().map_or(0, |&t| t as i64);
        header.max_timestamp = self.timestamps_ms.iter().max().map_or(header.base_timestamp, |&t| t as i64);
        header.encode_section(self.record_count(), &self.section)
    }
}
