//! Each partition's log as a row of offset cells, with the log start offset,
//! the high watermark and the log end offset marked.

use kafka_sim::protocol::TopicPartition;
use kafka_sim::record::Show;
use kafka_sim::txn::marker::ControlType;
use kafka_sim::view::{PartitionView, TopicView};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The topics, with the groups' committed offsets and the consumers' positions marked on each
    /// partition, and the simulated time, to fade out segments deleted lately.
    pub view: super::ViewRef,
}

/// How long a deleted segment stays drawn, fading (simulated time).
const FADE_MS: u64 = 120_000;

#[function_component(Partitions)]
pub fn partitions(p: &Props) -> Html {
    if p.view.topics.is_empty() {
        return html! { <p class="muted">{ "No topics yet. Create one above, or send to a new name: Kafka creates it (auto.create.topics.enable)." }</p> };
    }
    let (internal, topics): (Vec<&TopicView>, Vec<&TopicView>) =
        p.view.topics.iter().partition(|t| t.name.starts_with("__"));
    html! {
        <div class="topics">
            { for topics.iter().map(|t| { let name = AttrValue::from(t.name.clone()); html! {
                <div class="topic">
                    <h3>{ &t.name }
                        if !t.configs.is_empty() {
                            <span class="muted">{ format!("  {}", t.configs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")) }</span>
                        }
                    </h3>
                    { for t.partitions.iter().map(|q| html! {
                        <PartitionRow key={q.partition} topic={name.clone()} partition={Rc::clone(q)}
                            readers={readers(p, &t.name, q.partition)} shared={shared(p, &t.name, q.partition)}
                            fading_at_ms={fade_clock(q, p.view.now_ms)} />
                    }) }
                </div>
            }}) }
            // Internal topics (fifty partitions of __consumer_offsets) fold away; only partitions holding records open.
            { for internal.iter().map(|t| {
                let name = AttrValue::from(t.name.clone());
                let records: usize = t.partitions.iter().map(|q| q.record_count).sum();
                html! {
                    <details class="topic internal" data-testid={format!("internal-{}", t.name)}>
                        <summary>{ format!("{} (internal, {} partitions, {records} record(s))", t.name, t.partitions.len()) }</summary>
                        { for t.partitions.iter().filter(|q| q.record_count > 0).map(|q| html! {
                            <PartitionRow key={q.partition} topic={name.clone()} partition={Rc::clone(q)} readers={Vec::new()} shared={Vec::new()} fading_at_ms={fade_clock(q, p.view.now_ms)} />
                        }) }
                    </details>
                }
            }) }
        </div>
    }
}

/// One partition's row. A component of its own so that a row whose partition, readers
/// and fading did not change is not drawn again: in a cluster of hundreds of partitions,
/// playback changes a few rows a tick.
#[derive(Properties)]
struct RowProps {
    topic: AttrValue,
    /// The same `Rc` as last frame's when the partition did not change (`Sim::view_with`).
    partition: Rc<PartitionView>,
    readers: Vec<(String, u64)>,
    /// A share group's records in flight on this partition ([`shared`]).
    shared: Vec<SharedRecord>,
    /// The clock while a deleted segment of the row is fading; none otherwise (so that time
    /// alone redraws nothing).
    fading_at_ms: Option<u64>,
}

impl PartialEq for RowProps {
    fn eq(&self, other: &Self) -> bool {
        // By pointer: the view hands back the same partition view while it does not change,
        // and a new one only when it did.
        Rc::ptr_eq(&self.partition, &other.partition)
            && self.topic == other.topic
            && self.readers == other.readers
            && self.shared == other.shared
            && self.fading_at_ms == other.fading_at_ms
    }
}

#[function_component(PartitionRow)]
fn partition_row_component(p: &RowProps) -> Html {
    partition_row(&p.topic, &p.partition, &p.readers, &p.shared, p.fading_at_ms)
}

/// The clock a row needs: only a row with a segment still fading changes as time passes.
fn fade_clock(q: &PartitionView, now_ms: u64) -> Option<u64> {
    q.deleted_segments.iter().any(|(_, at)| now_ms.saturating_sub(*at) < FADE_MS).then_some(now_ms)
}

/// Who reads a partition: each group's committed offset (a share group's start offset, SPSO) and
/// each consumer's position, as `(label, offset)`.
fn readers(p: &Props, topic: &str, partition: u32) -> Vec<(String, u64)> {
    if p.view.groups.is_empty() && p.view.clients.iter().all(|c| c.assignment.is_empty()) {
        return Vec::new();
    }
    let tp = TopicPartition::new(topic, partition);
    let committed = p.view.groups.iter().filter_map(|g| {
        g.rows
            .iter()
            .find(|r| r.tp == tp)
            .and_then(|r| r.current_offset)
            // A share group has no committed offset: its mark is the share-partition's start offset.
            .map(|o| match g.group_protocol {
                "share" => (format!("share group {} SPSO", g.name), o),
                _ => (format!("group {} committed", g.name), o),
            })
    });
    let positions = p.view.clients.iter().filter(|c| !c.closed).filter_map(|c| {
        c.assignment.iter().find(|a| a.tp == tp).and_then(|a| a.position).map(|o| (format!("{} position", c.name), o))
    });
    committed.chain(positions).collect()
}

/// A record in flight in a share-partition (KIP-932): its offset, state (Kafka's name) and, in
/// words, whose and how often delivered.
#[derive(Clone, PartialEq)]
struct SharedRecord {
    offset: u64,
    state: &'static str,
    words: String,
}

/// The first share group's in-flight records on a partition (only the share-groups build has any).
fn shared(p: &Props, topic: &str, partition: u32) -> Vec<SharedRecord> {
    if !kafka_sim::SHARE_GROUPS {
        return Vec::new();
    }
    let tp = TopicPartition::new(topic, partition);
    let Some(sp) = p.view.share_partitions.iter().find(|s| s.tp == tp) else { return Vec::new() };
    sp.records
        .iter()
        .map(|r| SharedRecord {
            offset: r.offset,
            state: r.state,
            words: format!(
                "share group {}: {}{}, delivered {}x",
                sp.group,
                r.state,
                r.member.as_deref().map(|m| format!(" by {m}")).unwrap_or_default(),
                r.delivery_count
            ),
        })
        .collect()
}

/// A record's part in a transaction: a marker, or data still pending, committed or aborted.
fn txn_class(q: &PartitionView, r: &kafka_sim::record::Record) -> Option<&'static str> {
    match r.control {
        Some(ControlType::Commit) => return Some("marker commit"),
        Some(ControlType::Abort) => return Some("marker abort"),
        None => {}
    }
    if !r.transactional {
        return None;
    }
    let pending = q.open_transactions.iter().any(|&(pid, first)| pid == r.producer_id && r.offset >= first);
    let aborted = q
        .aborted_transactions
        .iter()
        .any(|a| a.producer_id == r.producer_id && (a.first_offset..a.last_offset).contains(&r.offset));
    Some(if pending {
        "txn pending"
    } else if aborted {
        "txn aborted"
    } else {
        "txn committed"
    })
}

fn partition_row(
    topic: &str,
    q: &PartitionView,
    readers: &[(String, u64)],
    shared: &[SharedRecord],
    fading_at_ms: Option<u64>,
) -> Html {
    let fading: Vec<_> = match fading_at_ms {
        Some(now_ms) => q.deleted_segments.iter().filter(|(_, at)| now_ms.saturating_sub(*at) < FADE_MS).collect(),
        None => Vec::new(),
    };
    // The view holds the newest records (`view::RECORDS_SHOWN`); older ones are summarised.
    let skipped = q.record_count.saturating_sub(q.records.len());
    html! {
        <div class="partition" data-testid={format!("partition-{}-{}", topic, q.partition)}>
            <span class="pname">{ format!("{}-{}", topic, q.partition) }
                <span class={classes!("muted", q.leader.is_none().then_some("bad"))}>
                    { format!(" leader {} · epoch {} · ISR {}", q.leader.map_or("none (offline)".into(), |l| format!("broker-{l}")), q.leader_epoch, kafka_sim::protocol::Ids(&q.isr)) }
                </span>
                if q.last_stable_offset < q.high_watermark {
                    <span class="lso" data-testid={format!("lso-{}-{}", topic, q.partition)}
                        title="last stable offset: an open transaction starts here; read_committed readers stop here">
                        { format!(" LSO {} < HW {}", q.last_stable_offset, q.high_watermark) }
                    </span>
                }
            </span>
            <ol class="cells" start={q.log_start_offset.to_string()} aria-label={format!("log of {}-{}", topic, q.partition)}>
                if skipped > 0 { <li class="cell more">{ format!("…{skipped}") }</li> }
                { for q.records.iter().map(|r| {
                    // A cell where a reader's next offset points is outlined.
                    let next: Vec<&str> = readers.iter().filter(|(_, o)| *o == r.offset).map(|(l, _)| l.as_str()).collect();
                    let mut title = format!("offset {} key={} value={}", r.offset, Show(r.key.as_deref()), Show(r.value.as_deref()));
                    if !next.is_empty() {
                        title.push_str(&format!(" (next for: {})", next.join(", ")));
                    }
                    let txn = txn_class(q, r);
                    if let Some(t) = txn {
                        title.push_str(&format!(" ({t})"));
                    }
                    // In a share-partition's window: its state as a stripe under the cell.
                    let share = shared.iter().find(|s| s.offset == r.offset);
                    if let Some(s) = share {
                        title.push_str(&format!(" ({})", s.words));
                    }
                    html! {
                        // Keyed by offset: as the newest records slide along, cells move, not every one rewritten.
                        <li key={r.offset} class={classes!("cell", (r.offset >= q.high_watermark).then_some("uncommitted"), (!next.is_empty()).then_some("next"), txn, share.map(|s| format!("share-{}", s.state)))} {title}>
                            { match r.control { Some(ControlType::Commit) => "C".to_string(), Some(ControlType::Abort) => "A".to_string(), None => r.offset.to_string() } }
                        </li>
                    }
                }) }
            </ol>
            if q.segments.len() > 1 || q.log_start_offset > 0 || !fading.is_empty() {
                // Segments as blocks, oldest first: offsets, bytes and newest record; the active one marked.
                <ol class="segments" aria-label={format!("segments of {}-{}", topic, q.partition)} data-testid={format!("segments-{}-{}", topic, q.partition)}>
                    { for fading.iter().map(|(s, at)| html! {
                        <li class="segment gone" title={format!("from offset {}, {} bytes: deleted by retention at {at} ms", s.base_offset, s.size_bytes)}>
                            { format!("{}… · {} B", s.base_offset, s.size_bytes) }
                        </li>
                    }) }
                    { for q.segments.iter().enumerate().map(|(i, s)| {
                        let end = q.segments.get(i + 1).map_or(q.log_end_offset, |n| n.base_offset);
                        let active = i + 1 == q.segments.len();
                        let first = s.base_offset.max(q.log_start_offset);
                        html! {
                            <li class={classes!("segment", active.then_some("active"))}
                                title={format!("offsets {first}..{end}, {} bytes, newest record at {} ms{}", s.size_bytes, s.max_timestamp_ms, if active { " (the active segment)" } else { "" })}>
                                { format!("{first}–{} · {} B", end.saturating_sub(1).max(first), s.size_bytes) }
                            </li>
                        }
                    }) }
                </ol>
            }
            if let Some(c) = &q.last_cleaned {
                // The last compaction: what went, and which record of each key stayed.
                <span class="cleaned muted" data-testid={format!("cleaned-{}-{}", topic, q.partition)}>
                    { format!("compacted at {} ms: removed offsets {}{}; kept {}", c.at_ms,
                        c.removed_offsets.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(", "),
                        if c.removed > c.removed_offsets.len() { format!(" and {} more", c.removed - c.removed_offsets.len()) } else { String::new() },
                        c.kept.iter().map(|(k, o, tomb)| format!("{}@{o}{}", String::from_utf8_lossy(k), if *tomb { " (tombstone)" } else { "" })).collect::<Vec<_>>().join(", ")) }
                </span>
            }
            if !readers.is_empty() {
                <span class="readers muted" data-testid={format!("readers-{}-{}", topic, q.partition)}>
                    { readers.iter().map(|(l, o)| format!("{l} {o}")).collect::<Vec<_>>().join(" · ") }
                </span>
            }
            <span class="marks muted">
                { format!("start {} · HW {} · LEO {} · {} batch(es), {} bytes", q.log_start_offset, q.high_watermark, q.log_end_offset, q.batches, q.size_bytes) }
                <br />
                { for q.replica_log_end_offsets.iter().map(|(id, leo)| {
                    let in_isr = q.isr.contains(id);
                    let title = if in_isr { "in the ISR" } else { "not in the ISR" };
                    html! { <span class={classes!("replica-leo", (!in_isr).then_some("out"))} {title}>{ format!("b{id}: LEO {leo} ") }</span> }
                }) }
            </span>
        </div>
    }
}
