//! Compare: the same session run twice, the second with one setting changed
//! (`p acks=1`, `orders unclean.leader.election.enable=true`,
//! `all-consumers partition.assignment.strategy=range`, `cluster
//! transaction.version=1`), in step, and what came out differently: records
//! acknowledged and then lost, written twice, read twice, never processed,
//! failed yet read, partitions without a leader or a consumer.
//!
//! Both runs replay the same commands, so their clocks agree; the second
//! applies the change where the setting's owner is created. A [`Comparison`]
//! follows a growing session incrementally ([`Comparison::sync`]).

use crate::command::{Command, Configs, SharedCommand};
use crate::event::{Event, EventKind};
use crate::protocol::TopicPartition;
use crate::sim::Sim;
use crate::sorted::{SortedMap, SortedSet};
use crate::view::ClusterView;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// Whose setting changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// The producer, consumer or topic of this name.
    Named(String),
    AllProducers,
    AllConsumers,
    AllTopics,
    /// The cluster's own settings (`transaction.version`, `offsets.retention.minutes`).
    Cluster,
}

/// One setting changed: `TARGET KEY=VALUE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub target: Target,
    pub key: String,
    pub value: String,
}

/// A change that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeError {
    /// Not `TARGET KEY=VALUE`.
    Shape,
    /// The change names nothing the session creates.
    NoTarget(String),
    /// A cluster setting Compare cannot change, or a value it cannot take.
    ClusterSetting,
}

impl fmt::Display for ChangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeError::Shape => f.write_str(
                "a change is NAME KEY=VALUE, for a producer, consumer or topic of the session (or all-producers, all-consumers, all-topics), e.g. p acks=1",
            ),
            ChangeError::NoTarget(name) => {
                write!(f, "the session creates no producer, consumer or topic named {name}")
            }
            ChangeError::ClusterSetting => {
                f.write_str("the cluster's settings to change are transaction.version=1|2, transaction.partition.verification.enable=BOOL, offsets.retention.minutes=N, num.partitions=N, default.replication.factor=N, replica.lag.time.max.ms=MS, log.retention.check.interval.ms=MS and group.initial.rebalance.delay.ms, group.min.session.timeout.ms or group.max.session.timeout.ms=MS")
            }
        }
    }
}

impl Change {
    pub fn parse(text: &str) -> Result<Change, ChangeError> {
        let mut words = text.split_whitespace();
        let (Some(target), Some(setting), None) = (words.next(), words.next(), words.next()) else {
            return Err(ChangeError::Shape);
        };
        let (key, value) = setting.split_once('=').ok_or(ChangeError::Shape)?;
        if key.is_empty() || value.is_empty() {
            return Err(ChangeError::Shape);
        }
        let target = match target {
            "all-producers" => Target::AllProducers,
            "all-consumers" => Target::AllConsumers,
            "all-topics" => Target::AllTopics,
            "cluster" => Target::Cluster,
            name => Target::Named(String::from(name)),
        };
        let change = Change { target, key: String::from(key), value: String::from(value) };
        if change.target == Target::Cluster && change.cluster_value().is_none() {
            return Err(ChangeError::ClusterSetting);
        }
        Ok(change)
    }

