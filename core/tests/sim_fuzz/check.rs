//! The checkers: what must hold after every step of a generated scenario, whatever the faults.
//! Each takes plain data where it can, so that a test can feed it a broken history
//! (`the_checkers_fire_on_a_broken_history`).

use kafka_sim::event::EventKind;
use kafka_sim::protocol::TopicPartition;
use kafka_sim::record::Record;
use kafka_sim::view::ClusterView;
use kafka_sim::Sim;
use std::collections::{BTreeMap, BTreeSet};

/// A record's key and value.
pub type KeyValue = (Option<Vec<u8>>, Option<Vec<u8>>);

/// A key's latest record: its offset and value (`None`: a tombstone).
pub type Latest = (u64, Option<Vec<u8>>);

/// What the checkers remember between steps.
#[derive(Default)]
pub struct Memory {
    /// Per partition, the record (key, value) last seen below the HW at each offset.
    pub records: BTreeMap<(String, u32, u64), KeyValue>,
    /// The assigned consumer's last positions.
    pub positions: BTreeMap<String, u64>,
    /// Values of aborted transactions, by the transactional producer's sends.
    pub aborted: BTreeSet<String>,
    pub open: Vec<String>,
    /// Offsets acknowledged to the plain producer, on topics whose configuration promises durability.
    pub acked: BTreeSet<(String, u32, u64)>,
    pub durable_topics: BTreeSet<String>,
    /// The plain producer is idempotent: its records appear once each, in send order.
    pub idempotent: bool,
    /// The page's way of taking the view, checked against a view built afresh.
    pub view_cache: kafka_sim::view::ViewCache,
    /// Requests each client sent in each simulated second.
    pub requests: BTreeMap<(String, u64), u32>,
    /// Each group's highest committed offset per partition since the last seek or reset there.
    pub committed: BTreeMap<(String, String), u64>,
    /// Partitions a person committed by hand (`commit NAME`: the consumer's positions, which run
    /// ahead of what its loop processed): the loop's next commit there may be lower, as in Java.
    pub person_committed: BTreeSet<(String, String)>,
    /// The `source` header of every record the read_committed reader of the pipeline's output
    /// returned: the input record (`b-0@7`) each output came from.
    pub sources: BTreeSet<String>,
    /// The output reader's position was reset out of range: it may read outputs again.
    pub audit_reset: bool,
    /// The compacted topic's latest record of each key below the high watermark: (offset, value).
    pub latest: BTreeMap<(String, Vec<u8>), Latest>,
}

/// The most requests a client may send in one simulated second. A client's loops (metadata,
/// coordinator lookup, fetches, retries) all back off or wait for an answer; one that does not
/// sends hundreds a second on a 1 ms network.
pub const REQUESTS_PER_SECOND_MAX: u32 = 100;

/// The request-rate checker: every client request loop has a backoff.
pub fn check_request_rate(mem: &mut Memory, at_ms: u64, client: &str) -> Result<(), String> {
    let n = mem.requests.entry((client.to_string(), at_ms / 1000)).or_default();
    *n += 1;
    if *n > REQUESTS_PER_SECOND_MAX {
        return Err(format!(
            "{client} sent more than {REQUESTS_PER_SECOND_MAX} requests in the simulated second from {} ms",
            at_ms / 1000 * 1000
        ));
    }
    Ok(())
}

/// A consumer's claim on its group's partitions: (group, generation, client, partitions).
pub type Claim = (String, u32, String, Vec<TopicPartition>);

/// At most one owner of a partition per group generation, as the members themselves see it.
pub fn check_one_owner_per_generation(claims: &[Claim]) -> Result<(), String> {
    let mut owners: BTreeMap<(&str, u32, &TopicPartition), &str> = BTreeMap::new();
    for (group, generation, client, partitions) in claims {
        for tp in partitions {
            if let Some(other) = owners.insert((group, *generation, tp), client) {
                return Err(format!("{other} and {client} both own {tp} in generation {generation} of group {group}"));
            }
        }
    }
    Ok(())
}

