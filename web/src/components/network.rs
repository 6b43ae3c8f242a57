//! The cluster as a picture: brokers along the top, clients along the bottom,
//! a line for every link (red and dashed when cut, amber when slowed), and
//! every message on the wire as a dot travelling from sender to receiver.
//! At 0.01× or by stepping, requests and answers can be watched crossing.

use crate::draw::tenths;
use kafka_sim::net::Node;
use kafka_sim::view::{BrokerView, MessageView};
use yew::prelude::*;

/// A broker as the picture draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct BrokerNode {
    pub id: u32,
    /// Stopped or fenced: drawn greyed.
    pub down: bool,
    pub controller: bool,
}

impl From<&BrokerView> for BrokerNode {
    fn from(b: &BrokerView) -> Self {
        BrokerNode { id: b.id, down: !b.alive || b.fenced, controller: b.controller }
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub brokers: Vec<BrokerNode>,
    /// Clients by name, in the view's order.
    pub clients: Vec<String>,
    pub messages: Vec<MessageView>,
    pub cut: Vec<(Node, Node)>,
    pub slow: Vec<(Node, Node, u64)>,
    pub active_controller: Option<u32>,
    pub now_ms: u64,
    pub show_chatter: bool,
}

const WIDTH: f64 = 1000.0;
const BROKER_Y: f64 = 50.0;
const CLIENT_Y: f64 = 200.0;

fn spread(i: usize, n: usize) -> f64 {
    WIDTH * (i as f64 + 0.5) / n.max(1) as f64
}

/// Background traffic, drawn only when the event log shows it too.
fn chatter(m: &MessageView) -> bool {
    matches!(m.api, "BrokerHeartbeat" | "MetadataUpdate")
        || (m.api == "Fetch" && matches!((&m.from, &m.to), (Node::Broker(_), Node::Broker(_))))
}

fn colour(api: &str) -> &'static str {
    match api {
        "Produce" => "#1f6feb",
        "Fetch" => "#12a150",
        "AlterPartition" | "BrokerHeartbeat" | "MetadataUpdate" => "#7a5af8",
        "InitProducerId" => "#d97706",
        _ => "#8a8a93",
    }
}

/// Where a node is drawn: brokers spread along the top, clients along the bottom.
fn place(brokers: &[BrokerNode], clients: &[String], node: &Node, controller: Option<u32>) -> Option<(f64, f64)> {
    let broker = |id: u32| brokers.iter().position(|b| b.id == id).map(|i| (spread(i, brokers.len()), BROKER_Y));
    match node {
        Node::Broker(id) => broker(*id),
        Node::Client(name) => clients.iter().position(|c| c == name).map(|i| (spread(i, clients.len()), CLIENT_Y)),
        Node::Controller => controller.and_then(broker),
    }
}

