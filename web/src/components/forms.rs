//! The topic form (CreateTopics) and the send form (`producer.send`).

use super::{error_line, value_of};
use crate::state::{topic_create_line, Action, Form, SendForm, PRODUCER};
use kafka_sim::client::partitioner::{murmur2, to_positive, RulePartitioner};
use kafka_sim::command::Command;
use kafka_sim::view::ClientView;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TopicProps {
    /// Topics there are, so the name offered is one that is free.
    #[prop_or_default]
    pub topics: Vec<String>,
    /// Brokers in the cluster: the replication factor offered is 3, or fewer on a smaller cluster.
    #[prop_or(3)]
    pub brokers: usize,
    pub error: Option<String>,
    pub dispatch: Callback<Action>,
}

/// A producer's accumulator: each batch filling toward batch.size, lingering, ready or retried.
/// The produce drawer and the inspector draw the same.
pub fn batches(c: &ClientView, now_ms: u64) -> Html {
    let batch_size =
        c.configs.iter().find(|(k, _)| *k == "batch.size").and_then(|(_, v)| v.parse::<usize>().ok()).unwrap_or(16_384);
    html! {
        <>
            if c.batches.is_empty() { <span class="muted">{ "empty" }</span> }
            { for c.batches.iter().map(|b| {
                let fill = (100 * b.bytes / batch_size.max(1)).min(100);
                let state = if b.attempts > 0 { format!("retry {}", b.attempts) } else if b.ready { "ready".into() } else { format!("lingering {} ms", now_ms.saturating_sub(b.created_ms)) };
                html! {
                    <span class="batch" title={format!("{} record(s), {} of {batch_size} bytes; {state}{}", b.records, b.bytes, b.base_sequence.map(|s| format!("; sequence {s}")).unwrap_or_default())}>
                        { format!("{} ×{} ", b.tp, b.records) }<meter min="0" max="100" value={fill.to_string()} />{ format!(" {state}") }
                    </span>
                }
            }) }
        </>
    }
}

/// A name nobody has taken yet: the first of `names`, else `stem-N`.
pub fn free_name(taken: &[String], names: &[&str], stem: &str) -> String {
    let free = |n: &str| !taken.iter().any(|t| t == n);
    names
        .iter()
        .find(|n| free(n))
        .map(|n| n.to_string())
        .or_else(|| (1..).map(|i| format!("{stem}-{i}")).find(|n| free(n)))
        .unwrap_or_default()
}