    /// A cluster change's value, checked as Kafka's ConfigDef would (`transaction.version` 1 or 2,
    /// minutes, partitions and the retention check above 0, an INT config within an int), or
    /// verification on (1) or off (0).
    fn cluster_value(&self) -> Option<u64> {
        let number = self.value.parse::<u64>().ok();
        match self.key.as_str() {
            "transaction.version" => number.filter(|v| (1..=2).contains(v)),
            "offsets.retention.minutes" | "num.partitions" | "default.replication.factor" => {
                number.filter(|v| *v > 0 && *v <= u64::from(u32::MAX))
            }
            "log.retention.check.interval.ms" | "connections.max.idle.ms" => number.filter(|v| *v > 0),
            "replica.lag.time.max.ms" => number,
            "group.initial.rebalance.delay.ms" | "group.min.session.timeout.ms" | "group.max.session.timeout.ms" => {
                number.filter(|v| *v <= u64::from(u32::MAX))
            }
            "transaction.partition.verification.enable" => match self.value.as_str() {
                "true" => Some(1),
                "false" => Some(0),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether some command of the session creates what the change is about.
    pub fn check(&self, session: &[SharedCommand]) -> Result<(), ChangeError> {
        if session.iter().any(|c| self.applies_to(c)) {
            Ok(())
        } else {
            Err(ChangeError::NoTarget(self.target_text()))
        }
    }

    fn target_text(&self) -> String {
        match &self.target {
            Target::Named(n) => n.clone(),
            Target::AllProducers => String::from("all-producers"),
            Target::AllConsumers => String::from("all-consumers"),
            Target::AllTopics => String::from("all-topics"),
            Target::Cluster => String::from("cluster"),
        }
    }

    fn applies_to(&self, command: &Command) -> bool {
        match (command, &self.target) {
            (Command::Producer { .. }, Target::AllProducers)
            | (Command::Consumer { .. }, Target::AllConsumers)
            | (Command::CreateTopic { .. }, Target::AllTopics)
            | (Command::Cluster(_), Target::Cluster) => true,
            (Command::Producer { name, .. } | Command::Consumer { name, .. }, Target::Named(n))
            | (Command::CreateTopic { name, .. }, Target::Named(n)) => name == n,
            _ => false,
        }
    }

    /// The command as the changed run applies it.
    pub fn apply(&self, shared: &SharedCommand) -> SharedCommand {
        let command: &Command = shared;
        if !self.applies_to(command) {
            return SharedCommand::clone(shared);
        }
        // Switching a consumer's group.protocol drops the other protocol's settings, which Kafka
        // refuses beside it (`ConsumerConfig.checkUnsupportedConfigsPostProcess`).
        let other: &[&str] = match (self.key.as_str(), self.value.to_ascii_lowercase().as_str()) {
            ("group.protocol", "consumer") => {
                &["partition.assignment.strategy", "heartbeat.interval.ms", "session.timeout.ms"]
            }
            ("group.protocol", _) => &["group.remote.assignor"],
            _ => &[],
        };
        let set = |configs: &Configs| {
            let mut out: Configs =
                configs.iter().filter(|(k, _)| *k != self.key && !other.contains(&k.as_str())).cloned().collect();
            out.push((self.key.clone(), self.value.clone()));
            out
        };
        SharedCommand::new(match command {
            Command::Producer { name, configs } => Command::Producer { name: name.clone(), configs: set(configs) },
            Command::Consumer { name, configs } => Command::Consumer { name: name.clone(), configs: set(configs) },
            Command::CreateTopic { assignment, name, partitions, replication_factor, configs } => {
                Command::CreateTopic {
                    assignment: assignment.clone(),
                    name: name.clone(),
                    partitions: *partitions,
                    replication_factor: *replication_factor,
                    configs: set(configs),
                }
            }
            Command::Cluster(settings) => {
                let mut settings = settings.clone();
                let value = self.cluster_value().unwrap_or_default();
                match self.key.as_str() {
                    "transaction.version" => settings.transaction_version = value as u8,
                    "transaction.partition.verification.enable" => settings.partition_verification = value == 1,
                    // Checked to fit by cluster_value.
                    "num.partitions" => settings.num_partitions = value as u32,
                    "default.replication.factor" => settings.default_replication_factor = value as u32,
                    "log.retention.check.interval.ms" => settings.log_retention_check_interval_ms = value,
                    "replica.lag.time.max.ms" => settings.replica_lag_time_max_ms = value,
                    "connections.max.idle.ms" => settings.connections_max_idle_ms = value,
                    "group.initial.rebalance.delay.ms" => settings.group.initial_rebalance_delay_ms = value,
                    "group.min.session.timeout.ms" => settings.group.min_session_timeout_ms = value,
                    "group.max.session.timeout.ms" => settings.group.max_session_timeout_ms = value,
                    _ => settings.offsets_retention_minutes = value,
                }
                Command::Cluster(settings)
            }
            _ => return SharedCommand::clone(shared),
        })
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}={}", self.target_text(), self.key, self.value)
    }
}

/// Changes worth trying on this session, one per line: each setting the playground's
/// comparisons are about (acks, idempotence, isolation level, the rebalance protocol,
/// unclean election), turned the other way from how the session sets it: producers' first,
/// then consumers', then topics'.
pub fn suggestions(session: &[SharedCommand]) -> Vec<String> {
    let get = |configs: &Configs, key: &str| configs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    let rank = |c: &&Command| match c {
        Command::Producer { .. } => 0,
        Command::Consumer { .. } => 1,
        _ => 2,
    };
    let version = session.iter().find_map(|c| match &**c {
        Command::Cluster(s) => Some(s.transaction_version),
        _ => None,
    });
    let mut ordered: Vec<&Command> = session.iter().map(|c| &**c).collect();
    crate::sort::sort_by_key(&mut ordered, rank);
    for command in ordered {
        match command {
            Command::Producer { name, configs } => {
                let acks = get(configs, "acks").unwrap_or_else(|| String::from("all"));
                push(format!("{name} acks={}", if acks == "all" || acks == "-1" { "1" } else { "all" }));
                if get(configs, "transactional.id").is_none() {
                    let idempotent = get(configs, "enable.idempotence").is_none_or(|v| v == "true");
                    push(format!("{name} enable.idempotence={}", !idempotent));
                } else if let Some(v) = version {
                    push(format!("cluster transaction.version={}", if v >= 2 { 1 } else { 2 }));
                }
            }
            Command::Consumer { name, configs } => {
                let committed = get(configs, "isolation.level").is_some_and(|v| v == "read_committed");
                push(format!(
                    "{name} isolation.level={}",
                    if committed { "read_uncommitted" } else { "read_committed" }
                ));
                if get(configs, "group.id").is_some() {
                    let consumer = get(configs, "group.protocol").is_some_and(|v| v.eq_ignore_ascii_case("consumer"));
                    let cooperative =
                        get(configs, "partition.assignment.strategy").is_some_and(|v| v.starts_with("cooperative"));
                    if !consumer {
                        push(format!(
                            "all-consumers partition.assignment.strategy={}",
                            if cooperative { "range" } else { "cooperative-sticky" }
                        ));
                    }
                    push(format!("all-consumers group.protocol={}", if consumer { "classic" } else { "consumer" }));
                }
            }
            Command::CreateTopic { name, configs, .. } if !name.starts_with("__") => {
                let unclean = get(configs, "unclean.leader.election.enable").is_some_and(|v| v == "true");
                push(format!("{name} unclean.leader.election.enable={}", !unclean));
            }
            _ => {}
        }
    }
    out
}

/// Acknowledged records a run may remember, a stated limit (beyond it the lost count is a lower bound).
pub const ACKED_REMEMBERED_MAX: usize = 100_000;

/// What a run's events say, as they come.
#[derive(Clone, Debug, Default)]
struct Tally {
    /// Acknowledged records: partition and offset, with the timestamp the producer was told.
    acked: SortedMap<(TopicPartition, u64), u64>,
    acked_records: u64,
    failed_records: u64,
    /// Partitions without a leader since (ms).
    offline_since: SortedMap<TopicPartition, u64>,
    offline_ms: u64,
    /// Each consumer's group and current partitions; the partitions a group has ever had.
    group_of: SortedMap<String, String>,
    owned: SortedMap<String, SortedSet<TopicPartition>>,
    group_partitions: SortedMap<String, SortedSet<TopicPartition>>,
    /// Group partitions without an owner: since when, and the time summed.
    unowned_since: SortedMap<(String, TopicPartition), u64>,
    unowned_ms: u64,
    /// Partitions taken from consumers (revoked or lost) by rebalances.
    revoked: u64,
    /// Records polls returned (the view keeps only the newest of each consumer).
    consumed: u64,
    /// Records of batches that failed after going out: partition, producer id, CreateTime.
    failed_sent: SortedSet<(TopicPartition, i64, u64)>,
    /// Records a consumer read after their send had failed: partition and offset.
    read_after_failure: SortedSet<(TopicPartition, u64)>,
}

impl Tally {
    fn observe(&mut self, event: &Event) {
        let at = event.at.ms;
        match &event.kind {
            EventKind::Acked { tp, base_offset: Some(base), count, timestamps, .. } => {
                self.acked_records += *count as u64;
                for (i, ts) in timestamps.iter().enumerate().take(*count) {
                    if self.acked.len() < ACKED_REMEMBERED_MAX {
                        self.acked.insert((tp.clone(), base + i as u64), *ts);
                    }
                }
            }
            EventKind::Acked { base_offset: None, count, .. } => self.acked_records += *count as u64,
            EventKind::Polled { records, .. } => {
                self.consumed += records.len() as u64;
                for (tp, r) in records.iter() {
                    if self.failed_sent.contains(&(tp.clone(), r.producer_id, r.timestamp_ms)) {
                        self.read_after_failure.insert((tp.clone(), r.offset));
                    }
                }
            }
            EventKind::ProduceFailed { count, tp, sent, .. } => {
                self.failed_records += *count as u64;
                if let (Some(tp), Some((producer_id, timestamps))) = (tp, sent) {
                    for ts in timestamps.iter().take(ACKED_REMEMBERED_MAX.saturating_sub(self.failed_sent.len())) {
                        self.failed_sent.insert((tp.clone(), *producer_id, *ts));
                    }
                }
            }
            EventKind::LeaderElected { tp, leader, .. } => match leader {
                None => {
                    self.offline_since.entry(tp.clone()).or_insert(at);
                }
                Some(_) => {
                    if let Some(since) = self.offline_since.remove(tp) {
                        self.offline_ms += at.saturating_sub(since);
                    }
                }
            },
            EventKind::JoinedGroup { consumer, group, .. } | EventKind::MemberEpoch { consumer, group, .. } => {
                self.group_of.insert(consumer.clone(), group.clone());
            }
            EventKind::PartitionsChanged { consumer, change, partitions } => {
                let owned = self.owned.entry(consumer.clone()).or_default();
                if *change != "assigned" {
                    self.revoked += partitions.len() as u64;
                }
                if *change == "assigned" {
                    owned.extend(partitions.iter().cloned());
                } else {
                    for tp in partitions {
                        owned.remove(tp);
                    }
                }
                self.regroup(consumer, at);
            }
            EventKind::ClientCrashed { name } | EventKind::Closed { client: name, .. } => {
                self.owned.remove(name);
                self.regroup(name, at);
            }
            _ => {}
        }
    }

    /// After `consumer`'s partitions changed: which of its group's partitions have no owner now.
    fn regroup(&mut self, consumer: &str, at: u64) {
        let Some(group) = self.group_of.get(consumer).cloned() else { return };
        let members: Vec<&String> = self.group_of.iter().filter(|(_, g)| **g == group).map(|(c, _)| c).collect();
        let owned: SortedSet<TopicPartition> =
            members.iter().filter_map(|c| self.owned.get(*c)).flat_map(|s| s.iter().cloned()).collect();
        let known = self.group_partitions.entry(group.clone()).or_default();
        known.extend(owned.iter().cloned());
        for tp in known.iter() {
            let key = (group.clone(), tp.clone());
            if owned.contains(tp) {
                if let Some(since) = self.unowned_since.remove(&key) {
                    self.unowned_ms += at.saturating_sub(since);
                }
            } else {
                self.unowned_since.entry(key).or_insert(at);
            }
        }
    }
}

/// One session's replay, following the session as it grows.
#[derive(Debug)]
pub struct Run {
    pub sim: Sim,
    /// The session's commands as this run applied them (before the change).
    applied: Vec<SharedCommand>,
    tally: Tally,
    /// Commands this run refused, by their place in the session (the change can make one invalid).
    pub refused: Vec<(usize, String)>,
}

impl Run {
    fn new(seed: u64) -> Run {
        Run { sim: Sim::new(seed), applied: Vec::new(), tally: Tally::default(), refused: Vec::new() }
    }

    fn apply(&mut self, command: &SharedCommand, change: Option<&Change>) {
        let varied = change.map_or_else(|| SharedCommand::clone(command), |c| c.apply(command));
        if let Err(e) = self.sim.apply(&varied) {
            self.refused.push((self.applied.len(), e.to_string()));
        }
        self.applied.push(SharedCommand::clone(command));
        for e in self.sim.drain_events() {
            self.tally.observe(&e);
        }
    }
}

/// The two runs and the change between them.
#[derive(Debug)]
pub struct Comparison {
    pub change: Change,
    seed: u64,
    /// `[as the session is, with the change]`.
    pub runs: [Run; 2],
}

/// One line of the summary: a quantity in both runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub what: &'static str,
    /// How it is counted, for a tooltip.
    pub how: &'static str,
    pub values: [u64; 2],
    /// Milliseconds, shown as time.
    pub is_time: bool,
}

impl Comparison {
    pub fn new(seed: u64, change: Change) -> Comparison {
        Comparison { change, seed, runs: [Run::new(seed), Run::new(seed)] }
    }

