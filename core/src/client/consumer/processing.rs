//! The application behind a poll loop: it processes each polled record in
//! `processing.ms`, commits before or after processing (or leaves it to
//! auto-commit), fails records whose value matches a rule (retrying, then
//! stopping, skipping or dead-lettering them), can crash after N records,
//! and can skip ids it has seen (an idempotent consumer).
//!
//! Processing happens between polls, as in a Java poll loop: while a batch is
//! being processed no poll runs, so no rebalance completes and
//! max.poll.interval.ms keeps counting. That is what makes the delivery
//! guarantees visible: commit-before-process loses the rest of a batch on a
//! crash (at most once), process-then-commit reads it again (at least once).

use super::Consumer;
use crate::command::{CommitMode, OnFailure};
use crate::effects::{Effects, PipelineOp, Timer};
use crate::event::EventKind;
use crate::limits::{PROCESSED_IDS_MAX, PROCESSED_RECORDS_MAX};
use crate::protocol::TopicPartition;
use crate::record::{Header, ProducerRecord, Record};
use crate::time::Duration;
use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

impl Consumer {
    /// Whether polled records go through the processing model (any setting
    /// differs from "instant, auto-commit"); otherwise they count as processed on return.
    pub(super) fn models_processing(&self) -> bool {
        self.looping && !self.processing.words().is_empty()
    }

    /// A poll returned `records` to the application.
    pub(super) fn take_batch(&mut self, records: &[(TopicPartition, Record)], fx: &mut Effects) {
        if !self.models_processing() {
            for run in records.chunk_by(|(a, _), (b, _)| a == b) {
                for (tp, r) in run {
                    self.note_processed_only(tp, r.offset);
                }
                if let Some((tp, r)) = run.last() {
                    super::set_offset(&mut self.processed_upto, tp, r.offset + 1);
                }
            }
            return;
        }
        if self.processing.commit == CommitMode::Before && !records.is_empty() {
            // commitSync() of the positions poll just reached: these records count as done.
            let offsets = self.consumed();
            self.queue_commit("before processing", offsets, fx);
        }
        if self.processing.commit == CommitMode::Transaction && !records.is_empty() {
            // beginTransaction: this batch's output and offsets commit together.
            fx.pipeline.push(PipelineOp::Begin);
            self.txn_open = true;
        }
        self.work.extend(records.iter().cloned());
        self.attempts = 0;
        self.next_step(fx);
    }

    /// Schedules the next record's processing, or the next poll once the batch is done.
    fn next_step(&mut self, fx: &mut Effects) {
        if self.work.is_empty() && self.close_requested {
            // The graceful shutdown: the batch is done; close() commits and leaves.
            self.close_requested = false;
            return self.close(fx);
        }
        if self.work.is_empty() {
            if self.processing.commit == CommitMode::After {
                let offsets = self.take_processed_offsets();
                self.queue_commit("after processing", offsets, fx);
            }
            if self.txn_open {
                // sendOffsetsToTransaction and commitTransaction; the next poll waits for the commit.
                self.txn_open = false;
                let group = self.config.group_id.clone().unwrap_or_default();
                let member = self.group_metadata();
                fx.pipeline.push(PipelineOp::Commit { group, member, offsets: self.take_processed_offsets() });
                self.awaiting_txn = true;
                return;
            }
            fx.timer_in(Duration::ZERO, Timer::NextPoll);
        } else {
            fx.timer_in(Duration::from_ms(self.processing.processing_ms), Timer::ProcessNext);
        }
    }

    /// One record's processing time has passed: it succeeds, fails or is skipped.
    pub(super) fn process_next(&mut self, fx: &mut Effects) {
        if self.closed || !self.looping {
            return;
        }
        let Some((tp, record)) = self.work.front().cloned() else {
            return self.next_step(fx);
        };
        let consumer = self.conn.name.clone();
        let id = record.key.clone().or_else(|| record.value.clone()).unwrap_or_default();
        let outcome: String;
        if self.processing.dedupe && self.seen_ids.contains(&id) {
            outcome = String::from("skipped: its id was processed before (idempotent consumer)");
        } else if self.fails(&record) {
            self.attempts += 1;
            if self.attempts <= self.processing.retries {
                let (attempt, of) = (self.attempts, self.processing.retries + 1);
                let outcome = format!("failed (attempt {attempt} of {of}); retrying");
                fx.event(EventKind::Processed { consumer, tp, offset: record.offset, outcome });
                return self.next_step(fx);
            }
            match self.processing.on_failure {
                // Release and reject are a share consumer's (the simulation refuses them here).
                OnFailure::Stop | OnFailure::Release | OnFailure::Reject => {
                    let outcome = String::from("failed: the exception ends the poll loop (a poison pill)");
                    fx.event(EventKind::Processed { consumer, tp, offset: record.offset, outcome });
                    self.work.clear();
                    self.looping = false;
                    return;
                }
                OnFailure::Skip => outcome = String::from("failed; skipped"),
                OnFailure::DeadLetter => {
                    fx.produce.push(dead_letter(&tp, &record, self.attempts));
                    outcome = format!("failed {} time(s); sent to {}.DLQ", self.attempts, tp.topic);
                }
            }
        } else {
            outcome = match &self.processing.output {
                Some(topic) => {
                    fx.pipeline.push(PipelineOp::Send(self.output_record(topic, &tp, &record, fx.now.ms)));
                    format!("ok; sent to {topic}")
                }
                None => String::from("ok"),
            };
        }
        self.work.pop_front();
        self.attempts = 0;
        if self.processing.dedupe && self.seen_ids.len() < PROCESSED_IDS_MAX {
            self.seen_ids.insert(id);
        }
        self.note_processed(&tp, record.offset);
        fx.event(EventKind::Processed { consumer, tp, offset: record.offset, outcome });
        if self.processing.crash_after.is_some_and(|n| self.processed_count >= n) {
            // The process dies here: the rest of the batch and any commit never happen.
            fx.crash_self = true;
            return;
        }
        self.next_step(fx);
    }