/// Never two owners at once among the members the coordinator has: a partition moves only after
/// its owner gave it up (eager: revoke everything before rejoining; cooperative: revoke, then a
/// second rebalance hands it over).
pub fn check_one_owner_among_members(group: &str, members: &[(String, Vec<TopicPartition>)]) -> Result<(), String> {
    let mut owners: BTreeMap<&TopicPartition, &str> = BTreeMap::new();
    for (client, partitions) in members {
        for tp in partitions {
            if let Some(other) = owners.insert(tp, client) {
                return Err(format!("{other} and {client}, both members of group {group}, own {tp} at once"));
            }
        }
    }
    Ok(())
}

/// A group's committed offsets never move backwards, unless a consumer of the group was reset or
/// seeked there (then the next commit starts afresh).
pub fn check_committed(mem: &mut Memory, group: &str, tp: &str, offset: u64) -> Result<(), String> {
    let highest = mem.committed.entry((group.to_string(), tp.to_string())).or_insert(offset);
    if offset < *highest {
        return Err(format!("group {group}'s committed offset on {tp} went back from {highest} to {offset}"));
    }
    *highest = offset;
    Ok(())
}

/// An idempotent producer's records below the high watermark of a partition: each once, in the
/// order they were sent (`sent` numbers them in send order, in log order here).
pub fn check_idempotent_order(tp: &str, sent: &[u64]) -> Result<(), String> {
    for pair in sent.windows(2) {
        if pair[1] == pair[0] {
            return Err(format!("{tp} holds the idempotent producer's record v{} twice", pair[0]));
        }
        if pair[1] < pair[0] {
            return Err(format!("{tp} holds the idempotent producer's v{} after v{}, sent later", pair[1], pair[0]));
        }
    }
    Ok(())
}

/// A read_committed reader of a consume-transform-produce output sees each input's output once.
pub fn check_output_once(mem: &mut Memory, source: &str) -> Result<(), String> {
    if !mem.sources.insert(source.to_string()) && !mem.audit_reset {
        return Err(format!("the pipeline's output of {source} was read twice with read_committed"));
    }
    Ok(())
}

/// Compaction never removes the latest record of a key: `records` is the leader's log now.
pub fn check_compaction(
    mem: &mut Memory,
    tp: &str,
    (log_start_offset, high_watermark): (u64, u64),
    records: &[Record],
) -> Result<(), String> {
    for r in records.iter().filter(|r| r.offset < high_watermark && r.control.is_none()) {
        let Some(key) = r.key.as_deref() else { continue };
        let latest = mem.latest.entry((tp.to_string(), key.to_vec())).or_insert((r.offset, None));
        if r.offset >= latest.0 {
            *latest = (r.offset, r.value.as_deref().map(<[u8]>::to_vec));
        }
    }
    for ((t, key), (offset, value)) in &mem.latest {
        // A tombstone may go after delete.retention.ms; a value never, while it is the latest.
        if t != tp || value.is_none() || *offset < log_start_offset {
            continue;
        }
        if !records.iter().any(|r| r.offset == *offset) {
            return Err(format!(
                "compaction removed {tp}'s latest record of key {} (offset {offset})",
                String::from_utf8_lossy(key)
            ));
        }
    }
    Ok(())
}

/// The number of the plain producer's value `vN`.
fn sent_number(r: &Record) -> Option<u64> {
    r.value.as_deref()?.strip_prefix(b"v").and_then(|n| std::str::from_utf8(n).ok()?.parse().ok())
}

/// The groups as their coordinators hold them. A broker cut off from the controller may still
/// hold a group it no longer coordinates (its stale copy stops moving, and the view shows it too);
/// a group is what the leader of its offsets partition holds.
fn current_groups(view: &ClusterView) -> impl Iterator<Item = &kafka_sim::view::GroupView> {
    let coordinator_of = |group: &str| {
        let offsets = view.topics.iter().find(|t| t.name == "__consumer_offsets")?;
        let p = kafka_sim::group::coordinator::partition_for(group, offsets.partitions.len() as u32);
        offsets.partitions.get(p as usize)?.leader
    };
    view.groups.iter().filter(move |g| coordinator_of(&g.name) == Some(g.coordinator)).map(|g| &**g)
}