    /// Brings both runs to the end of `session`: new commands are applied, a longer
    /// last `advance` advances by the difference, anything else starts the runs again.
    pub fn sync(&mut self, session: &[SharedCommand]) {
        let applied = &self.runs[0].applied;
        let common = applied.iter().zip(session).take_while(|(a, b)| a == b).count();
        let extends_advance = common + 1 == applied.len()
            && session.len() > common
            && matches!((&*applied[common], &*session[common]),
                (Command::Advance(a), Command::Advance(b)) if b.ms >= a.ms);
        if common < applied.len() && !extends_advance {
            self.runs = [Run::new(self.seed), Run::new(self.seed)];
            return self.sync(session);
        }
        let change = self.change.clone();
        for (i, run) in self.runs.iter_mut().enumerate() {
            let change = (i == 1).then_some(&change);
            if extends_advance {
                let (Command::Advance(a), Command::Advance(b)) = (&*run.applied[common], &*session[common]) else {
                    continue;
                };
                let more = crate::time::Duration::from_ms(b.ms - a.ms);
                run.sim.advance(more);
                run.applied[common] = session[common].clone();
                for e in run.sim.drain_events() {
                    run.tally.observe(&e);
                }
            }
            let from = run.applied.len();
            for command in &session[from..] {
                run.apply(command, change);
            }
        }
    }