#[function_component(TopicPanel)]
pub fn topic_panel(p: &TopicProps) -> Html {
    // What the person typed; until then the form offers a free name and a replication factor
    // the cluster can place (a value in the box, never a placeholder the button would not send).
    let name = use_state(|| None::<String>);
    let partitions = use_state(|| "3".to_string());
    let rf = use_state(|| None::<String>);
    let configs = use_state(String::new);
    // A name typed stays until it has become a topic (a refused one stays to be corrected).
    let typed = (*name).clone().filter(|n| p.error.is_some() || !p.topics.contains(n));
    let name_shown =
        typed.unwrap_or_else(|| free_name(&p.topics, &["orders", "payments", "clicks", "events"], "topic"));
    let rf_shown = (*rf).clone().unwrap_or_else(|| p.brokers.clamp(1, 3).to_string());
    let onsubmit = {
        let (name, partitions, rf, configs, d) =
            (name_shown.clone(), partitions.clone(), rf_shown.clone(), configs.clone(), p.dispatch.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            d.emit(Action::Line(Form::Topic, topic_create_line(&name, &partitions, &rf, &configs)));
        })
    };
    let bind = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: InputEvent| s.set(value_of(&e)))
    };
    let bind_typed = |s: &UseStateHandle<Option<String>>| {
        let s = s.clone();
        Callback::from(move |e: InputEvent| s.set(Some(value_of(&e))))
    };
    let invalid = p.error.is_some().then_some("true");
    html! {
        <form class="form" {onsubmit} data-testid="topic-form">
            <label>{ "Name" }<input value={name_shown} oninput={bind_typed(&name)} aria-invalid={invalid} aria-describedby="topic-error" data-testid="topic-name" /></label>
            <label>{ "Partitions" }<input value={(*partitions).clone()} oninput={bind(&partitions)} inputmode="numeric" size="4" data-testid="topic-partitions" /></label>
            <label>{ "Replication factor" }<input value={rf_shown} oninput={bind_typed(&rf)} inputmode="numeric" size="4" /></label>
            <label class="grow">{ "Configs" }<input value={(*configs).clone()} oninput={bind(&configs)} placeholder="retention.ms=604800000 cleanup.policy=delete" /></label>
            <button type="submit" data-testid="topic-create">{ "Create topic" }</button>
            { error_line("topic-error", &p.error) }
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct SendProps {
    /// The topics (their partition counts explain where a key goes), the simulated time, and the
    /// producers: every simulated config with its value, acknowledged and failed counts.
    pub view: super::ViewRef,
    pub error: Option<String>,
    pub dispatch: Callback<Action>,
}

#[function_component(SendPanel)]
pub fn send_panel(p: &SendProps) -> Html {
    let topics: Vec<String> = p.view.user_topics().map(|t| t.name.clone()).collect();
    let producers: Vec<&ClientView> = p.view.clients.iter().filter(|c| c.kind == "producer").map(|c| &**c).collect();
    let form = use_state(SendForm::default);
    let null_key = use_state(|| false);
    let key_text = use_state(String::new);
    let local_error = use_state(|| None::<String>);
    let chosen = use_state(|| PRODUCER.to_string());
    let new_name = use_state(|| None::<String>);
    // Empty: Kafka's defaults (acks=all, idempotence on, linger.ms=5); the placeholder shows how to change them.
    let new_configs = use_state(String::new);
    let traffic_rate = use_state(|| 5u32);
    // Each config's sentence, fetched once (`config-docs.txt` beside the page: the first download
    // does not carry them); until it comes, the configs show without their sentences.
    let docs = use_state(|| None::<std::rc::Rc<String>>);
    {
        let docs = docs.clone();
        use_effect_with((), move |_| {
            crate::browser::fetch_text("config-docs.txt".into(), move |text| {
                if let Ok(text) = text {
                    docs.set(Some(std::rc::Rc::new(text)));
                }
            });
        });
    }
    let producer = if producers.iter().any(|c| c.name == *chosen) { (*chosen).clone() } else { PRODUCER.to_string() };
    let topic = if form.topic.is_empty() { topics.first().cloned().unwrap_or_default() } else { form.topic.clone() };
    let onsubmit = {
        let (form, null_key, key_text, d, local_error, topic) =
            (form.clone(), null_key.clone(), key_text.clone(), p.dispatch.clone(), local_error.clone(), topic.clone());
        let producer = producer.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut f = (*form).clone();
            f.topic = topic.clone();
            f.key = (!*null_key).then(|| (*key_text).clone());
            match f.command(&producer) {
                Ok(c) => {
                    local_error.set(None);
                    d.emit(Action::Command(Form::Send, c.into()));
                }
                Err(e) => local_error.set(Some(e)),
            }
        })
    };
    let set = |f: fn(&mut SendForm, String)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut next = (*form).clone();
            f(&mut next, value_of(&e));
            form.set(next);
        })
    };
    let on_key = {
        let k = key_text.clone();
        Callback::from(move |e: InputEvent| k.set(value_of(&e)))
    };
    let on_null = {
        let n = null_key.clone();
        Callback::from(move |_| n.set(!*n))
    };
    let on_value = {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let mut next = (*form).clone();
            next.value = value_of(&e);
            form.set(next);
        })
    };
    let error = (*local_error).clone().or_else(|| p.error.clone());
    let on_pick = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| chosen.set(value_of(&e)))
    };
    let taken: Vec<String> = producers.iter().map(|c| c.name.clone()).collect();
    let new_name_shown = (*new_name).clone().unwrap_or_else(|| free_name(&taken, &[], "producer"));
    let create = {
        let (name, configs, d) = (new_name_shown.clone(), new_configs.clone(), p.dispatch.clone());
        let (typed, chosen) = (new_name.clone(), chosen.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = name.trim().to_string();
            d.emit(Action::Line(Form::Send, format!("producer {name} {}", configs.trim()).trim_end().to_string()));
            // The new producer is the one the form sends with (if it was refused, the form keeps
            // the producer it had: the chosen name is not among the producers).
            chosen.set(name);
            typed.set(None);
        })
    };
    let bind = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: InputEvent| s.set(value_of(&e)))
    };
    let current = producers.iter().find(|c| c.name == producer);
    // Where the record being typed will go, worked out as Kafka does.
    let count = p.view.topics.iter().find(|t| t.name == topic).map(|t| t.partitions.len() as u32);
    let config = |name: &str| {
        current.and_then(|c| c.configs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())).unwrap_or_default()
    };
    let partitioner_class = config("partitioner.class");
    let key_bytes = (!*null_key).then(|| key_text.as_bytes());
    let ruled = RulePartitioner::parse(&partitioner_class).ok().flatten().and_then(|r| r.partition(key_bytes));
    let explain = match (count, *null_key) {
        (None, _) => String::from("a new topic: Kafka creates it with one partition (auto.create.topics.enable)"),
        (Some(n), _) if ruled.is_some() => {
            let p = ruled.unwrap_or_default();
            let fits = if p < n { String::new() } else { format!(": not a partition of {n}, the send will fail") };
            format!("partitioner.class={partitioner_class} sends this key to partition {p}{fits}")
        }
        (Some(_), _) if partitioner_class.ends_with("RoundRobinPartitioner") => {
            String::from("RoundRobinPartitioner: the next partition in turn, key or not")
        }
        (Some(_), false) if config("partitioner.ignore.keys") == "true" => {
            String::from("partitioner.ignore.keys=true: the sticky partitioner, as for a null key")
        }
        (Some(_), true) => {
            String::from("null key: the sticky partitioner picks a partition and stays on it for batch.size bytes")
        }
        (Some(n), false) => {
            let hash = murmur2(key_text.as_bytes());
            let positive = to_positive(hash);
            format!(
                "murmur2(\"{}\") = {hash}; toPositive = {positive}; {positive} % {n} = partition {}",
                *key_text,
                positive % n
            )
        }
    };
    let flush = {
        let (d, producer) = (p.dispatch.clone(), producer.clone());
        Callback::from(move |_| d.emit(Action::Line(Form::Send, format!("flush {producer}"))))
    };
    let close = {
        let (d, producer) = (p.dispatch.clone(), producer.clone());
        Callback::from(move |_| d.emit(Action::Command(Form::Send, Command::Close { client: producer.clone() }.into())))
    };
    let closed = current.is_some_and(|c| c.closed);
    // A transactional producer's calls, as script lines.
    let txn_call = |verb: &'static str| {
        let (d, producer) = (p.dispatch.clone(), producer.clone());
        Callback::from(move |_| d.emit(Action::Line(Form::Send, format!("{verb} {producer}"))))
    };
    let transaction = current.and_then(|c| c.transaction.clone());
    html! {
        <>
        <div class="form">
            <label>{ "Producer" }
                <select onchange={on_pick} data-testid="send-producer">
                    { for producers.iter().map(|c| html! { <option value={c.name.clone()} selected={c.name == producer}>{ &c.name }</option> }) }
                </select>
            </label>
            if let Some(c) = current {
                <details class="configs">
                    <summary>{ format!("{} acknowledged, {} failed · configs", c.acked_records, c.failed_records) }</summary>
                    { config_groups(c, docs.as_deref().map(String::as_str)) }
                    { for c.notes.iter().map(|n| html! { <p class="note">{ n }</p> }) }
                    if let Some(id) = c.producer_id { <p class="note">{ format!("producer id {id}: retries are recognised by sequence number") }</p> }
                </details>
            }
        </div>
        <div class="form traffic" data-testid="traffic">
            <label>{ "Traffic" }
                <input type="number" min="0" max="1000" value={traffic_rate.to_string()} aria-label="records a second"
                    onchange={{ let r = traffic_rate.clone(); Callback::from(move |e: Event| r.set(value_of(&e).parse().unwrap_or(0))) }} />
            </label>
            <span class="muted">{ "records/s of simulated time, keys key-0..key-9" }</span>
            <button data-testid="traffic-start" title="traffic PRODUCER TOPIC rate=N keys=10"
                onclick={{ let (d, producer, topic, rate) = (p.dispatch.clone(), producer.clone(), topic.clone(), *traffic_rate);
                    Callback::from(move |_| d.emit(Action::Command(Form::Send, Command::Traffic { producer: producer.clone(), topic: topic.clone(), rate_per_s: rate, keys: 10 }.into()))) }}>
                { "Start" }
            </button>
            <button data-testid="traffic-stop"
                onclick={{ let (d, producer, topic) = (p.dispatch.clone(), producer.clone(), topic.clone());
                    Callback::from(move |_| d.emit(Action::Command(Form::Send, Command::Traffic { producer: producer.clone(), topic: topic.clone(), rate_per_s: 0, keys: 0 }.into()))) }}>
                { "Stop" }
            </button>
        </div>
        <form class="form" {onsubmit} data-testid="send-form">
            <label>{ "Topic" }
                <input list="topic-names" value={topic} onchange={set(|f, v| f.topic = v)} placeholder="orders" data-testid="send-topic" />
                <datalist id="topic-names">{ for topics.iter().map(|t| html!{ <option value={t.clone()} /> }) }</datalist>
            </label>
            <label>{ "Key" }<input value={(*key_text).clone()} oninput={on_key} disabled={*null_key} placeholder="Alice" data-testid="send-key" /></label>
            <label class="check"><input type="checkbox" checked={*null_key} onclick={on_null} />{ "null key" }</label>
            <label class="grow">{ "Value" }<input value={form.value.clone()} oninput={on_value} placeholder="{\"amount\": 150}" data-testid="send-value" /></label>
            <label>{ "as" }
                <select onchange={set(|f, v| f.value_format = kafka_sim::format::Format::parse(&v).unwrap_or_default())} data-testid="send-format"
                    title="string: text; json: checked before it is sent; hex: bytes written as hex digits">
                    { for ["string", "json", "hex"].iter().map(|n| html! { <option value={*n} selected={form.value_format.to_string() == *n}>{ *n }</option> }) }
                </select>
            </label>
            <label class="grow">{ "Headers" }<input value={form.headers.clone()} onchange={set(|f, v| f.headers = v)} placeholder="source=web, trace=abc" /></label>
            <p class="muted explain grow" data-testid="partition-explain">{ explain }</p>
            <button type="submit" data-testid="send">{ format!("Send with {producer}") }</button>
            { error_line("send-error", &error) }
        </form>
        if let Some(c) = current {
            <div class="accumulator" data-testid="accumulator">
                <span class="muted">{ "Accumulator: " }</span>
                { batches(c, p.view.now_ms) }
                <button onclick={flush} disabled={closed} title="producer.flush(): send every batch now">{ "Flush" }</button>
                <button onclick={close} disabled={closed} title="producer.close(): send what is buffered, then take no more sends" data-testid="producer-close">{ if closed { "Closed" } else { "Close" } }</button>
            </div>
        }
        if let Some((tid, state, parts)) = transaction {
            // The producer's transaction lane: its state as the Java client names it, and the calls it allows.
            <div class="txn-lane" data-testid="txn-lane">
                <span class="muted">{ "Transaction " }</span><b>{ tid.clone() }</b>
                <span class={classes!("txn-state", state.to_ascii_lowercase())} data-testid="txn-state">{ state }</span>
                if !parts.is_empty() {
                    <span class="muted">{ format!(" writing to {}", parts.iter().map(|tp| tp.to_string()).collect::<Vec<_>>().join(", ")) }</span>
                }
                <button onclick={txn_call("init-transactions")} disabled={closed || state != "UNINITIALIZED"}
                    title="initTransactions(): find the coordinator, get the producer id and a new epoch (fencing older instances)" data-testid="txn-init">{ "Init" }</button>
                <button onclick={txn_call("begin-transaction")} disabled={closed || state != "READY"}
                    title="beginTransaction()" data-testid="txn-begin">{ "Begin" }</button>
                <button onclick={txn_call("commit-transaction")} disabled={closed || state != "IN_TRANSACTION"}
                    title="commitTransaction(): flush, then the coordinator writes COMMIT markers" data-testid="txn-commit">{ "Commit" }</button>
                <button onclick={txn_call("abort-transaction")} disabled={closed || !matches!(state, "IN_TRANSACTION" | "ABORTABLE_ERROR")}
                    title="abortTransaction(): the coordinator writes ABORT markers; read_committed readers skip the records" data-testid="txn-abort">{ "Abort" }</button>
            </div>
        }
        <form class="form new-producer" onsubmit={create} data-testid="producer-form">
            <label>{ "New producer" }<input value={new_name_shown} oninput={{ let s = new_name.clone(); Callback::from(move |e: InputEvent| s.set(Some(value_of(&e)))) }} size="10" data-testid="producer-name" /></label>
            <label class="grow">{ "Configs (empty: Kafka's defaults)" }<input value={(*new_configs).clone()} oninput={bind(&new_configs)}
                placeholder="acks=1 compression.type=gzip linger.ms=20" data-testid="producer-configs" /></label>
            <button type="submit">{ "Create producer" }</button>
        </form>
        </>
    }
}

/// A producer's configs under their headings (text only: `markup::producer_configs`).
fn config_groups(c: &ClientView, docs: Option<&str>) -> Html {
    Html::from_html_unchecked(crate::markup::producer_configs(c, docs).into())
}
