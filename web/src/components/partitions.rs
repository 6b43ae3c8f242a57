//! Each partition's log as a row of offset cells, with the log start offset,
//! the high watermark and the log end offset marked.

use kafka_sim::record::Show;
use kafka_sim::view::TopicView;
use yew::prelude::*;

/// Cells drawn per partition; older records are summarised.
const CELLS_MAX: usize = 40;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub topics: Vec<TopicView>,
}

#[function_component(Partitions)]
pub fn partitions(p: &Props) -> Html {
    if p.topics.is_empty() {
        return html! { <p class="muted">{ "No topics yet. Create one above, or send to a new name: Kafka creates it (auto.create.topics.enable)." }</p> };
    }
    html! {
        <div class="topics">
            { for p.topics.iter().map(|t| html! {
                <div class="topic">
                    <h3>{ &t.name }
                        if !t.configs.is_empty() {
                            <span class="muted">{ format!("  {}", t.configs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")) }</span>
                        }
                    </h3>
                    { for t.partitions.iter().map(|q| {
                        let skipped = q.records.len().saturating_sub(CELLS_MAX);
                        html! {
                            <div class="partition" data-testid={format!("partition-{}-{}", t.name, q.partition)}>
                                <span class="pname">{ format!("{}-{}", t.name, q.partition) }
                                    <span class={classes!("muted", q.leader.is_none().then_some("bad"))}>
                                        { format!(" leader {} · epoch {} · ISR {:?}", q.leader.map_or("none (offline)".into(), |l| format!("broker-{l}")), q.leader_epoch, q.isr) }
                                    </span>
                                </span>
                                <ol class="cells" start={q.log_start_offset.to_string()} aria-label={format!("log of {}-{}", t.name, q.partition)}>
                                    if skipped > 0 { <li class="cell more">{ format!("…{skipped}") }</li> }
                                    { for q.records.iter().skip(skipped).map(|r| html! {
                                        <li class={classes!("cell", (r.offset >= q.high_watermark).then_some("uncommitted"))}
                                            title={format!("offset {} key={} value={}", r.offset, Show(&r.key), Show(&r.value))}>
                                            { r.offset }
                                        </li>
                                    }) }
                                </ol>
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
                    }) }
                </div>
            }) }
        </div>
    }
}
