//! Markup written as text, without the browser: tested natively. Parts of the page that only
//! show text (tables, no listeners) are built here as one string each and handed to Yew as raw
//! markup: Yew's `html!` builds each element with code of its own, which for a table of a dozen
//! cells costs the download about 1 KB gzipped (docs/performance.md); a string costs its text.
//! Everything a person or a script named is escaped ([`Esc`]).

use core::fmt::Write as _;
use kafka_sim::record::Show;
use kafka_sim::view::{assignment_string, ClientView, GroupView, PartitionView, ReplicaView};

/// A group's card: its state and epochs, `kafka-consumer-groups --describe --members --verbose`
/// when it has members, and `--describe`.
pub fn group_card(g: &GroupView) -> String {
    #[cfg(feature = "share-groups")]
    if g.group_protocol == "share" {
        return share_group_card(g);
    }
    let state_class = match g.state.as_str() {
        "Stable" => "ok",
        "Empty" => "muted",
        _ => "warn",
    };
    let mut h = String::with_capacity(1024);
    let _ = write!(h, r#"<div class="group" data-testid="group-{}"><h3>group {}"#, Esc(&g.name), Esc(&g.name));
    let _ = write!(
        h,
        r#"<span class="group-state {state_class}" data-testid="group-state"> {}</span><span class="muted">"#,
        Esc(&g.state)
    );
    if g.group_protocol == "consumer" {
        let _ = write!(
            h,
            " · consumer protocol · group epoch {} · target assignment epoch {}",
            g.generation, g.assignment_epoch
        );
    } else {
        let _ = write!(h, " · generation {}", g.generation);
    }
    let assignor = g.protocol.as_deref().unwrap_or("-");
    let _ = write!(h, " · assignor {} · coordinator broker-{}</span></h3>", Esc(assignor), g.coordinator);
    if !g.members.is_empty() {
        members_table(&mut h, g);
    }
    let _ = write!(
        h,
        r#"<table class="records" data-testid="group-describe"><caption>kafka-consumer-groups --describe --group {}</caption>"#,
        Esc(&g.name)
    );
    h.push_str("<thead><tr><th>TOPIC</th><th>PARTITION</th><th>CURRENT-OFFSET</th><th>LOG-END-OFFSET</th><th>LAG</th><th>CONSUMER-ID</th><th>CLIENT-ID</th></tr></thead><tbody>");
    for r in &g.rows {
        let dash = |o: Option<u64>| o.map_or(String::from("-"), |o| o.to_string());
        let lag_class = if r.lag.is_some_and(|l| l > 0) { r#" class="warn""# } else { "" };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td{lag_class}>{}</td><td>{}</td><td>{}</td></tr>",
            Esc(r.tp.topic.as_str()),
            r.tp.partition,
            dash(r.current_offset),
            r.log_end_offset,
            dash(r.lag),
            Esc(r.member_id.as_deref().unwrap_or("-")),
            Esc(r.client.as_deref().unwrap_or("-")),
        );
    }
    h.push_str("</tbody></table></div>");
    h
}

/// A share group's card: `kafka-share-groups --describe` with `--state`, `--members --verbose` and
/// the offsets (Kafka 4.3's columns, HOST left out: the simulation's clients have no hosts).
#[cfg(feature = "share-groups")]
fn share_group_card(g: &GroupView) -> String {
    let state_class = if g.state == "Stable" { "ok" } else { "warn" };
    let mut h = String::with_capacity(1024);
    let _ = write!(
        h,
        r#"<div class="group" data-testid="group-{}"><h3>share group {}<span class="group-state {state_class}" data-testid="group-state"> {}</span>"#,
        Esc(&g.name),
        Esc(&g.name),
        Esc(&g.state)
    );
    let _ = write!(
        h,
        r#"<span class="muted"> · group epoch {} · assignment epoch {} · assignor simple · coordinator broker-{}</span></h3>"#,
        g.generation, g.assignment_epoch, g.coordinator
    );
    if !g.members.is_empty() {
        let _ = write!(
            h,
            r#"<table class="records" data-testid="group-members"><caption>kafka-share-groups --describe --members --verbose --group {}</caption><thead><tr><th>CONSUMER-ID</th><th>CLIENT-ID</th><th>#PARTITIONS</th><th>MEMBER-EPOCH</th><th>ASSIGNMENT</th></tr></thead><tbody>"#,
            Esc(&g.name)
        );
        for m in &g.members {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                Esc(&m.member_id),
                Esc(&m.client),
                m.assignment.len(),
                m.epoch,
                Esc(&assignment_string(&m.assignment)),
            );
        }
        h.push_str("</tbody></table>");
    }
    let _ = write!(
        h,
        r#"<table class="records" data-testid="group-describe"><caption>kafka-share-groups --describe --group {}</caption><thead><tr><th>TOPIC</th><th>PARTITION</th><th>START-OFFSET</th><th>LAG</th></tr></thead><tbody>"#,
        Esc(&g.name)
    );
    for r in &g.rows {
        let dash = |o: Option<u64>| o.map_or(String::from("-"), |o| o.to_string());
        let lag_class = if r.lag.is_some_and(|l| l > 0) { r#" class="warn""# } else { "" };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td{lag_class}>{}</td></tr>",
            Esc(r.tp.topic.as_str()),
            r.tp.partition,
            dash(r.current_offset),
            dash(r.lag),
        );
    }
    h.push_str("</tbody></table></div>");
    h
}

