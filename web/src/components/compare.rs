//! Compare: the session beside itself with one setting changed, in step with
//! the clock — the outcomes that differ highlighted, and each partition's
//! leader, ISR, high watermark and log end in both runs.

use super::{error_line, value_of};
use crate::state::Action;
use kafka_sim::compare::Row;
use kafka_sim::time::Duration;
use yew::prelude::*;

/// One partition in both runs: its name and a line each.
#[derive(Clone, Debug, PartialEq)]
pub struct PartitionPair {
    pub tp: String,
    pub runs: [String; 2],
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The change being compared, when a comparison runs.
    pub change: Option<String>,
    pub rows: Vec<Row>,
    pub partitions: Vec<PartitionPair>,
    /// Commands a run refused: `(run, what)`.
    pub refused: Vec<String>,
    pub suggestions: Vec<String>,
    pub error: Option<String>,
    pub dispatch: Callback<Action>,
}

#[function_component(Compare)]
pub fn compare(p: &Props) -> Html {
    // What the person typed, if anything; until then the box follows this session's comparison or
    // its first suggestion, so a suggestion from an earlier session (naming a producer this one
    // lacks) never stays behind.
    let typed = use_state(|| None::<String>);
    let text =
        (*typed).clone().or_else(|| p.change.clone()).or_else(|| p.suggestions.first().cloned()).unwrap_or_default();
    let on_input = {
        let typed = typed.clone();
        Callback::from(move |e: InputEvent| typed.set(Some(value_of(&e))))
    };
    let start = {
        let (text, d) = (text.clone(), p.dispatch.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            d.emit(Action::Compare(text.clone()));
        })
    };
    let end = p.dispatch.reform(|_| Action::EndCompare);
    let show = |row: &Row, v: u64| if row.is_time { Duration::from_ms(v).to_string() } else { v.to_string() };
    html! {
        <div>
            <form class="form" onsubmit={start} data-testid="compare-form">
                <label>{ "Change one setting " }
                    <input value={text} oninput={on_input} list="compare-suggestions" size="44"
                        placeholder="p acks=1" data-testid="compare-change"
                        aria-describedby="compare-error" />
                </label>
                <datalist id="compare-suggestions">
                    { for p.suggestions.iter().map(|s| html! { <option value={s.clone()} /> }) }
                </datalist>
                <button type="submit" data-testid="compare-start">{ "Compare" }</button>
                if p.change.is_some() {
                    <button type="button" onclick={end} data-testid="compare-end">{ "Stop comparing" }</button>
                }
                { error_line("compare-error", &p.error) }
            </form>
            if let Some(change) = &p.change {
                <table class="compare" data-testid="compare-summary">
                    <caption>{ "The session as written, and with " }<code>{ change }</code>{ ", at the same simulated time" }</caption>
                    <thead><tr><th scope="col">{ "outcome" }</th><th scope="col">{ "as written" }</th><th scope="col">{ "changed" }</th></tr></thead>
                    <tbody>
                        { for p.rows.iter().map(|row| {
                            let differs = row.values[0] != row.values[1];
                            html! {
                                <tr class={classes!(differs.then_some("differs"))} title={row.how} data-testid="compare-row">
                                    <th scope="row">{ row.what }</th>
                                    <td>{ show(row, row.values[0]) }</td>
                                    <td>{ show(row, row.values[1]) }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
                if !p.partitions.is_empty() {
                    <table class="compare" data-testid="compare-partitions">
                        <caption>{ "Partitions side by side" }</caption>
                        <thead><tr><th scope="col">{ "partition" }</th><th scope="col">{ "as written" }</th><th scope="col">{ "changed" }</th></tr></thead>
                        <tbody>
                            { for p.partitions.iter().map(|pair| html! {
                                <tr class={classes!((pair.runs[0] != pair.runs[1]).then_some("differs"))}>
                                    <th scope="row">{ &pair.tp }</th>
                                    <td>{ &pair.runs[0] }</td>
                                    <td>{ &pair.runs[1] }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                }
                { for p.refused.iter().map(|r| html! { <p class="error">{ r }</p> }) }
            }
        </div>
    }
}

/// Each user partition in both runs of a comparison, as one line a run.
pub fn partition_pairs(views: &[kafka_sim::view::ClusterView; 2]) -> Vec<PartitionPair> {
    let line = |v: &kafka_sim::view::ClusterView, topic: &str, i: usize| {
        let Some(p) = v.topics.iter().find(|t| t.name == topic).and_then(|t| t.partitions.get(i)) else {
            return "—".to_string();
        };
        let ids = |xs: &[u32]| xs.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        format!(
            "leader {} · ISR [{}] · HW {} · LEO {}",
            p.leader.map_or_else(|| "none".to_string(), |l| l.to_string()),
            ids(&p.isr),
            p.high_watermark,
            p.log_end_offset
        )
    };
    let mut out = Vec::new();
    for t in views[0].topics.iter().filter(|t| !t.name.starts_with("__")) {
        for i in 0..t.partitions.len() {
            out.push(PartitionPair {
                tp: format!("{}-{i}", t.name),
                runs: [line(&views[0], &t.name, i), line(&views[1], &t.name, i)],
            });
        }
    }
    out
}