fn groups(view: &ClusterView, mem: &mut Memory, events: &[EventKind]) -> Result<(), String> {
    let group_of = |client: &str| {
        view.clients.iter().find(|c| c.name == client).and_then(|c| c.group.as_ref()).map(|g| g.group.clone())
    };
    // A seek or a reset lets the group's next commit on that partition start afresh.
    for e in events {
        // A person's commitSync/commitAsync of the positions, then the loop's commit of what it
        // processed: the group's offset may go back (seed 5000632: positions past an abort marker,
        // processed up to the record before it), so the loop's next commit starts afresh.
        if let EventKind::OffsetsCommitted { consumer, why, offsets } = e {
            let Some(group) = group_of(consumer) else { continue };
            for (tp, _) in offsets {
                let key = (group.clone(), tp.to_string());
                if matches!(*why, "sync" | "async") {
                    mem.person_committed.insert(key);
                } else if mem.person_committed.remove(&key) {
                    mem.committed.remove(&key);
                }
            }
            continue;
        }
        let (consumer, tp) = match e {
            EventKind::OffsetReset { consumer, tp, .. } | EventKind::Seeked { consumer, tp, .. } => (consumer, tp),
            _ => continue,
        };
        if consumer == "audit" && matches!(e, EventKind::OffsetReset { out_of_range: true, .. }) {
            mem.audit_reset = true;
        }
        if let Some(group) = group_of(consumer) {
            mem.committed.remove(&(group, tp.to_string()));
        }
    }
    let mut claims = Vec::new();
    for c in view.clients.iter().filter(|c| c.kind == "consumer" && !c.closed) {
        if let Some(m) = &c.group {
            if let Some(generation) = m.generation {
                let owned = c.assignment.iter().map(|a| a.tp.clone()).collect();
                claims.push((m.group.clone(), generation, c.name.clone(), owned));
            }
        }
    }
    check_one_owner_per_generation(&claims)?;
    check_share_partitions(view, false)?;
    // A share group's members share partitions by design: its rules are the share-partitions'.
    for g in current_groups(view).filter(|g| g.group_protocol != "share") {
        let members: Vec<(String, Vec<TopicPartition>)> = g
            .members
            .iter()
            .filter_map(|m| {
                let c = view.clients.iter().find(|c| c.name == m.client && !c.closed)?;
                (c.group.as_ref()?.member_id == m.member_id)
                    .then(|| (c.name.clone(), c.assignment.iter().map(|a| a.tp.clone()).collect()))
            })
            .collect();
        check_one_owner_among_members(&g.name, &members)?;
        for row in &g.rows {
            if let Some(offset) = row.current_offset {
                check_committed(mem, &g.name, &row.tp.to_string(), offset)?;
            }
        }
    }
    Ok(())
}

/// Share group `q` (KIP-932): at the partition's current leader no record is acquired by two
/// members, and none is delivered past the delivery count limit (at most 10, Kafka's highest); at
/// the end every record of `a` is acknowledged or archived.
fn check_share_partitions(view: &ClusterView, last: bool) -> Result<(), String> {
    let leader_of = |tp: &TopicPartition| {
        view.topics.iter().find(|t| t.name == tp.topic.as_str())?.partitions.get(tp.partition as usize)?.leader
    };
    for s in view.share_partitions.iter().filter(|s| leader_of(&s.tp) == Some(s.leader)) {
        if let Some(r) = s.records.iter().find(|r| r.delivery_count > 10) {
            return Err(format!("share group {}: {}@{} delivered {} times", s.group, s.tp, r.offset, r.delivery_count));
        }
        if last {
            // The generator's `qc` reads read_committed: it finishes at the last stable offset.
            let hw = view
                .topics
                .iter()
                .find(|t| t.name == s.tp.topic.as_str())
                .and_then(|t| t.partitions.get(s.tp.partition as usize))
                .map_or(0, |p| if s.group == "qc" { p.last_stable_offset } else { p.high_watermark });
            if s.start_offset < hw || s.acquired + s.available > 0 {
                return Err(format!(
                    "share group {}: {} not finished: start offset {} of {hw}, {} acquired, {} available",
                    s.group, s.tp, s.start_offset, s.acquired, s.available
                ));
            }
        }
    }
    Ok(())
}