    /// Commands a run refused, as sentences (the change can make one invalid).
    pub fn refusals(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, run) in self.runs.iter().enumerate() {
            let which = if i == 0 { "As written" } else { "Changed" };
            for (n, why) in &run.refused {
                out.push(format!("{which}: command {} was refused: {why}", n + 1));
            }
        }
        out
    }

    /// Both runs' views, as of now.
    pub fn views(&self) -> [ClusterView; 2] {
        [self.runs[0].sim.view(), self.runs[1].sim.view()]
    }

    /// The outcomes side by side, as of now.
    pub fn summary(&self) -> Vec<Row> {
        self.summary_with(&self.views())
    }

    /// As [`Comparison::summary`], from views already taken (a view is the costly part).
    pub fn summary_with(&self, views: &[ClusterView; 2]) -> Vec<Row> {
        let [a, b] = &self.runs;
        let (va, vb) = (&views[0], &views[1]);
        let row = |what, how, f: &dyn Fn(&Run, &ClusterView) -> u64, is_time| Row {
            what,
            how,
            values: [f(a, va), f(b, vb)],
            is_time,
        };
        let now = |r: &Run| r.sim.now().ms;
        alloc::vec![
            row("records acknowledged", "records the producers were told were written (acks=0: sent)", &|r, _| r.tally.acked_records, false),
            row("sends failed", "records whose send ended in an error", &|r, _| r.tally.failed_records, false),
            row(
                "acknowledged, then lost",
                "acknowledged offsets whose record is no longer in the leader's log (a new leader truncated it), not counting retention",
                &|r, v| lost(r, v),
                false,
            ),
            row(
                "written twice",
                "records stored more than once in a partition: the same key, value and CreateTime (a retried batch)",
                &|r, v| written_twice(&r.sim, v),
                false,
            ),
            row(
                "read twice",
                "records a group processed more than once, and outputs of one input read twice downstream",
                &|_, v| v.groups.iter().map(|g| g.duplicates).sum::<u64>() + v.clients.iter().map(|c| c.duplicates).sum::<u64>(),
                false,
            ),
            row(
                "never processed",
                "records below a group's committed offset that no member processed",
                &|_, v| v.groups.iter().map(|g| g.lost).sum(),
                false,
            ),
            row(
                "failed, yet read",
                "records whose send ended in an error that a consumer then read: the write arrived after all (with transaction version 1, a late write can even join the next transaction)",
                &|r, _| r.tally.read_after_failure.len() as u64,
                false,
            ),
            row("records consumed", "records the consumers' polls returned", &|r, _| r.tally.consumed, false),
            row(
                "partition time without a leader",
                "summed over partitions: time with no leader (offline)",
                &|r, _| r.tally.offline_ms + r.tally.offline_since.values().map(|s| now(r).saturating_sub(*s)).sum::<u64>(),
                true,
            ),
            row(
                "partitions revoked",
                "partitions taken from a consumer by a rebalance (revoked or lost): eager revokes all, cooperative only what moves",
                &|r, _| r.tally.revoked,
                false,
            ),
            row(
                "partition time without a consumer",
                "summed over each group's partitions: time no live member owned it (rebalances, crashes before the session timeout)",
                &|r, _| r.tally.unowned_ms + r.tally.unowned_since.values().map(|s| now(r).saturating_sub(*s)).sum::<u64>(),
                true,
            ),
        ]
    }
}