    /// The producer's transaction ended (committed or aborted): the poll loop goes on.
    pub fn pipeline_done(&mut self, fx: &mut Effects) {
        if self.awaiting_txn && self.looping && !self.closed {
            self.awaiting_txn = false;
            fx.timer_in(Duration::ZERO, Timer::NextPoll);
        }
    }

    /// The application's producer failed for good (fenced by a newer instance with the same
    /// transactional.id, or another fatal error). A Java exactly-once loop catches
    /// ProducerFencedException, closes its producer and consumer and ends; so does this one,
    /// leaving its group so that its partitions go to the members still running. Carrying on would
    /// move positions past records whose output can never be written.
    pub fn pipeline_failed(&mut self, error: crate::error::KafkaError, fx: &mut Effects) {
        self.work.clear();
        self.txn_open = false;
        self.awaiting_txn = false;
        self.stop_polling(error, fx);
        self.close(fx);
    }

    /// A processed record as the application writes it: the key kept, the value
    /// transformed, and a `source` header naming the input record (what duplicates are counted by).
    fn output_record(&self, topic: &str, tp: &TopicPartition, r: &Record, now_ms: u64) -> ProducerRecord<'static> {
        let source = format!("{tp}@{}", r.offset);
        ProducerRecord {
            topic: topic.into(),
            partition: None,
            key: r.key.as_deref().map(|k| Cow::Owned(k.to_vec())),
            value: self.processing.transform.apply(r.value.as_deref(), now_ms).map(Cow::Owned),
            headers: alloc::vec![Header { key: "source".into(), value: Some(source.into_bytes()) }],
        }
    }

    /// The offset after the last processed record of each assigned partition the application
    /// processed records of since its last commit of processed offsets, as the Javadoc's manual
    /// offset control commits them (`commitSync(Map)` of the batch's partitions, `lastOffset + 1`).
    /// Taken, not copied: a partition this application left and got back later, after another
    /// member committed further, must not be committed at the offset it had reached before.
    pub(super) fn take_processed_offsets(&mut self) -> Vec<(TopicPartition, u64)> {
        let mut offsets = Vec::new();
        while let Some((tp, o)) = self.processed_upto.pop_first() {
            if self.assignment.contains(&tp) {
                offsets.push((tp, o));
            }
        }
        offsets
    }

    fn fails(&self, record: &Record) -> bool {
        let (Some(rule), Some(value)) = (&self.processing.fail_value, &record.value) else {
            return false;
        };
        let rule = rule.as_bytes();
        value.windows(rule.len()).any(|w| w == rule)
    }

    fn note_processed(&mut self, tp: &TopicPartition, offset: u64) {
        self.note_processed_only(tp, offset);
        super::set_offset(&mut self.processed_upto, tp, offset + 1);
    }

    /// Counts and lists a processed record; the caller moves `processed_upto` (once per run of
    /// one partition's records when a whole poll is done at once).
    fn note_processed_only(&mut self, tp: &TopicPartition, offset: u64) {
        self.processed_count += 1;
        if self.processed.len() == PROCESSED_RECORDS_MAX {
            self.processed.pop_front();
        }
        self.processed.push_back((tp.clone(), offset));
    }
}

/// The record for `<topic>.DLQ`: the original key and value, with headers saying where it came from.
fn dead_letter(tp: &TopicPartition, r: &Record, attempts: u32) -> ProducerRecord<'static> {
    let header = |k: &str, v: String| Header { key: k.into(), value: Some(v.into_bytes()) };
    let mut headers = r.headers.clone();
    headers.push(header("dlq.original.topic", String::from(tp.topic.as_str())));
    headers.push(header("dlq.original.partition", format!("{}", tp.partition)));
    headers.push(header("dlq.original.offset", format!("{}", r.offset)));
    headers.push(header("dlq.attempts", format!("{attempts}")));
    ProducerRecord {
        topic: format!("{}.DLQ", tp.topic).into(),
        partition: None,
        key: r.key.as_deref().map(|k| Cow::Owned(k.to_vec())),
        value: r.value.as_deref().map(|v| Cow::Owned(v.to_vec())),
        headers,
    }
}