/// At the end, with every fault healed and the output read to its end: every plain record of `b`
/// below the pipeline's committed offset has its output.
fn check_pipeline_complete(sim: &Sim, view: &ClusterView, mem: &Memory) -> Result<(), String> {
    let Some(audit) = view.clients.iter().find(|c| c.name == "audit") else { return Ok(()) };
    let Some(pipe) = current_groups(view).find(|g| g.name == "pipe") else { return Ok(()) };
    let Some(out) = view.topics.iter().find(|t| t.name == "out") else { return Ok(()) };
    let caught_up = out.partitions.iter().all(|p| {
        let position = audit.assignment.iter().find(|a| a.tp.partition == p.partition).and_then(|a| a.position);
        position.is_some_and(|pos| pos >= p.last_stable_offset)
    });
    if !caught_up || mem.audit_reset {
        return Ok(());
    }
    for row in pipe.rows.iter().filter(|r| r.tp.topic == "b") {
        let Some(committed) = row.current_offset else { continue };
        for r in sim.partition_records(&row.tp).iter().filter(|r| r.offset < committed) {
            if r.control.is_none() && !r.transactional && !mem.sources.contains(&format!("{}@{}", row.tp, r.offset)) {
                return Err(format!(
                    "{}@{} is below the pipeline's committed offset {committed} but its output was never read",
                    row.tp, r.offset
                ));
            }
        }
    }
    Ok(())
}

