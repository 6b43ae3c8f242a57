//! Markup written as text, without the browser: tested natively. Parts of the page that only
//! show text (tables, no listeners) are built here as one string each and handed to Yew as raw
//! markup: Yew's `html!` builds each element with code of its own, which for a table of a dozen
//! cells costs the download about 1 KB gzipped (docs/performance.md); a string costs its text.
//! Everything a person or a script named is escaped ([`Esc`]).

use core::fmt::Write as _;
use kafka_sim::view::{assignment_string, GroupView};

/// A group's card: its state and epochs, `kafka-consumer-groups --describe --members --verbose`
/// when it has members, and `--describe`.
pub fn group_card(g: &GroupView) -> String {
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
}