#[function_component(Network)]
pub fn network(p: &Props) -> Html {
    let pos = |node: &Node| place(&p.brokers, &p.clients, node, p.active_controller);
    let dot = |m: &MessageView| {
        let (Some((x1, y1)), Some((x2, y2))) = (pos(&m.from), pos(&m.to)) else { return html! {} };
        let span = m.arrives_at_ms.saturating_sub(m.sent_at_ms).max(1) as f64;
        let t = (p.now_ms.saturating_sub(m.sent_at_ms) as f64 / span).clamp(0.0, 1.0);
        let (x, y) = if y1 == y2 {
            // Along the same arc as the link: a quadratic Bézier.
            let cy = y1 - 40.0 - (x2 - x1).abs() / 12.0;
            let u = 1.0 - t;
            (u * u * x1 + 2.0 * u * t * ((x1 + x2) / 2.0) + t * t * x2, u * u * y1 + 2.0 * u * t * cy + t * t * y2)
        } else {
            (x1 + (x2 - x1) * t, y1 + (y2 - y1) * t)
        };
        let r = if m.response { "5" } else { "7" };
        html! {
            <circle cx={tenths(x)} cy={tenths(y)} {r} fill={colour(m.api)} class={classes!("msg", m.response.then_some("response"))}>
                <title>{ format!("{} -> {}: {}", m.from, m.to, m.summary) }</title>
            </circle>
        }
    };
    let node = |n: &Node, label: String, dead: bool, controller: bool| {
        let Some((x, y)) = pos(n) else { return html! {} };
        html! {
            <g class={classes!("node", dead.then_some("dead"), controller.then_some("controller"))}>
                <rect x={tenths(x - 48.0)} y={tenths(y - 16.0)} width="96" height="32" rx="6" />
                <text x={tenths(x)} y={tenths(y + 5.0)} text-anchor="middle">{ label }</text>
            </g>
        }
    };
    let shown: Vec<&MessageView> = p.messages.iter().filter(|m| p.show_chatter || !chatter(m)).collect();
    html! {
        <figure class="network">
            <svg viewBox={format!("0 -10 {} 240", tenths(WIDTH))} role="img" aria-label="Brokers, clients, links and the messages on them" data-testid="network">
                <Links brokers={p.brokers.clone()} clients={p.clients.clone()} cut={p.cut.clone()} slow={p.slow.clone()} />
                { for p.brokers.iter().map(|b| node(&Node::Broker(b.id), format!("broker-{}", b.id), b.down, b.controller)) }
                { for p.clients.iter().map(|c| node(&Node::Client(c.clone()), c.clone(), false, false)) }
                { for shown.iter().map(|m| dot(m)) }
            </svg>
            <figcaption class="muted">
                { format!("{} message(s) on the wire", shown.len()) }
                // Only the dots carry the colours: the words keep the text's contrast.
                { " · " }{ legend_dot("#1f6feb") }{ "Produce " }{ legend_dot("#12a150") }{ "Fetch " }
                { legend_dot("#8a8a93") }{ "Metadata, ListOffsets " }{ legend_dot("#7a5af8") }{ "controller" }
                { " · small dots are answers · use 0.01× or Step to watch them cross" }
            </figcaption>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
struct LinkProps {
    brokers: Vec<BrokerNode>,
    clients: Vec<String>,
    cut: Vec<(Node, Node)>,
    slow: Vec<(Node, Node, u64)>,
}

/// Every link as a line: a component of its own, drawn again only when the nodes or the links'
/// states change, not on every frame the dots move.
#[function_component(Links)]
fn links(p: &LinkProps) -> Html {
    let pos = |node: &Node| place(&p.brokers, &p.clients, node, None);
    let state = |a: &Node, b: &Node| -> &'static str {
        let same = |x: &Node, y: &Node| (x == a && y == b) || (x == b && y == a);
        if p.cut.iter().any(|(x, y)| same(x, y)) {
            "cut"
        } else if p.slow.iter().any(|(x, y, _)| same(x, y)) {
            "slow"
        } else {
            ""
        }
    };
    let mut links = Vec::new();
    let brokers: Vec<Node> = p.brokers.iter().map(|b| Node::Broker(b.id)).collect();
    let clients: Vec<Node> = p.clients.iter().map(|c| Node::Client(c.clone())).collect();
    for (i, a) in brokers.iter().enumerate() {
        for b in &brokers[i + 1..] {
            links.push((a.clone(), b.clone()));
        }
        for c in &clients {
            links.push((c.clone(), a.clone()));
        }
    }
    let line = |(a, b): &(Node, Node)| {
        let (Some((x1, y1)), Some((x2, y2))) = (pos(a), pos(b)) else { return html! {} };
        // Broker-to-broker links arc above the row so they do not overlap.
        let path = if y1 == y2 {
            let mid = (x1 + x2) / 2.0;
            format!(
                "M{},{} Q{},{} {},{}",
                tenths(x1),
                tenths(y1),
                tenths(mid),
                tenths(y1 - 40.0 - (x2 - x1).abs() / 12.0),
                tenths(x2),
                tenths(y2)
            )
        } else {
            format!("M{},{} L{},{}", tenths(x1), tenths(y1), tenths(x2), tenths(y2))
        };
        html! { <path d={path} class={classes!("link", state(a, b))}><title>{ format!("{a} <-> {b}") }</title></path> }
    };
    html! { <g class="links">{ for links.iter().map(line) }</g> }
}

/// A legend's coloured dot (decoration: the word after it says what it stands for).
fn legend_dot(colour: &'static str) -> Html {
    html! { <span style={format!("color:{colour}")} aria-hidden="true">{ "● " }</span> }
}