/// Acknowledged offsets whose record is gone: the leader's log has another record there, or
/// has stopped short of it. Offsets below the log start (retention, delete-records) are not lost.
fn lost(run: &Run, view: &ClusterView) -> u64 {
    let mut n = 0;
    // Each partition's log is decoded once, when its first acknowledged offset comes up.
    let mut decoded: Option<(&TopicPartition, Vec<crate::record::Record>)> = None;
    for ((tp, offset), ts) in &run.tally.acked {
        let Some(p) =
            view.topics.iter().find(|t| t.name == tp.topic).and_then(|t| t.partitions.get(tp.partition as usize))
        else {
            continue;
        };
        if p.leader.is_none() || *offset < p.log_start_offset {
            continue;
        }
        if decoded.as_ref().is_none_or(|(d, _)| *d != tp) {
            decoded = Some((tp, run.sim.partition_records(tp)));
        }
        let records = decoded.as_ref().map_or(&[][..], |(_, r)| r.as_slice());
        let gone = match records.binary_search_by_key(offset, |r| r.offset) {
            // Another record took the offset: the log was truncated and written again.
            Ok(i) => records[i].timestamp_ms != *ts,
            // A gap below the log end is compaction at work; the log stopping short is a loss.
            Err(_) => *offset >= p.log_end_offset,
        };
        n += u64::from(gone);
    }
    n
}

