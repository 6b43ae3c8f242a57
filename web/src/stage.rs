//! The stage as numbers: where each producer, broker, replica chip, group and member goes, and
//! which way records flowed in the last second, computed from the engine's view and its recent
//! messages without the browser (tested natively). `components/stage.rs` draws it.
//!
//! The scene reads left to right as data flows: producers, then brokers holding their replicas,
//! then consumer groups with their members. Coordinates are whole units of a scene
//! [`WIDTH`] wide ([`WIDE`] for a large cluster); the SVG scales it to the page.

use kafka_sim::protocol::{Body, Request, Response, TopicPartition};
use kafka_sim::sequence::Arrow;
use kafka_sim::sorted::SortedMap;
use kafka_sim::view::{ClientView, ClusterView};
use std::rc::Rc;

/// The scene's width with up to four brokers; a larger cluster's scene is [`WIDE`] (the same
/// page width, so everything is drawn smaller).
pub const WIDTH: i32 = 1000;
pub const WIDE: i32 = 1200;
const PRODUCER_X: i32 = 8;
pub const SIDE_W: i32 = 176;
const BROKERS_X: i32 = PRODUCER_X + SIDE_W + 46;
/// What the broker cards leave for the consumers' column and the flows into it.
const BROKERS_RIGHT_MARGIN: i32 = SIDE_W + 8 + 46;
/// The height of the lane above the brokers where flows run.
pub const LANE_Y: i32 = BROKERS_TOP - 22;
const TOP: i32 = 28;
/// Brokers start lower than the side columns: flows arc over them in the space above, so no flow
/// crosses a broker's card to reach another.
const BROKERS_TOP: i32 = 84;
const GAP: i32 = 10;
pub const BROKER_HEAD_H: i32 = 46;
/// A chip's height, with its log bar under its name; in a crowded cluster (more than
/// [`ROOMY_CHIPS_MAX`] replicas on a broker) chips are [`COMPACT_CHIP_H`] with a thinner bar.
pub const CHIP_H: i32 = 30;
pub const COMPACT_CHIP_H: i32 = 18;
pub const ROOMY_CHIPS_MAX: usize = 8;
/// Past this many replicas of non-internal topics the brokers are drawn as an overview: each card
/// counts its leaders, in-sync and out-of-sync followers instead of drawing a chip for each (a
/// 600-partition cluster's 1,800 chips cost a playback frame 70 ms); the inspector still lists them.
pub const STAGE_CHIPS_MAX: usize = 400;
const CHIP_GAP: i32 = 4;
/// A producer card: four lines, then its batches.
const PRODUCER_H: i32 = 76 + BATCH_ROWS as i32 * BATCH_ROW_H;
/// Batches a producer card shows, each a row with a bar filling toward batch.size.
pub const BATCH_ROWS: usize = 2;
pub const BATCH_ROW_H: i32 = 14;
pub const GROUP_HEAD_H: i32 = 40;
const MEMBER_H: i32 = 40;
/// Partitions a member row shows as chips; more are counted.
pub const MEMBER_CHIPS_MAX: usize = 6;

/// One colour per topic, the same everywhere on the page; chosen to keep white text readable
/// (4.5:1) on a leader chip and to stay apart from each other.
pub const TOPIC_COLOURS: [&str; 8] =
    ["#1f5fbf", "#a0369b", "#1d7a4a", "#b3461b", "#5a4bc7", "#0f6f7a", "#8a5a00", "#b0284f"];

/// The colour of the `i`th topic (internal topics left out of the count).
pub fn topic_colour(i: usize) -> &'static str {
    TOPIC_COLOURS[i % TOPIC_COLOURS.len()]
}

