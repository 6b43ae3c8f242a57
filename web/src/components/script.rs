//! The session as a scenario script: everything done so far, replayable.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub script: String,
}

#[function_component(ScriptPanel)]
pub fn script_panel(p: &Props) -> Html {
    html! {
        <div>
            <p class="muted">{ "Every action is recorded as a command; this script with `kafka-sim run` replays the session exactly." }</p>
            <pre class="script" data-testid="script">{ &p.script }</pre>
        </div>
    }
}