/// Copies beyond the first of records with the same key, value and CreateTime in one partition.
fn written_twice(sim: &Sim, view: &ClusterView) -> u64 {
    let mut n = 0;
    for t in view.topics.iter().filter(|t| !t.name.starts_with("__")) {
        for p in &t.partitions {
            let records = sim.partition_records(&TopicPartition::new(t.name.clone(), p.partition));
            let mut seen = SortedSet::new();
            for r in records.iter().filter(|r| r.control.is_none()) {
                if !seen.insert((&r.key, &r.value, r.timestamp_ms)) {
                    n += 1;
                }
            }
        }
    }
    n
}

/// The summary as text (the CLI's `compare`).
pub fn render(comparison: &Comparison) -> String {
    let changed = comparison.change.to_string();
    let w = changed.len().max(12);
    let mut out = format!("{:<34} {:>12} {:>w$}\n", "", "as written", changed);
    for row in comparison.summary() {
        let show = |v: u64| if row.is_time { crate::time::Duration::from_ms(v).to_string() } else { v.to_string() };
        out.push_str(&format!("{:<34} {:>12} {:>w$}\n", row.what, show(row.values[0]), show(row.values[1])));
    }
    for refusal in comparison.refusals() {
        out.push_str(&refusal);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_reads_as_target_and_setting() {
        let c = Change::parse("p acks=1").unwrap();
        assert_eq!(c.target, Target::Named("p".to_string()));
        assert_eq!(c.to_string(), "p acks=1");
        assert_eq!(
            Change::parse("all-consumers partition.assignment.strategy=range").unwrap().target,
            Target::AllConsumers
        );
        assert_eq!(Change::parse("p acks"), Err(ChangeError::Shape));
        assert_eq!(Change::parse("p"), Err(ChangeError::Shape));
        assert_eq!(Change::parse("p acks=1 extra"), Err(ChangeError::Shape));
    }

    #[test]
    fn suggestions_turn_each_setting_the_other_way() {
        let session = [
            Command::CreateTopic {
                assignment: None,
                name: "t".into(),
                partitions: None,
                replication_factor: None,
                configs: Vec::new(),
            },
            Command::Producer { name: "p".into(), configs: alloc::vec![("acks".into(), "1".into())] },
            Command::Consumer {
                name: "c".into(),
                configs: alloc::vec![
                    ("group.id".into(), "g".into()),
                    ("isolation.level".into(), "read_committed".into())
                ],
            },
        ];
        let session: Vec<SharedCommand> = session.into_iter().map(SharedCommand::new).collect();
        assert_eq!(
            suggestions(&session),
            [
                "p acks=all",
                "p enable.idempotence=false",
                "c isolation.level=read_uncommitted",
                "all-consumers partition.assignment.strategy=cooperative-sticky",
                "all-consumers group.protocol=consumer",
                "t unclean.leader.election.enable=true"
            ]
        );
    }

    #[test]
    fn the_change_replaces_the_setting_only_where_its_owner_is_created() {
        let c = Change::parse("p acks=1").unwrap();
        let p = SharedCommand::new(Command::Producer {
            name: "p".into(),
            configs: alloc::vec![("acks".into(), "all".into()), ("linger.ms".into(), "0".into())],
        });
        let q = SharedCommand::new(Command::Producer { name: "q".into(), configs: Vec::new() });
        assert_eq!(
            *c.apply(&p),
            Command::Producer {
                name: "p".into(),
                configs: alloc::vec![("linger.ms".into(), "0".into()), ("acks".into(), "1".into())]
            }
        );
        assert!(SharedCommand::ptr_eq(&c.apply(&q), &q), "a command the change is not about is the session's own");
        assert_eq!(c.check(core::slice::from_ref(&q)), Err(ChangeError::NoTarget("p".into())));
        assert_eq!(c.check(&[q, p]), Ok(()));
    }
}