/// Text escaped for markup: what a person named (a group id, a client id) is shown as text,
/// never read as markup.
pub struct Esc<'a>(pub &'a str);

impl core::fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for c in self.0.chars() {
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&#39;")?,
                c => core::fmt::Write::write_char(f, c)?,
            }
        }
        Ok(())
    }
}

/// `kafka-consumer-groups --describe --members --verbose`: each member, and under the consumer
/// protocol its epoch and partitions beside the target assignment the coordinator moves it to
/// (Kafka 4.3's columns; `-` where the classic protocol has none; HOST left out, the simulation's
/// clients have no hosts). The leader of a classic group is marked.
fn members_table(h: &mut String, g: &GroupView) {
    let statics = g.members.iter().any(|m| m.instance_id.is_some());
    let modern = g.group_protocol == "consumer";
    let epoch = |e: i64| if modern { e.to_string() } else { "-".into() };
    let _ = write!(
        h,
        r#"<table class="records" data-testid="group-members"><caption>kafka-consumer-groups --describe --members --verbose --group {}</caption><thead><tr><th>CONSUMER-ID</th>"#,
        Esc(&g.name)
    );
    if statics {
        h.push_str("<th>GROUP-INSTANCE-ID</th>");
    }
    h.push_str("<th>CLIENT-ID</th><th>#PARTITIONS</th><th>CURRENT-EPOCH</th><th>CURRENT-ASSIGNMENT</th><th>TARGET-EPOCH</th><th>TARGET-ASSIGNMENT</th></tr></thead><tbody>");
    for m in &g.members {
        let leader = if g.leader.as_ref() == Some(&m.member_id) { " (leader)" } else { "" };
        let _ = write!(h, "<tr><td>{}{leader}</td>", Esc(&m.member_id));
        if statics {
            let _ = write!(h, "<td>{}</td>", Esc(m.instance_id.as_deref().unwrap_or("-")));
        }
        let target = if modern { assignment_string(&m.target) } else { "-".into() };
        let _ = write!(
            h,
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            Esc(&m.client),
            m.assignment.len(),
            epoch(m.epoch.into()),
            Esc(&assignment_string(&m.assignment)),
            epoch(g.assignment_epoch.into()),
            Esc(&target),
        );
    }
    h.push_str("</tbody></table>");
}