/// What the stage can select; the inspector shows its details.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Selection {
    Broker(u32),
    Partition(TopicPartition),
    Client(String),
    Group(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Rect {
    pub fn right(&self) -> i32 {
        self.x + self.w
    }
    pub fn mid_y(&self) -> i32 {
        self.y + self.h / 2
    }
    fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.right() && o.x < self.right() && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// A replica as its chip shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChipModel {
    pub tp: TopicPartition,
    pub colour: &'static str,
    pub rect: Rect,
    pub leader: bool,
    pub in_isr: bool,
    /// An eligible leader replica (KIP-966): out of the ISR, with every committed record.
    pub eligible: bool,
    /// The partition has no leader.
    pub offline: bool,
    /// The log bar, as offsets of this replica on the partition's scale.
    pub log_start: u64,
    pub hw: u64,
    pub lso: u64,
    pub leo: u64,
    /// The largest log end among the partition's replicas: the bar's full width.
    pub scale: u64,
    /// Records written to this replica in the last second (produced to a leader, copied to a follower).
    pub recent: u64,
    /// On a leader whose partition share groups read: the share-partition's window, SPSO to
    /// SPEO, as offsets (the first group's, by name).
    pub share_window: Option<(u64, u64)>,
}

impl ChipModel {
    /// What the chip shows at its right end: its role, or the records just written to it.
    pub fn tag(&self) -> String {
        if self.recent > 0 {
            return format!("+{}", self.recent);
        }
        if self.eligible {
            return "ELR".to_string();
        }
        match (self.offline, self.leader, self.in_isr) {
            (true, _, _) => "offline",
            (false, true, _) => "leader",
            (false, false, true) => "ISR",
            (false, false, false) => "not ISR",
        }
        .to_string()
    }

    /// What a sighted person reads off the chip, in words: its visible text first (WCAG's label
    /// in name), then what colour, outline and bar say.
    pub fn label(&self) -> String {
        let role = if self.offline {
            "offline"
        } else if self.leader {
            "leader"
        } else {
            "follower"
        };
        let isr = match (self.in_isr, self.eligible) {
            (true, _) => "in ISR",
            (false, true) => "not in ISR, an eligible leader replica (it has every committed record)",
            (false, false) => "not in ISR",
        };
        format!(
            "{} {}: {role}, {isr}; log start {}, high watermark {}, log end {}",
            self.tp,
            self.tag(),
            self.log_start,
            self.hw,
            self.leo
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct BrokerModel {
    pub id: u32,
    pub rect: Rect,
    /// `running`, `stopped`, `fenced`.
    pub state: &'static str,
    pub controller: bool,
    pub voter: bool,
    pub chips: Vec<ChipModel>,
    /// Replicas of internal topics (`__consumer_offsets`, `__transaction_state`), folded.
    pub internal: usize,
    /// In an overview ([`STAGE_CHIPS_MAX`]), instead of chips: leaders, in-sync followers and
    /// followers out of the ISR (or offline) among its replicas.
    pub summary: Option<(usize, usize, usize)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProducerModel {
    pub name: String,
    pub rect: Rect,
    pub closed: bool,
    /// `acks=all · idempotent`, or the transaction's state.
    pub mode: String,
    pub buffered: usize,
    pub in_flight: usize,
    pub acked: u64,
    pub failed: u64,
    /// The accumulator's batches, oldest first, at most [`BATCH_ROWS`].
    pub batches: Vec<BatchModel>,
}

/// A batch filling in a producer's accumulator, toward batch.size.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchModel {
    pub tp: TopicPartition,
    pub colour: &'static str,
    /// How full it is, in percent of batch.size (a batch may pass it by one record).
    pub fill_percent: u32,
    /// It may go now (full, lingered, flushed or a retry); otherwise it lingers.
    pub ready: bool,
    /// In a few words: `t-0 3 rec, retry`, and on the last row how many more batches wait.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MemberModel {
    pub client: String,
    pub rect: Rect,
    pub closed: bool,
    /// Owned partitions with their topic's colour.
    pub partitions: Vec<(TopicPartition, &'static str)>,
    /// Partitions it lost in the last [`FADE_MS`] of the page's time, drawn fading out
    /// ([`Revocations`]); never in its accessible name, which says what it owns.
    pub revoked: Vec<(TopicPartition, &'static str)>,
    pub lag: u64,
    /// A share group's member: the records it holds acquired (a share consumer has no lag of
    /// its own; the group's share-partitions do).
    pub holds: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GroupModel {
    /// The group's id; `None` for consumers that `assign` partitions themselves.
    pub name: Option<String>,
    pub rect: Rect,
    pub state: String,
    pub generation: u32,
    /// "gen" under the classic protocol, "epoch" (the group epoch) under the consumer protocol
    /// and in a share group.
    pub epoch_word: &'static str,
    /// A share group (KIP-932): its members read the same partitions, record by record.
    pub share: bool,
    pub members: Vec<MemberModel>,
    /// A share group's share-partitions, under its members: each in-flight record's state.
    pub windows: Vec<ShareWindowModel>,
}

/// A share-partition (KIP-932) as a share group's card draws it: the window from the start
/// offset (SPSO) to the end offset (SPEO), one cell a record in flight, coloured by its state.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareWindowModel {
    pub tp: TopicPartition,
    pub colour: &'static str,
    pub rect: Rect,
    pub start_offset: u64,
    pub end_offset: u64,
    /// The first [`SHARE_CELLS_MAX`] in-flight records.
    pub cells: Vec<ShareCellModel>,
    /// In-flight records past the cells drawn.
    pub more: usize,
    /// The soonest an acquisition lock expires, from now (ms), while a record is acquired.
    pub lock_left_ms: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ShareCellModel {
    pub offset: u64,
    /// Available, Acquired, Acknowledged or Archived (Kafka's names).
    pub state: &'static str,
    pub delivery_count: u16,
    /// Who holds it while Acquired, and until when (simulated ms).
    pub member: Option<String>,
    pub lock_until_ms: Option<u64>,
}

impl ShareCellModel {
    /// In words, for the window's accessible name and its tooltip.
    pub fn label(&self) -> String {
        let mut out = format!("offset {} {}", self.offset, self.state);
        if let Some(m) = &self.member {
            out += &format!(" by {m}");
        }
        if self.delivery_count > 0 {
            out += &format!(", delivered {}x", self.delivery_count);
        }
        out
    }
}

/// Records a share window draws as cells; more are counted.
pub const SHARE_CELLS_MAX: usize = 10;
/// A share window's row in its group's card: a line of text, the cells, then a line for the
/// records past the cells and the soonest lock (kept whether or not there is one, so the card
/// does not change height as locks come and go).
pub const SHARE_WINDOW_H: i32 = 50;

/// Which way records moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FlowKind {
    Produce,
    Replicate,
    Consume,
}

/// Records moving along one edge in the last second of simulated time.
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    pub kind: FlowKind,
    pub from: (i32, i32),
    pub to: (i32, i32),
    pub records: u64,
    /// What the edge joins, in words.
    pub label: String,
    /// Which edge it is (kind, from, to), the same while its rate changes: the flow's key, so a
    /// tick moves the drawn edge's numbers instead of making a new one.
    pub key: String,
}

/// How the stage reads: left to right (producers, brokers, consumers in columns), or, on a
/// phone's width, top to bottom (the same three as rows), so that it fits without scrolling
/// sideways and its text stays readable. Medium reads left to right with the brokers two to a
/// row, in a scene narrow enough that a stage of 600 to 900 pixels (a tablet, or a small laptop
/// beside the inspector) draws its text near its own size instead of at two thirds of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Wide,
    Medium,
    Narrow,
}

/// The narrow scene's width: two cards side by side.
pub const NARROW: i32 = 400;
/// The medium scene's width: producers, two broker cards and the consumers.
pub const MEDIUM: i32 = 760;

#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    pub shape: Shape,
    pub width: i32,
    pub height: i32,
    /// Where each column's (or row's) heading goes: producers, brokers, consumers.
    pub heads: [(i32, i32); 3],
    /// The lanes flows run along: produce, and replication and fetch.
    pub lanes: (i32, i32),
    pub producers: Vec<ProducerModel>,
    pub brokers: Vec<BrokerModel>,
    pub groups: Vec<GroupModel>,
    pub flows: Vec<Flow>,
}

impl Scene {
    /// Where a flow or a message meets a node: a producer's right edge, the top of a broker's
    /// card, a consumer's left edge.
    pub fn anchor(&self, node: &str) -> Option<(i32, i32)> {
        self.anchor_towards(node, "")
    }

    /// Where a flow or a message between `node` and `other` meets `node`. Read top to bottom
    /// (narrow), a producer's flows leave from its bottom and a broker's fetches to consumers from
    /// the bottom of its card, towards the consumers below.
    pub fn anchor_towards(&self, node: &str, other: &str) -> Option<(i32, i32)> {
        let narrow = self.shape == Shape::Narrow;
        if let Some(p) = self.producers.iter().find(|p| p.name == node) {
            return Some(if narrow {
                (p.rect.x + p.rect.w / 2, p.rect.y + p.rect.h)
            } else {
                (p.rect.right(), p.rect.mid_y())
            });
        }
        if narrow
            && node.starts_with("broker-")
            && self.groups.iter().flat_map(|g| &g.members).any(|m| m.client == other)
        {
            let b = self.brokers.iter().find(|b| format!("broker-{}", b.id) == node)?;
            return Some((b.rect.x + b.rect.w / 2, b.rect.y + b.rect.h));
        }
        if let Some(id) = node.strip_prefix("broker-").and_then(|n| n.parse::<u32>().ok()) {
            // Flows and messages meet a broker at the top of its card, from the space above.
            let b = self.brokers.iter().find(|b| b.id == id)?;
            return Some((b.rect.x + b.rect.w / 2, b.rect.y));
        }
        let m = self.groups.iter().flat_map(|g| &g.members).find(|m| m.client == node)?;
        Some((m.rect.x, m.rect.mid_y()))
    }

    /// Every box, for checks that nothing overlaps.
    pub fn boxes(&self) -> Vec<(String, Rect)> {
        let mut all: Vec<(String, Rect)> = Vec::new();
        all.extend(self.producers.iter().map(|p| (p.name.clone(), p.rect.clone())));
        all.extend(self.brokers.iter().map(|b| (format!("broker-{}", b.id), b.rect.clone())));
        all.extend(self.groups.iter().map(|g| (g.name.clone().unwrap_or_default(), g.rect.clone())));
        all
    }

    /// Pairs of boxes that overlap (none, in any scene [`layout`] makes).
    pub fn overlaps(&self) -> Vec<(String, String)> {
        let boxes = self.boxes();
        let mut out = Vec::new();
        for (i, (a, ra)) in boxes.iter().enumerate() {
            for (b, rb) in &boxes[i + 1..] {
                if ra.overlaps(rb) {
                    out.push((a.clone(), b.clone()));
                }
            }
        }
        out
    }
}

/// A broker's replicas of non-internal topics, by topic and partition.
fn chips_of(b: &kafka_sim::view::BrokerView) -> Vec<&kafka_sim::view::ReplicaView> {
    let mut shown: Vec<&kafka_sim::view::ReplicaView> =
        b.replicas.iter().filter(|r| !r.tp.topic.as_str().starts_with("__")).collect();
    kafka_sim::sort::sort_by(&mut shown, |a, b| {
        (a.tp.topic.as_str(), a.tp.partition).cmp(&(b.tp.topic.as_str(), b.tp.partition))
    });
    shown
}

/// The chips a broker's card draws: none in an overview.
fn shown(b: &kafka_sim::view::BrokerView, overview: bool) -> Vec<&kafka_sim::view::ReplicaView> {
    if overview {
        Vec::new()
    } else {
        chips_of(b)
    }
}

/// How many columns the brokers take: all in one row up to four, then rows of four, then six.
fn broker_columns(n: usize) -> usize {
    match n {
        0..=4 => n.max(1),
        5..=8 => 4,
        _ => 6,
    }
}

/// Lays out the scene from the view, and the records that moved in the last second from the
/// messages sent then (`recent`, oldest first), left to right.
pub fn layout(view: &ClusterView, recent: &[Rc<Arrow>]) -> Scene {
    layout_shaped(view, recent, Shape::Wide)
}

/// [`layout`] in either shape. Narrow: producers two to a row at the top, the produce lane, the
/// brokers two to a row, the fetch lane, then the groups two to a row.
pub fn layout_shaped(view: &ClusterView, recent: &[Rc<Arrow>], shape: Shape) -> Scene {
    let narrow = shape == Shape::Narrow;
    // A card's place in a row of two (narrow) from the left.
    let second = |i: usize| 8 + (i % 2) as i32 * (SIDE_W + 16);
    let colours: SortedMap<&str, &'static str> = view
        .topics
        .iter()
        .filter(|t| !t.name.starts_with("__"))
        .enumerate()
        .map(|(i, t)| (t.name.as_str(), topic_colour(i)))
        .collect();
    let colour = |topic: &str| colours.get(topic).copied().unwrap_or("#6b6b70");

    // Producers down the left.
    let mut producers = Vec::new();
    let mut y = TOP;
    for (i, c) in view.clients.iter().filter(|c| c.kind == "producer").enumerate() {
        let (x, py) = if narrow { (second(i), TOP + (i / 2) as i32 * (PRODUCER_H + GAP)) } else { (PRODUCER_X, y) };
        producers.push(producer_model(c, Rect { x, y: py, w: SIDE_W, h: PRODUCER_H }, &colour));
        y = py + PRODUCER_H + GAP;
    }
    // Narrow, the "No producer yet" line needs its row.
    let producers_bottom = if narrow { y.max(TOP + 24) } else { y };

    // Brokers in the middle, each a card of replica chips.
    let two = narrow || shape == Shape::Medium;
    let cols = if two { view.brokers.len().clamp(1, 2) } else { broker_columns(view.brokers.len()) };
    let width = if narrow {
        NARROW
    } else if two {
        MEDIUM
    } else if cols > 4 {
        WIDE
    } else {
        WIDTH
    };
    let groups_x = width - SIDE_W - 8;
    let brokers_x = if narrow { 8 } else { BROKERS_X };
    let brokers_top = if narrow { producers_bottom + 54 } else { BROKERS_TOP };
    let brokers_w = if narrow { width - 16 } else { width - BROKERS_X - BROKERS_RIGHT_MARGIN };
    let card_w = (brokers_w - (cols as i32 - 1) * GAP) / cols as i32;
    let overview = view.brokers.iter().map(|b| chips_of(b).len()).sum::<usize>() > STAGE_CHIPS_MAX;
    let most = view.brokers.iter().map(|b| shown(b, overview).len()).max().unwrap_or(0);
    let chip_h = if most > ROOMY_CHIPS_MAX { COMPACT_CHIP_H } else { CHIP_H };
    let chip_gap = if most > ROOMY_CHIPS_MAX { 2 } else { CHIP_GAP };
    let mut brokers = Vec::new();
    let mut row_y = brokers_top;
    for row in view.brokers.chunks(cols) {
        let tallest =
            row.iter().map(|b| shown(b, overview).len()).max().unwrap_or(0) as i32 + if overview { 2 } else { 0 };
        let internal_line = row.iter().any(|b| b.replicas.iter().any(|r| r.tp.topic.as_str().starts_with("__")));
        let card_h = BROKER_HEAD_H + tallest * (chip_h + chip_gap) + if internal_line { 18 } else { 4 } + 6;
        for (i, b) in row.iter().enumerate() {
            let rect = Rect { x: brokers_x + i as i32 * (card_w + GAP), y: row_y, w: card_w, h: card_h };
            let mut chips = Vec::new();
            for (j, r) in shown(b, overview).into_iter().enumerate() {
                let partition = view
                    .topics
                    .iter()
                    .find(|t| t.name == r.tp.topic.as_str())
                    .and_then(|t| t.partitions.get(r.tp.partition as usize));
                let (log_start, lso, offline, scale) = partition.map_or((0, r.high_watermark, false, 0), |p| {
                    let scale = p.replica_log_end_offsets.iter().map(|(_, leo)| *leo).max().unwrap_or(0);
                    (p.log_start_offset, p.last_stable_offset, p.leader.is_none(), scale.max(p.log_end_offset))
                });
                // Role and ISR as the controller's metadata has them: a stopped broker still
                // believes it leads until it hears otherwise, and the picture shows the cluster's view.
                let (leader, in_isr) = partition
                    .map_or((r.role == "leader", r.in_isr), |p| (p.leader == Some(b.id), p.isr.contains(&b.id)));
                let eligible = partition.is_some_and(|p| p.elr.contains(&b.id));
                chips.push(ChipModel {
                    tp: r.tp.clone(),
                    colour: colour(r.tp.topic.as_str()),
                    rect: Rect {
                        x: rect.x + 6,
                        y: rect.y + BROKER_HEAD_H + j as i32 * (chip_h + chip_gap),
                        w: card_w - 12,
                        h: chip_h,
                    },
                    leader,
                    in_isr,
                    eligible,
                    offline,
                    log_start: log_start.min(r.log_end_offset),
                    hw: r.high_watermark,
                    lso: lso.min(r.high_watermark),
                    leo: r.log_end_offset,
                    scale: scale.max(r.log_end_offset),
                    recent: 0,
                    share_window: view
                        .share_partitions
                        .iter()
                        .find(|s| cfg!(feature = "share-groups") && leader && s.leader == b.id && s.tp == r.tp)
                        .map(|s| (s.start_offset, s.end_offset)),
                });
            }
            let state = b.state();
            let internal = b.replicas.iter().filter(|r| r.tp.topic.as_str().starts_with("__")).count();
            let summary = overview.then(|| {
                let replicas = chips_of(b);
                let leaders = replicas.iter().filter(|r| r.role == "leader").count();
                let in_sync = replicas.iter().filter(|r| r.role != "leader" && r.in_isr).count();
                (leaders, in_sync, replicas.len() - leaders - in_sync)
            });
            brokers.push(BrokerModel {
                id: b.id,
                rect,
                state,
                controller: b.controller,
                voter: b.voter,
                chips,
                internal,
                summary,
            });
        }
        row_y += card_h + GAP;
    }
    let brokers_bottom = row_y;

    // Groups down the right (narrow: two to a row under the brokers), then consumers that assign
    // their own partitions.
    let mut groups = Vec::new();
    let groups_top = if narrow { brokers_bottom + 36 } else { TOP };
    let mut y = groups_top;
    let lag_of = |client: &ClientView| -> u64 {
        client
            .assignment
            .iter()
            .map(|a| match (a.position, a.high_watermark) {
                (Some(p), Some(hw)) => hw.saturating_sub(p),
                _ => 0,
            })
            .sum()
    };
    let member = |client: &ClientView, partitions: &[TopicPartition], gx: i32, y: i32| MemberModel {
        client: client.name.clone(),
        rect: Rect { x: gx + 6, y, w: SIDE_W - 12, h: MEMBER_H - 4 },
        closed: client.closed,
        partitions: partitions.iter().map(|tp| (tp.clone(), colour(tp.topic.as_str()))).collect(),
        revoked: Vec::new(),
        lag: lag_of(client),
        holds: (cfg!(feature = "share-groups") && client.kind == "share consumer").then(|| {
            let held = view.share_partitions.iter().flat_map(|s| &s.records);
            held.filter(|r| r.state == "Acquired" && r.member.as_deref() == Some(client.name.as_str())).count() as u64
        }),
    };
    // Narrow: where the next group goes, and the bottom of its row so far.
    let (mut gx, mut row_bottom) = (groups_x, y);
    let place = |n: usize, row_bottom: i32, y: &mut i32, gx: &mut i32| {
        if narrow {
            *gx = second(n);
            if n % 2 == 0 {
                *y = row_bottom;
            }
        }
    };
    for (n, g) in view.groups.iter().enumerate() {
        place(n, row_bottom, &mut y, &mut gx);
        let mut members = Vec::new();
        let mut my = y + GROUP_HEAD_H;
        for m in &g.members {
            let Some(client) = view.clients.iter().find(|c| c.name == m.client) else { continue };
            members.push(member(client, &m.assignment, gx, my));
            my += MEMBER_H;
        }
        // Members of the group that are not (or no longer) in it: crashed or closed clients.
        for client in view.clients.iter().filter(|c| {
            (c.kind == "consumer" || c.kind == "share consumer")
                && c.group.as_ref().is_some_and(|m| m.group == g.name)
                && !g.members.iter().any(|m| m.client == c.name)
        }) {
            members.push(member(client, &[], gx, my));
            my += MEMBER_H;
        }
        let share = g.group_protocol == "share";
        #[allow(unused_mut)]
        let mut windows = Vec::new();
        #[cfg(feature = "share-groups")]
        for sp in view.share_partitions.iter().filter(|s| share && s.group == g.name) {
            let rect = Rect { x: gx + 6, y: my, w: SIDE_W - 12, h: SHARE_WINDOW_H - 4 };
            windows.push(share_window(sp, colour(sp.tp.topic.as_str()), rect, view.now_ms));
            my += SHARE_WINDOW_H;
        }
        let h = my - y + 4;
        groups.push(GroupModel {
            name: Some(g.name.clone()),
            rect: Rect { x: gx, y, w: SIDE_W, h },
            state: g.state.clone(),
            generation: g.generation,
            epoch_word: if g.group_protocol == "classic" { "gen" } else { "epoch" },
            share,
            members,
            windows,
        });
        row_bottom = row_bottom.max(y + h + GAP);
        if !narrow {
            y += h + GAP;
        }
    }
    let loose: Vec<&ClientView> = view
        .clients
        .iter()
        .filter(|c| {
            c.kind == "consumer" && !view.groups.iter().any(|g| c.group.as_ref().is_some_and(|m| m.group == g.name))
        })
        .map(|c| &**c)
        .collect();
    if !loose.is_empty() {
        place(view.groups.len(), row_bottom, &mut y, &mut gx);
        let mut members = Vec::new();
        let mut my = y + GROUP_HEAD_H;
        for c in loose {
            let tps: Vec<TopicPartition> = c.assignment.iter().map(|a| a.tp.clone()).collect();
            members.push(member(c, &tps, gx, my));
            my += MEMBER_H;
        }
        let h = my - y + 4;
        groups.push(GroupModel {
            name: None,
            rect: Rect { x: gx, y, w: SIDE_W, h },
            state: String::new(),
            generation: 0,
            epoch_word: "gen",
            share: false,
            members,
            windows: Vec::new(),
        });
        row_bottom = row_bottom.max(y + h + GAP);
        y += h + GAP;
    }
    let (heads, lanes, height) = if narrow {
        // Each heading clear of the rates written over the lane above it.
        let heads = [(8, 16), (8, producers_bottom + 12), (8, brokers_bottom + 28)];
        let height = row_bottom.max(groups_top + 24) + 8;
        (heads, (producers_bottom + 34, brokers_bottom + 10), height)
    } else {
        let heads = [(8, 16), (brokers_x, 16), (groups_x, 16)];
        (heads, (LANE_Y - 18, LANE_Y), producers_bottom.max(brokers_bottom).max(y).max(160) + 8)
    };
    let mut scene = Scene { shape, width, height, heads, lanes, producers, brokers, groups, flows: Vec::new() };
    scene.flows = flows(&mut scene, recent);
    scene
}

/// A share-partition's window: its first in-flight records as cells.
#[cfg(feature = "share-groups")]
fn share_window(
    sp: &kafka_sim::view::SharePartitionView,
    colour: &'static str,
    rect: Rect,
    now_ms: u64,
) -> ShareWindowModel {
    let in_flight = sp.acquired + sp.available + sp.acknowledged + sp.archived;
    ShareWindowModel {
        tp: sp.tp.clone(),
        colour,
        rect,
        start_offset: sp.start_offset,
        end_offset: sp.end_offset,
        cells: sp
            .records
            .iter()
            .take(SHARE_CELLS_MAX)
            .map(|r| ShareCellModel {
                offset: r.offset,
                state: r.state,
                delivery_count: r.delivery_count,
                member: r.member.clone(),
                lock_until_ms: r.lock_until_ms,
            })
            .collect(),
        more: in_flight.saturating_sub(SHARE_CELLS_MAX),
        lock_left_ms: sp.records.iter().filter_map(|r| r.lock_until_ms).min().map(|t| t.saturating_sub(now_ms)),
    }
}

fn producer_model(c: &ClientView, rect: Rect, colour: &dyn Fn(&str) -> &'static str) -> ProducerModel {
    let config = |name: &str| c.configs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str());
    let batch_size = config("batch.size").and_then(|v| v.parse::<u64>().ok()).unwrap_or(16_384).max(1);
    let more = c.batches.len().saturating_sub(BATCH_ROWS);
    let batches = c
        .batches
        .iter()
        .take(BATCH_ROWS)
        .enumerate()
        .map(|(i, b)| BatchModel {
            tp: b.tp.clone(),
            colour: colour(b.tp.topic.as_str()),
            fill_percent: (b.bytes as u64 * 100 / batch_size).min(100) as u32,
            ready: b.ready,
            text: format!(
                "{} {} rec{}{}",
                b.tp,
                b.records,
                if b.attempts > 1 { ", retry" } else { "" },
                if i + 1 == BATCH_ROWS && more > 0 { format!(" +{more} more") } else { String::new() }
            ),
        })
        .collect();
    let mode = match &c.transaction {
        Some((id, state, _)) => format!("{id}: {state}"),
        None => {
            let acks = config("acks").unwrap_or("all");
            let idempotent = config("enable.idempotence") == Some("true");
            if idempotent {
                format!("acks={acks} · idempotent")
            } else {
                format!("acks={acks}")
            }
        }
    };
    ProducerModel {
        name: c.name.clone(),
        rect,
        closed: c.closed,
        mode,
        buffered: c.buffered_records,
        in_flight: c.in_flight.len(),
        acked: c.acked_records,
        failed: c.failed_records,
        batches,
    }
}

/// Records that moved in the last second, by edge: a Produce request's batches from its producer
/// to the partitions' leader; a Fetch answer's batches from the leader's broker to the
/// follower's broker or to the consumer. Each chip counts what was written to it.
fn flows(scene: &mut Scene, recent: &[Rc<Arrow>]) -> Vec<Flow> {
    let mut edges: SortedMap<(FlowKind, String, String), u64> = SortedMap::new();
    let mut written: SortedMap<(u32, TopicPartition), u64> = SortedMap::new();
    let broker_id = |name: &str| name.strip_prefix("broker-").and_then(|n| n.parse::<u32>().ok());
    for arrow in recent {
        let Some(message) = arrow.message() else { continue };
        match &message.body {
            Body::Request(Request::Produce { partitions, .. }) => {
                let Some(leader) = broker_id(&arrow.to) else { continue };
                for p in partitions {
                    let records = u64::from(p.batch.record_count().unwrap_or(1));
                    *edges.entry((FlowKind::Produce, arrow.from.clone(), arrow.to.clone())).or_default() += records;
                    *written.entry((leader, p.tp.clone())).or_default() += records;
                }
            }
            Body::Response(Response::Fetch { partitions, .. }) => {
                for p in partitions {
                    let Ok(data) = &p.result else { continue };
                    let records: u64 = data.batches.iter().map(|b| u64::from(b.records)).sum();
                    if records == 0 {
                        continue;
                    }
                    let kind = match broker_id(&arrow.to) {
                        Some(follower) => {
                            *written.entry((follower, p.tp.clone())).or_default() += records;
                            FlowKind::Replicate
                        }
                        None => FlowKind::Consume,
                    };
                    *edges.entry((kind, arrow.from.clone(), arrow.to.clone())).or_default() += records;
                }
            }
            // What a share consumer acquired: the records it was given, not the whole batches
            // (several members fetch from the same batches).
            #[cfg(feature = "share-groups")]
            Body::Response(Response::ShareFetch { partitions, .. }) => {
                let records: u64 = partitions
                    .iter()
                    .filter_map(|p| p.result.as_ref().ok())
                    .flat_map(|d| &d.acquired)
                    .map(|a| a.last_offset.saturating_sub(a.first_offset) + 1)
                    .sum();
                if records > 0 {
                    *edges.entry((FlowKind::Consume, arrow.from.clone(), arrow.to.clone())).or_default() += records;
                }
            }
            _ => {}
        }
    }
    for b in &mut scene.brokers {
        for c in &mut b.chips {
            c.recent = written.get(&(b.id, c.tp.clone())).copied().unwrap_or(0);
        }
    }
    edges
        .into_iter()
        .filter_map(|((kind, a, b), records)| {
            let from = scene.anchor_towards(&a, &b)?;
            let to = scene.anchor_towards(&b, &a)?;
            let (name, verb) = match kind {
                FlowKind::Produce => ("Produce", "produced"),
                FlowKind::Replicate => ("Replicate", "replicated"),
                FlowKind::Consume => ("Consume", "fetched"),
            };
            let label = format!("{a} -> {b}: {records} record(s) {verb} in the last second");
            let key = format!("{name} {a} {b}");
            Some(Flow { kind, from, to, records, label, key })
        })
        .collect()
}

/// How long a revoked partition stays on its old owner, fading out (the page's ms).
pub const FADE_MS: u64 = 1_500;
/// At most this many revoked partitions are drawn fading at once.
pub const FADING_MAX: usize = 200;

/// A rebalance seen: what each member owned last frame, so that a partition it loses is drawn
/// fading out of its row for [`FADE_MS`] while the new owner's chip appears (an animation the
/// stage's CSS gives every chip that is new to its row). Kept by the page across frames.
#[derive(Default)]
pub struct Revocations {
    owned: SortedMap<String, Vec<(TopicPartition, &'static str)>>,
    /// (member, partition, its colour, until the page's ms).
    fading: Vec<(String, TopicPartition, &'static str, u64)>,
}

impl Revocations {
    /// Notes what changed since the last frame and gives each member of `scene` what it is
    /// losing; `page_ms` is the page's clock, so a fade takes the same real time at any speed.
    pub fn apply(&mut self, scene: &mut Scene, page_ms: u64) {
        let mut seen = SortedMap::new();
        for m in scene.groups.iter().flat_map(|g| &g.members) {
            if let Some(before) = self.owned.get(&m.client) {
                for (tp, colour) in before.iter().filter(|(tp, _)| !m.partitions.iter().any(|(o, _)| o == tp)) {
                    self.fading.retain(|(c, t, _, _)| !(c == &m.client && t == tp));
                    self.fading.push((m.client.clone(), tp.clone(), colour, page_ms + FADE_MS));
                }
            }
            seen.insert(m.client.clone(), m.partitions.clone());
        }
        // A member that is gone takes its row with it; a partition owned again stops fading.
        self.owned = seen;
        self.fading.retain(|(c, tp, _, until)| {
            *until > page_ms && self.owned.get(c).is_some_and(|now| !now.iter().any(|(o, _)| o == tp))
        });
        if self.fading.len() > FADING_MAX {
            let extra = self.fading.len() - FADING_MAX;
            self.fading.drain(..extra);
        }
        for m in scene.groups.iter_mut().flat_map(|g| &mut g.members) {
            m.revoked = self
                .fading
                .iter()
                .filter(|(c, ..)| c == &m.client)
                .map(|(_, tp, colour, _)| (tp.clone(), *colour))
                .collect();
        }
    }
}

/// Where a flow's rate is written: at `at`, or moved along its lane until it is clear of the
/// rates already `placed` (two flows to brokers in one column of a narrow stage share their
/// lane's midpoint, and their rates would be written one over the other).
pub fn place_rate(placed: &mut Vec<(i32, i32)>, (mut x, y): (i32, i32)) -> (i32, i32) {
    while placed.iter().any(|&(px, py)| (px - x).abs() < RATE_LABEL_WIDTH && (py - y).abs() < 12) {
        x += RATE_LABEL_WIDTH;
    }
    placed.push((x, y));
    (x, y)
}

/// The room one rate label (`12/s`) takes along a lane.
const RATE_LABEL_WIDTH: i32 = 30;

/// Where a bar of `width` units puts `offset` on a scale of `scale` offsets.
pub fn bar_x(offset: u64, scale: u64, width: i32) -> i32 {
    if scale == 0 {
        return 0;
    }
    (offset.min(scale) as i64 * i64::from(width) / scale as i64) as i32
}

#[cfg(test)]
mod tests {
    /// Two flows to brokers in one column end at the same x: their rates would overlap (the
    /// screenshots' "overlapping text"); the second moves along the lane, a third further.
    #[test]
    fn rates_that_would_overlap_move_along_the_lane() {
        let mut placed = Vec::new();
        assert_eq!(place_rate(&mut placed, (100, 40)), (100, 40));
        assert_eq!(place_rate(&mut placed, (100, 40)), (130, 40));
        assert_eq!(place_rate(&mut placed, (110, 42)), (170, 42));
        assert_eq!(place_rate(&mut placed, (100, 90)), (100, 90), "another lane: no clash");
    }

    use super::*;
    use kafka_sim::scenario::Scenario;
    use kafka_sim::Sim;

    fn sim(script: &str) -> Sim {
        let s = Scenario::parse(script).expect("script parses");
        let mut sim = Sim::new(s.seed);
        for l in &s.commands {
            sim.apply(&l.command).expect("command applies");
        }
        sim
    }

    /// Two workers of a share group on one partition: both read it; the one polling holds a
    /// record under its lock, drawn as an Acquired cell of the share-partition's window.
    #[cfg(feature = "share-groups")]
    #[test]
    fn a_share_group_draws_its_workers_on_one_partition_and_each_record_in_flight() {
        let sim = sim("cluster brokers=1\ntopic create jobs partitions=1 replication-factor=1\n\
            group config jobs share.auto.offset.reset=earliest\nproducer p linger.ms=0\n\
            send p jobs value=a\nsend p jobs value=b\nadvance 1s\n\
            share-consumer w1 group.id=jobs max.poll.records=1 share.acquire.mode=record_limit\n\
            share-consumer w2 group.id=jobs\nsubscribe w1 jobs\nsubscribe w2 jobs\n\
            consume w1 processing.ms=60000\nadvance 5s\n");
        let scene = layout(&sim.view(), &[]);
        let g = &scene.groups[0];
        assert_eq!((g.share, g.epoch_word, g.state.as_str()), (true, "epoch", "Stable"));
        let members: Vec<(&str, Option<u64>, usize)> =
            g.members.iter().map(|m| (m.client.as_str(), m.holds, m.partitions.len())).collect();
        assert_eq!(members, [("w1", Some(1), 1), ("w2", Some(0), 1)], "both read jobs-0; w1 holds one record");
        let w = &g.windows[0];
        assert_eq!((w.tp.to_string(), w.start_offset, w.end_offset, w.more), ("jobs-0".into(), 0, 0, 0));
        let cells: Vec<String> = w.cells.iter().map(ShareCellModel::label).collect();
        assert_eq!(cells, ["offset 0 Acquired by w1, delivered 1x"]);
        // The lock (30 s by default) was taken about 4 s ago.
        assert!(w.lock_left_ms.is_some_and(|ms| (25_000..30_000).contains(&ms)), "{:?}", w.lock_left_ms);
        let leader = scene.brokers[0].chips.iter().find(|c| c.leader).expect("a leader chip");
        assert_eq!(leader.share_window, Some((0, 0)), "the window over the leader's log");
        assert!(w.rect.y >= g.members[1].rect.y + g.members[1].rect.h, "the window is under the members");
        assert!(w.rect.y + w.rect.h <= g.rect.y + g.rect.h, "and inside the group's card");
        assert!(scene.overlaps().is_empty());
    }

    #[test]
    fn a_partition_leader_and_followers_are_chips_on_their_brokers() {
        let sim = sim("cluster brokers=3\ntopic create orders partitions=3 replication-factor=3\nadvance 1s\n");
        let scene = layout(&sim.view(), &[]);
        assert_eq!(scene.brokers.len(), 3);
        for b in &scene.brokers {
            assert_eq!(b.chips.len(), 3, "broker-{} holds a replica of each partition", b.id);
            assert!(b.chips.iter().all(|c| c.in_isr && c.colour == TOPIC_COLOURS[0]));
        }
        let leaders = scene.brokers.iter().flat_map(|b| &b.chips).filter(|c| c.leader).count();
        assert_eq!(leaders, 3, "one leader chip per partition");
        let chip = &scene.brokers[0].chips[0];
        let (tag, role) = if chip.leader { ("leader", "leader") } else { ("ISR", "follower") };
        assert_eq!(chip.label(), format!("orders-0 {tag}: {role}, in ISR; log start 0, high watermark 0, log end 0"));
        assert!(scene.overlaps().is_empty());
    }

    #[test]
    fn twelve_brokers_and_sixty_partitions_fit_without_overlap() {
        let mut script = String::from("cluster brokers=12\n");
        for (t, n) in [("a", 12), ("b", 12), ("c", 24), ("d", 6), ("e", 6)] {
            script.push_str(&format!("topic create {t} partitions={n} replication-factor=3\n"));
        }
        for i in 0..5 {
            script.push_str(&format!("producer p{i}\n"));
        }
        script.push_str("consumer c1 group.id=g\nsubscribe c1 a\nconsume c1\nadvance 10s\n");
        let sim = sim(&script);
        let scene = layout(&sim.view(), &[]);
        assert!(scene.overlaps().is_empty(), "{:?}", scene.overlaps());
        assert_eq!(scene.brokers.iter().map(|b| b.chips.len()).sum::<usize>(), 180, "60 partitions at RF 3");
        assert!(scene.brokers.iter().all(|b| b.summary.is_none()), "180 chips are drawn one by one");
        for b in &scene.brokers {
            assert!(b.rect.right() <= scene.width - SIDE_W - 8, "broker-{} stays in its column", b.id);
        }
        // Scaled to the width of a 1440 px screen's stage (about 1,050 px), under 900 px tall.
        assert!(scene.height < 1000, "the stage is {} units tall", scene.height);
    }

    #[test]
    fn records_produced_and_fetched_are_flows_to_and_from_the_leader_chip() {
        let script = "cluster brokers=3\ntopic create t partitions=1 replication-factor=3\nproducer p linger.ms=0\n\
                      consumer c group.id=g auto.offset.reset=earliest\nsubscribe c t\nconsume c\nadvance 5s\n\
                      send p t key=a value=1\nsend p t key=b value=2\n";
        let mut sim = sim(script);
        let mut seq = kafka_sim::sequence::Sequence::default();
        for e in sim.drain_events() {
            seq.observe(&Rc::new(e));
        }
        sim.apply(&Scenario::parse_command("advance 200ms").unwrap()).unwrap();
        for e in sim.drain_events() {
            seq.observe(&Rc::new(e));
        }
        let now = sim.now().ms;
        let recent = seq.window(now - 1000, now, false, 10_000);
        let scene = layout(&sim.view(), &recent);
        let kinds: Vec<FlowKind> = scene.flows.iter().map(|f| f.kind).collect();
        assert!(kinds.contains(&FlowKind::Produce), "{:?}", scene.flows);
        assert!(kinds.contains(&FlowKind::Replicate), "{:?}", scene.flows);
        assert!(kinds.contains(&FlowKind::Consume), "{:?}", scene.flows);
        let produced: u64 = scene.flows.iter().filter(|f| f.kind == FlowKind::Produce).map(|f| f.records).sum();
        assert_eq!(produced, 2);
        let written: u64 = scene.brokers.iter().flat_map(|b| &b.chips).map(|c| c.recent).sum();
        assert_eq!(written, 6, "two records on the leader and on each of two followers");
    }

    /// The script run 200 ms on, laid out in `shape` with its last second of messages: checked to be
    /// `width` units wide, with nothing overlapping and nothing outside.
    fn fitted_scene(script: &str, shape: Shape, width: i32) -> Scene {
        let mut sim = sim(script);
        let mut seq = kafka_sim::sequence::Sequence::default();
        sim.apply(&Scenario::parse_command("advance 200ms").unwrap()).unwrap();
        for e in sim.drain_events() {
            seq.observe(&Rc::new(e));
        }
        let now = sim.now().ms;
        let scene = layout_shaped(&sim.view(), &seq.window(now - 1000, now, false, 10_000), shape);
        assert_eq!(scene.width, width);
        assert!(scene.overlaps().is_empty(), "{:?}", scene.overlaps());
        for (name, r) in scene.boxes() {
            assert!(r.x >= 0 && r.right() <= width, "{name} at {r:?} leaves the scene");
        }
        scene
    }

    #[test]
    fn on_a_tablet_the_stage_reads_left_to_right_with_two_brokers_to_a_row_that_fit() {
        let mut script = String::from("cluster brokers=3\ntopic create t partitions=3 replication-factor=3\n");
        script.push_str("producer p linger.ms=0\nconsumer c group.id=g auto.offset.reset=earliest\nsubscribe c t\n");
        script.push_str("consume c\nadvance 10s\nsend p t key=a value=1\n");
        let scene = fitted_scene(&script, Shape::Medium, MEDIUM);
        assert_eq!(scene.brokers.iter().filter(|b| b.rect.y == scene.brokers[0].rect.y).count(), 2, "two to a row");
        let (p, b, g) = (&scene.producers[0].rect, &scene.brokers[0].rect, &scene.groups[0].rect);
        assert!(p.right() < b.x && b.right() < g.x, "producers, brokers, consumers left to right");
    }

    #[test]
    fn on_a_phone_the_stage_reads_top_to_bottom_in_rows_of_two_that_fit() {
        let mut script = String::from("cluster brokers=5\ntopic create t partitions=3 replication-factor=3\n");
        for i in 0..3 {
            script.push_str(&format!("producer p{i} linger.ms=0\n"));
        }
        for (g, n) in [("g1", 2), ("g2", 1), ("g3", 1)] {
            for m in 0..n {
                script.push_str(&format!(
                    "consumer {g}-{m} group.id={g} auto.offset.reset=earliest\nsubscribe {g}-{m} t\nconsume {g}-{m}\n"
                ));
            }
        }
        script.push_str("consumer loose\nassign loose t-0\nadvance 10s\nsend p0 t key=a value=1\n");
        let scene = fitted_scene(&script, Shape::Narrow, NARROW);
        let bottom = |rects: Vec<&Rect>| rects.iter().map(|r| r.y + r.h).max().unwrap_or(0);
        let top = |rects: Vec<&Rect>| rects.iter().map(|r| r.y).min().unwrap_or(0);
        let (producers, brokers, groups) = (
            scene.producers.iter().map(|p| &p.rect).collect::<Vec<_>>(),
            scene.brokers.iter().map(|b| &b.rect).collect::<Vec<_>>(),
            scene.groups.iter().map(|g| &g.rect).collect::<Vec<_>>(),
        );
        assert!(
            bottom(producers.clone()) < scene.lanes.0 && scene.lanes.0 < top(brokers.clone()),
            "produce lane between"
        );
        assert!(
            bottom(brokers.clone()) <= scene.lanes.1 + 10 && scene.lanes.1 < top(groups.clone()),
            "fetch lane between"
        );
        assert_eq!(scene.brokers.iter().filter(|b| b.rect.y == scene.brokers[0].rect.y).count(), 2, "two to a row");
        assert_eq!(scene.groups.len(), 4, "three groups and the consumers without one");
        assert_eq!(scene.groups.iter().filter(|g| g.rect.y == scene.groups[0].rect.y).count(), 2);
        // A produce flow leaves its producer's bottom and enters the leader's card from above.
        let produce = scene.flows.iter().find(|f| f.kind == FlowKind::Produce).expect("the send is a flow");
        let p0 = &scene.producers[0].rect;
        assert_eq!(produce.from, (p0.x + p0.w / 2, p0.y + p0.h));
        assert!(scene.brokers.iter().any(|b| produce.to == (b.rect.x + b.rect.w / 2, b.rect.y)));
        // A fetch leaves the leader's card at its bottom, towards the consumers below.
        if let Some(fetch) = scene.flows.iter().find(|f| f.kind == FlowKind::Consume) {
            assert!(scene.brokers.iter().any(|b| fetch.from == (b.rect.x + b.rect.w / 2, b.rect.y + b.rect.h)));
        }
    }

    #[test]
    fn six_hundred_partitions_are_an_overview_of_counts() {
        let mut script = String::from("cluster brokers=12\n");
        for t in 0..10 {
            script.push_str(&format!("topic create t{t} partitions=60 replication-factor=3\n"));
        }
        script.push_str("advance 5s\n");
        let scene = layout(&sim(&script).view(), &[]);
        assert!(scene.brokers.iter().all(|b| b.chips.is_empty()), "no chip drawn");
        let (leaders, in_sync, out): (usize, usize, usize) = scene
            .brokers
            .iter()
            .filter_map(|b| b.summary)
            .fold((0, 0, 0), |(l, i, o), (bl, bi, bo)| (l + bl, i + bi, o + bo));
        assert_eq!((leaders, in_sync, out), (600, 1200, 0));
        assert!(scene.height < 600, "the stage is {} units tall", scene.height);
    }

    #[test]
    fn a_partition_a_member_loses_fades_out_of_its_row_then_goes() {
        let mut sim = sim("seed 1\ncluster brokers=1\ntopic create t partitions=2\n\
                           consumer a group.id=g\nsubscribe a t\nconsume a\nadvance 10s\n");
        let scene_of = |sim: &Sim| layout(&sim.view(), &[]);
        let mut revocations = Revocations::default();
        let mut first = scene_of(&sim);
        revocations.apply(&mut first, 1_000);
        let a = &first.groups[0].members[0];
        assert_eq!((a.partitions.len(), a.revoked.len()), (2, 0), "a owns both, loses nothing");

        for line in ["consumer b group.id=g", "subscribe b t", "consume b", "advance 10s"] {
            sim.apply(&Scenario::parse_command(line).expect("a valid line")).expect("applies");
        }
        let mut after = scene_of(&sim);
        revocations.apply(&mut after, 2_000);
        let members = &after.groups[0].members;
        let a = members.iter().find(|m| m.client == "a").expect("a is still a member");
        let b = members.iter().find(|m| m.client == "b").expect("b joined");
        assert_eq!((a.partitions.len(), b.partitions.len()), (1, 1), "the range assignor shares them");
        assert_eq!(a.revoked.len(), 1, "a's lost partition fades in its row");
        assert_eq!(a.revoked[0].0, b.partitions[0].0, "the one b now owns");
        assert!(b.revoked.is_empty(), "b lost nothing");

        let mut later = scene_of(&sim);
        revocations.apply(&mut later, 2_000 + FADE_MS - 1);
        assert_eq!(later.groups[0].members.iter().map(|m| m.revoked.len()).sum::<usize>(), 1, "still fading");
        let mut gone = scene_of(&sim);
        revocations.apply(&mut gone, 2_000 + FADE_MS);
        assert!(gone.groups[0].members.iter().all(|m| m.revoked.is_empty()), "faded out");
    }

    #[test]
    fn a_bar_places_offsets_in_proportion() {
        assert_eq!(bar_x(5, 10, 100), 50);
        assert_eq!(bar_x(12, 10, 100), 100, "clamped to the bar");
        assert_eq!(bar_x(3, 0, 100), 0, "an empty log is an empty bar");
    }
}
