//! The session as an editable scenario script, share links, and the
//! checkpoints (`expect` lines) as a checklist.

use super::error_line;
use crate::state::{Action, CheckpointView};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub script: String,
    pub error: Option<String>,
    pub readonly: bool,
    pub dispatch: Callback<Action>,
    /// Share: puts the link in the address bar and copies it.
    pub share: Callback<()>,
    /// The last link made, shown for copying by hand.
    pub link: Option<String>,
    /// Embed: copies an `<iframe>` snippet of this session.
    pub embed: Callback<()>,
    pub snippet: Option<String>,
}

#[function_component(ScriptPanel)]
pub fn script_panel(p: &Props) -> Html {
    let draft = use_state(|| None::<String>);
    let export = use_state(|| None::<(&'static str, String)>);
    let exporter = |kind: &'static str| {
        let (export, script) = (export.clone(), p.script.clone());
        Callback::from(move |_| {
            let scenario = kafka_sim::scenario::Scenario::parse(&script).unwrap_or_default();
            let code =
                if kind == "Python" { kafka_sim::export::python(&scenario) } else { kafka_sim::export::cli(&scenario) };
            export.set(Some((kind, code)));
        })
    };
    let text = (*draft).clone().unwrap_or_else(|| p.script.clone());
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            use wasm_bindgen::JsCast;
            if let Some(t) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) {
                draft.set(Some(t.value()));
            }
        })
    };
    let apply = {
        let (draft, d) = (draft.clone(), p.dispatch.clone());
        Callback::from(move |_| {
            if let Some(text) = (*draft).clone() {
                d.emit(Action::LoadScript(text));
                draft.set(None);
            }
        })
    };
    let revert = {
        let draft = draft.clone();
        Callback::from(move |_| draft.set(None))
    };
    let share = p.share.reform(|_| ());
    html! {
        <div>
            <p class="muted">{ "Every action is recorded as a command; edit the script and apply it to replay from the start. `kafka-sim run` replays it too." }</p>
            <textarea class="script" value={text} {oninput} readonly={p.readonly} rows="12" spellcheck="false"
                aria-label="session script" aria-describedby="script-error" data-testid="script" />
            <div class="form">
                if !p.readonly {
                    <button onclick={apply} disabled={draft.is_none()} data-testid="apply-script">{ "Apply script" }</button>
                    <button onclick={revert} disabled={draft.is_none()}>{ "Revert" }</button>
                }
                <button class="primary" onclick={share} data-testid="share">{ "Copy share link" }</button>
                <button onclick={p.embed.reform(|_| ())} data-testid="embed">{ "Embed" }</button>
                <button onclick={exporter("Python")} title="a kafka-python program doing the same on a real cluster" data-testid="export-python">{ "Export as Python" }</button>
                <button onclick={exporter("CLI")} title="the same with Kafka's command-line tools">{ "Export as CLI" }</button>
                { error_line("script-error", &p.error) }
            </div>
            if let Some(link) = &p.link {
                <p class="muted">{ "Link copied. It holds the whole session, compressed, in the part after # (never sent to a server): " }
                    <input class="link" readonly=true value={link.clone()} data-testid="share-link" /></p>
            }
            if let Some((kind, code)) = &*export {
                <p class="muted">{ format!("{kind} for a real cluster (what a client cannot do, like crashing a broker, is a comment):") }</p>
                <textarea class="script" readonly=true rows="14" value={code.clone()} data-testid="export" />
            }
            if let Some(snippet) = &p.snippet {
                <p class="muted">{ "Embed snippet copied (docs/embedding.md lists the options: views, autoplay, speed, readonly, origin):" }
                    <textarea class="link" readonly=true rows="3" value={snippet.clone()} data-testid="embed-snippet" /></p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct CheckpointProps {
    pub checkpoints: Vec<CheckpointView>,
}

pub fn checkpoints(p: &CheckpointProps) -> Html {
    if p.checkpoints.is_empty() {
        return html! { <p class="muted">{ "No checkpoints. A script's `expect` lines (for example `expect partition orders-0 isr=1,2,3`) show here and turn green when true." }</p> };
    }
    let done = p.checkpoints.iter().filter(|c| c.result.is_ok()).count();
    html! {
        <div>
            <p class="muted" data-testid="checkpoint-count">{ format!("{done} of {} done", p.checkpoints.len()) }</p>
            { checklist(&p.checkpoints, "checkpoints") }
        </div>
    }
}

/// Checkpoints as a list: done ones ticked, the others with what was found instead.
pub fn checklist(checks: &[CheckpointView], testid: &'static str) -> Html {
    html! {
        <ul class="checkpoints" data-testid={testid}>
            { for checks.iter().map(|c| match &c.result {
                Ok(()) => html! { <li class="done">{ "✓ " }<code>{ &c.text }</code></li> },
                Err(why) => html! { <li class="todo">{ "○ " }<code>{ &c.text }</code><span class="muted">{ format!(" — {why}") }</span></li> },
            }) }
        </ul>
    }
}