/// The records a consumer's polls returned, newest first (at most 100): a JSON object or array
/// laid out, other values as `Show` writes bytes.
pub fn received(me: Option<&ClientView>) -> String {
    let mut h = String::with_capacity(4096);
    h.push_str(
        r#"<table class="records" data-testid="received"><caption>Records returned by poll (newest first)</caption>"#,
    );
    h.push_str("<thead><tr><th>partition</th><th>offset</th><th>key</th><th>value</th><th>headers</th><th>timestamp</th></tr></thead><tbody>");
    for (tp, r) in me.into_iter().flat_map(|c| c.received.iter().rev().take(100)) {
        let key = Show(r.key.as_deref()).to_string();
        let _ = write!(
            h,
            r#"<tr data-testid="received-row"><td>{tp}</td><td>{}</td><td>{}</td><td class="value">"#,
            r.offset,
            Esc(&key)
        );
        match r.value.as_deref().and_then(|v| core::str::from_utf8(v).ok()).and_then(kafka_sim::format::pretty_json) {
            Some(pretty) => {
                let _ = write!(h, r#"<pre class="json">{}</pre>"#, Esc(&pretty));
            }
            None => {
                let _ = write!(h, "{}", Esc(&Show(r.value.as_deref()).to_string()));
            }
        }
        h.push_str("</td><td>");
        for (n, header) in r.headers.iter().enumerate() {
            let text = header_text(n, &header.key, &Show(header.value.as_deref()).to_string());
            let _ = write!(h, "{}", Esc(&text));
        }
        let _ = write!(h, "</td><td>{} ms</td></tr>", r.timestamp_ms);
    }
    h.push_str("</tbody></table>");
    h
}

/// A record header as `key=value`, after a comma but for the first.
fn header_text(n: usize, key: &str, value: &str) -> String {
    let sep = if n == 0 { "" } else { ", " };
    format!("{sep}{key}={value}")
}

/// Configs as `name=value`, one a line.
pub fn configs(pairs: &[(&str, String)]) -> String {
    let mut h = String::from(r#"<ul class="configs">"#);
    for (k, v) in pairs {
        let _ = write!(h, "<li>{}={}</li>", Esc(k), Esc(v));
    }
    h.push_str("</ul>");
    h
}

/// A broker's replicas of user topics: role, ISR membership, high watermark, log end.
pub fn broker_replicas(replicas: &[ReplicaView]) -> String {
    let mut h = String::with_capacity(1024);
    let _ = write!(h, r#"<table class="records"><caption>{} replica(s)</caption>"#, replicas.len());
    h.push_str("<thead><tr><th>partition</th><th>role</th><th>ISR</th><th>HW</th><th>LEO</th></tr></thead><tbody>");
    for r in replicas.iter().filter(|r| !r.tp.topic.as_str().starts_with("__")) {
        let isr = if r.in_isr { "in" } else { "out" };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{isr}</td><td>{}</td><td>{}</td></tr>",
            r.tp, r.role, r.high_watermark, r.log_end_offset
        );
    }
    h.push_str("</tbody></table>");
    h
}

/// A partition's facts: leader and epoch, replicas, ISR, ELR when any, offsets, each replica's log end.
pub fn partition_facts(q: &PartitionView) -> String {
    let names = |ids: &[u32]| ids.iter().map(|b| format!("broker-{b}")).collect::<Vec<_>>().join(", ");
    let mut h = String::from(r#"<dl class="facts" data-testid="inspect-partition"><dt>leader</dt><dd>"#);
    match q.leader {
        Some(l) => {
            let _ = write!(h, "broker-{l} (epoch {})", q.leader_epoch);
        }
        None => h.push_str("none (offline)"),
    }
    let _ = write!(h, "</dd><dt>replicas</dt><dd>{}</dd><dt>ISR</dt><dd>{}</dd>", names(&q.replicas), names(&q.isr));
    if !q.elr.is_empty() {
        let title = "eligible leader replicas: out of the ISR with every committed record";
        let _ = write!(h, r#"<dt><abbr title="{title}">ELR</abbr></dt><dd>{}</dd>"#, names(&q.elr));
    }
    let _ = write!(
        h,
        "<dt>offsets</dt><dd>log start {} · LSO {} · HW {} · LEO {}</dd><dt>log ends</dt><dd>",
        q.log_start_offset, q.last_stable_offset, q.high_watermark, q.log_end_offset
    );
    for (n, (b, o)) in q.replica_log_end_offsets.iter().enumerate() {
        let sep = if n == 0 { "" } else { ", " };
        let _ = write!(h, "{sep}broker-{b}: {o}");
    }
    h.push_str("</dd></dl>");
    h
}

/// A partition's newest records (at most 12, newest first), those above the high watermark
/// marked uncommitted; a key or value of more than 40 characters cut.
pub fn partition_records(q: &PartitionView) -> String {
    let mut h = String::with_capacity(1024);
    let _ = write!(h, r#"<table class="records"><caption>newest of {} record(s)</caption>"#, q.record_count);
    h.push_str("<thead><tr><th>offset</th><th>key</th><th>value</th></tr></thead><tbody>");
    for r in q.records.iter().rev().take(12) {
        let class = if r.offset >= q.high_watermark { r#" class="uncommitted""# } else { "" };
        let (key, value) = (short_text(r.key.as_deref()), short_text(r.value.as_deref()));
        let _ = write!(
            h,
            r#"<tr{class}><td>{}</td><td>{}</td><td class="value">{}</td></tr>"#,
            r.offset,
            Esc(&key),
            Esc(&value)
        );
    }
    h.push_str("</tbody></table>");
    h
}

/// A key or value as text: `null`, the first 40 characters, or its size when not UTF-8.
fn short_text(b: Option<&[u8]>) -> String {
    match b {
        None => "null".into(),
        Some(v) => match core::str::from_utf8(v) {
            Ok(s) if s.chars().count() > 40 => format!("{}…", s.chars().take(40).collect::<String>()),
            Ok(s) => s.to_string(),
            Err(_) => format!("{} bytes", v.len()),
        },
    }
}

/// A producer's configs under their headings, each with its sentence (from `docs`, the fetched
/// `kind<TAB>name<TAB>sentence` lines `config_docs::page_text` writes; none until they come) and,
/// when changed, Kafka's default.
pub fn producer_configs(c: &ClientView, docs: Option<&str>) -> String {
    use kafka_sim::client::config::ProducerConfig;
    use kafka_sim::client::config_docs::{producer_group, PRODUCER_GROUPS};
    let explain = |name: &str| {
        docs.into_iter().flat_map(str::lines).find_map(|line| {
            let mut fields = line.splitn(3, '\t');
            (fields.next() == Some("producer") && fields.next() == Some(name)).then(|| fields.next()).flatten()
        })
    };
    let defaults = ProducerConfig::default().describe();
    let mut h = String::from(r#"<div class="config-groups" data-testid="producer-configs-explained">"#);
    for group in PRODUCER_GROUPS {
        let _ = write!(h, "<section><h4>{}</h4><dl>", Esc(group));
        for (k, v) in c.configs.iter().filter(|(k, _)| producer_group(k) == *group) {
            let default = defaults.iter().find(|(d, _)| d == k).map(|(_, d)| d.as_str()).unwrap_or_default();
            let _ = write!(h, "<dt><code>{}={}</code>", Esc(k), Esc(v));
            if v != default {
                let shown = if default.is_empty() { "unset" } else { default };
                let _ = write!(h, r#"<span class="muted"> (default {})</span>"#, Esc(shown));
            }
            let _ = write!(h, "</dt><dd>{}</dd>", Esc(explain(k).unwrap_or_default()));
        }
        h.push_str("</dl></section>");
    }
    h.push_str("</div>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_sim::scenario::Scenario;
    use kafka_sim::trace::{self, OnError};

    #[test]
    fn text_is_escaped() {
        assert_eq!(Esc(r#"a<b>&"c'"#).to_string(), "a&lt;b&gt;&amp;&quot;c&#39;");
        assert_eq!(Esc("orders-0").to_string(), "orders-0");
    }

    #[test]
    fn a_group_card_shows_the_describe_tables_with_names_escaped() {
        let script = "seed 1\ncluster brokers=1\ntopic create t partitions=2\n\
                      consumer c1 group.id='a<b&x'\nsubscribe c1 t\nconsume c1\nadvance 5s\n";
        let scenario = Scenario::parse(script).expect("parses");
        let mut text = String::new();
        let sim = trace::run(&scenario, OnError::Stop, &mut text).expect("runs");
        let view = sim.view();
        let g = view.groups.iter().find(|g| g.name == "a<b&x").expect("the group");
        let card = group_card(g);
        assert!(
            card.starts_with(r#"<div class="group" data-testid="group-a&lt;b&amp;x"><h3>group a&lt;b&amp;x"#),
            "{card}"
        );
        assert!(card.contains(r#"data-testid="group-members""#) && card.contains(r#"data-testid="group-describe""#));
        assert!(card.contains("<tr><td>c1-0 (leader)</td><td>c1</td><td>2</td>"), "the member: {card}");
        assert!(card.contains("<th>CURRENT-OFFSET</th>") && card.contains("<td>t</td><td>1</td>"), "{card}");
        assert!(!card.contains("a<b"), "nothing named is read as markup");
        assert!(card.ends_with("</tbody></table></div>"));
    }

    /// `kafka-share-groups --describe` as Kafka 4.3 prints it: a member's epoch and assignment,
    /// each partition's start offset and lag (here one record acquired, not yet done with).
    #[cfg(feature = "share-groups")]
    #[test]
    fn a_share_group_card_shows_the_share_groups_describe_tables() {
        let script = "seed 1\ncluster brokers=1\ntopic create t partitions=1\n\
                      group config jobs share.auto.offset.reset=earliest\nproducer p\nsend p t value=a\n\
                      share-consumer w1 group.id=jobs\nsubscribe w1 t\nconsume w1 processing.ms=60000\nadvance 5s\n";
        let scenario = Scenario::parse(script).expect("parses");
        let mut text = String::new();
        let sim = trace::run(&scenario, OnError::Stop, &mut text).expect("runs");
        let view = sim.view();
        let g = view.groups.iter().find(|g| g.name == "jobs").expect("the share group");
        let card = group_card(g);
        assert!(card.starts_with(r#"<div class="group" data-testid="group-jobs"><h3>share group jobs"#), "{card}");
        assert!(card.contains("<caption>kafka-share-groups --describe --members --verbose --group jobs</caption>"));
        assert!(card.contains("<td>w1</td><td>1</td><td>"), "w1 with its one partition: {card}");
        assert!(card.contains("<td>t</td><td>0</td><td>0</td><td class=\"warn\">1</td>"), "SPSO 0, lag 1: {card}");
        assert!(!card.contains("CURRENT-OFFSET"), "a share group has no offsets of its members");
    }

    #[test]
    fn received_records_are_shown_newest_first_with_values_escaped() {
        let script = "seed 1\ncluster brokers=1\ntopic create t partitions=1\nproducer p\n\
                      send p t key=k1 value='<b>&' header.h1=x\nsend p t key=k2 value='{\"a\": 1}'\n\
                      consumer c1 group.id=g auto.offset.reset=earliest\nsubscribe c1 t\nconsume c1\nadvance 5s\n";
        let scenario = Scenario::parse(script).expect("parses");
        let mut text = String::new();
        let sim = trace::run(&scenario, OnError::Stop, &mut text).expect("runs");
        let view = sim.view();
        let c1 = view.clients.iter().find(|c| c.name == "c1").expect("c1");
        let table = received(Some(&**c1));
        let rows: Vec<&str> = table.split(r#"<tr data-testid="received-row">"#).skip(1).collect();
        assert_eq!(rows.len(), 2, "{table}");
        assert!(rows[0].starts_with("<td>t-0</td><td>1</td><td>&quot;k2&quot;</td>"), "newest first: {table}");
        assert!(rows[0].contains(r#"<pre class="json">"#), "a JSON object laid out: {table}");
        let escaped = r#"<td class="value">&quot;&lt;b&gt;&amp;&quot;</td><td>h1=&quot;x&quot;</td>"#;
        assert!(rows[1].contains(escaped), "{table}");
        assert!(!table.contains("<b>"), "a value is never read as markup");
        assert_eq!(received(None).matches("<tr").count(), 1, "no consumer: the header row only");
    }

    #[test]
    fn a_partitions_facts_and_records_as_the_inspector_shows_them() {
        let script = "seed 1\ncluster brokers=3\ntopic create t partitions=1 replication-factor=3\nproducer p\n\
                      send p t key=a value='<x>'\nadvance 2s\n";
        let scenario = Scenario::parse(script).expect("parses");
        let mut text = String::new();
        let sim = trace::run(&scenario, OnError::Stop, &mut text).expect("runs");
        let view = sim.view();
        let q = &view.topics.iter().find(|t| t.name == "t").expect("t").partitions[0];
        let facts = partition_facts(q);
        assert!(facts.contains("<dt>ISR</dt><dd>broker-"), "{facts}");
        assert!(facts.contains("· HW 1 · LEO 1</dd>"), "{facts}");
        let records = partition_records(q);
        assert!(records.contains(r#"<tr><td>0</td><td>a</td><td class="value">&lt;x&gt;</td></tr>"#), "{records}");
        assert_eq!(short_text(Some("x".repeat(41).as_bytes())), format!("{}…", "x".repeat(40)));
        assert_eq!(configs(&[("acks", "all".into())]), r#"<ul class="configs"><li>acks=all</li></ul>"#);
        let broker = view.brokers.iter().find(|b| b.id == 1).expect("broker-1");
        let table = broker_replicas(&broker.replicas);
        assert!(table.contains("<td>t-0</td>") && !table.contains("__"), "{table}");
        let p = view.clients.iter().find(|c| c.name == "p").expect("p");
        let docs = "producer\tacks\tHow many replicas must <have> the record.\n";
        let explained = producer_configs(p, Some(docs));
        assert!(
            explained
                .contains("<dt><code>acks=all</code></dt><dd>How many replicas must &lt;have&gt; the record.</dd>"),
            "{explained}"
        );
        assert!(
            producer_configs(p, None).contains("<dt><code>acks=all</code></dt><dd></dd>"),
            "no sentences until fetched"
        );
    }
}