/// The checks after one step; `last`: the final step, a quiet wait with every fault undone.
pub fn check(sim: &Sim, events: &[EventKind], mem: &mut Memory, line: &str, last: bool) -> Result<(), String> {
    let view = sim.view();
    if sim.view_with(&mut mem.view_cache) != view {
        return Err("a view that reuses unchanged partitions differs from one built afresh".into());
    }
    if line.starts_with("producer p acks=all") {
        mem.idempotent = !line.contains("enable.idempotence=false");
        // Only acks=all to replication factor 3 with min.insync.replicas=2 promises no lost acknowledged write.
        for t in view.topics.iter().filter(|t| !t.name.starts_with("__")) {
            let min_isr = t.configs.iter().any(|(k, v)| k == "min.insync.replicas" && v == "2");
            if min_isr && t.partitions.iter().all(|p| p.replicas.len() == 3) {
                mem.durable_topics.insert(t.name.clone());
            }
        }
    }
    if let Some(rest) = line.strip_prefix("topic config ") {
        // A topic that no longer asks for two in-sync replicas no longer promises durability.
        if let Some(topic) = rest.strip_suffix(" min.insync.replicas=1") {
            mem.durable_topics.remove(topic);
            mem.acked.retain(|(t, _, _)| t != topic);
        }
    }
    for e in events {
        match e {
            EventKind::Acked { producer, tp, base_offset: Some(base), count, .. }
                if producer == "p" && mem.durable_topics.contains(tp.topic.as_str()) =>
            {
                for o in *base..*base + *count as u64 {
                    mem.acked.insert((tp.topic.to_string(), tp.partition, o));
                }
            }
            EventKind::Polled { consumer, records } if consumer == "audit" => {
                for (_, r) in records.iter() {
                    let source = r.headers.iter().find(|h| h.key == "source").and_then(|h| h.value.as_deref());
                    if let Some(source) = source {
                        check_output_once(mem, &String::from_utf8_lossy(source))?;
                    }
                }
            }
            _ => {}
        }
    }
    groups(&view, mem, events)?;
    if last {
        // With every fault healed: every acknowledged offset is still there.
        for (topic, partition, offset) in &mem.acked {
            let t = view.topics.iter().find(|t| &t.name == topic).ok_or("a topic vanished")?;
            let p = &t.partitions[*partition as usize];
            let records = sim.partition_records(&TopicPartition::new(topic.clone(), p.partition));
            // DeleteRecords and retention may remove acknowledged records; nothing else may.
            if *offset >= p.log_start_offset && !records.iter().any(|r| r.offset == *offset) {
                return Err(format!("{topic}-{partition} lost offset {offset}, acknowledged with acks=all"));
            }
        }
        check_pipeline_complete(sim, &view, mem)?;
        check_share_partitions(&view, true)?;
    }
    for t in view.topics.iter().filter(|t| !t.name.starts_with("__")) {
        for p in &t.partitions {
            if p.leader.is_none() {
                continue;
            }
            if !(p.last_stable_offset <= p.high_watermark && p.high_watermark <= p.log_end_offset) {
                return Err(format!(
                    "{}-{}: lso {} hw {} leo {}",
                    t.name, p.partition, p.last_stable_offset, p.high_watermark, p.log_end_offset
                ));
            }
            let tp = TopicPartition::new(t.name.clone(), p.partition);
            let records = sim.partition_records(&tp);
            for r in records.iter().filter(|r| r.offset < p.high_watermark) {
                let key = (t.name.clone(), p.partition, r.offset);
                let now = (r.key.as_deref().map(<[u8]>::to_vec), r.value.as_deref().map(<[u8]>::to_vec));
                if let Some(before) = mem.records.insert(key, now.clone()) {
                    if before != now {
                        return Err(format!(
                            "{}-{} offset {} changed from {before:?} to {now:?}",
                            t.name, p.partition, r.offset
                        ));
                    }
                }
            }
            if mem.idempotent && t.name != "out" {
                let sent: Vec<u64> =
                    records.iter().filter(|r| r.offset < p.high_watermark).filter_map(sent_number).collect();
                check_idempotent_order(&tp.to_string(), &sent)?;
            }
            if t.name == "c" {
                check_compaction(mem, &tp.to_string(), (p.log_start_offset, p.high_watermark), &records)?;
            }
        }
    }
    // The transactional producer's values, by outcome.
    if line.starts_with("send tx ") {
        if let Some(v) = line.split("value=").nth(1) {
            mem.open.push(v.to_string());
        }
    }
    if line == "abort-transaction tx" {
        mem.aborted.extend(mem.open.drain(..));
    } else if line == "commit-transaction tx" {
        mem.open.clear();
    }
    let reset = |consumer: &str| {
        events.iter().any(|e| {
            matches!(e, EventKind::OffsetReset { consumer: c, .. } | EventKind::Seeked { consumer: c, .. } if c == consumer)
        })
    };
    for c in view.clients.iter().filter(|c| c.kind == "consumer") {
        if c.name == "solo" {
            for a in &c.assignment {
                if let Some(pos) = a.position {
                    let last = mem.positions.insert(a.tp.to_string(), pos);
                    if last.is_some_and(|l| pos < l) && !reset("solo") {
                        return Err(format!(
                            "solo's position on {} went back from {} to {pos}",
                            a.tp,
                            last.unwrap_or(0)
                        ));
                    }
                }
            }
        }
        if c.read_committed {
            for (tp, r) in &c.received {
                let v = r.value.as_deref().map(|v| String::from_utf8_lossy(v).into_owned()).unwrap_or_default();
                if mem.aborted.contains(&v) {
                    return Err(format!(
                        "{} (read_committed) returned {v} from {tp}, a record of an aborted transaction",
                        c.name
                    ));
                }
            }
        }
    }
    Ok(())
}
