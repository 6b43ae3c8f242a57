//! The topic form (CreateTopics) and the send form (`producer.send`).

use super::{error_line, value_of};
use crate::state::{topic_create_line, Action, Form, SendForm, PRODUCER};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TopicProps {
    pub error: Option<String>,
    pub dispatch: Callback<Action>,
}

#[function_component(TopicPanel)]
pub fn topic_panel(p: &TopicProps) -> Html {
    let name = use_state(String::new);
    let partitions = use_state(|| "3".to_string());
    let rf = use_state(|| "1".to_string());
    let configs = use_state(String::new);
    let onsubmit = {
        let (name, partitions, rf, configs, d) =
            (name.clone(), partitions.clone(), rf.clone(), configs.clone(), p.dispatch.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            d.emit(Action::Line(Form::Topic, topic_create_line(&name, &partitions, &rf, &configs)));
        })
    };
    let bind = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: InputEvent| s.set(value_of(&e)))
    };
    let invalid = p.error.is_some().then_some("true");
    html! {
        <form class="form" {onsubmit} data-testid="topic-form">
            <label>{ "Name" }<input value={(*name).clone()} oninput={bind(&name)} placeholder="orders" aria-invalid={invalid} aria-describedby="topic-error" data-testid="topic-name" /></label>
            <label>{ "Partitions" }<input value={(*partitions).clone()} oninput={bind(&partitions)} inputmode="numeric" size="4" data-testid="topic-partitions" /></label>
            <label>{ "Replication factor" }<input value={(*rf).clone()} oninput={bind(&rf)} inputmode="numeric" size="4" /></label>
            <label class="grow">{ "Configs" }<input value={(*configs).clone()} oninput={bind(&configs)} placeholder="retention.ms=604800000 cleanup.policy=delete" /></label>
            <button type="submit" data-testid="topic-create">{ "Create topic" }</button>
            { error_line("topic-error", &p.error) }
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct SendProps {
    pub topics: Vec<String>,
    pub error: Option<String>,
    pub dispatch: Callback<Action>,
}

#[function_component(SendPanel)]
pub fn send_panel(p: &SendProps) -> Html {
    let form = use_state(SendForm::default);
    let null_key = use_state(|| false);
    let key_text = use_state(String::new);
    let local_error = use_state(|| None::<String>);
    let topic = if form.topic.is_empty() { p.topics.first().cloned().unwrap_or_default() } else { form.topic.clone() };
    let onsubmit = {
        let (form, null_key, key_text, d, local_error, topic) =
            (form.clone(), null_key.clone(), key_text.clone(), p.dispatch.clone(), local_error.clone(), topic.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut f = (*form).clone();
            f.topic = topic.clone();
            f.key = (!*null_key).then(|| (*key_text).clone());
            match f.command(PRODUCER) {
                Ok(c) => {
                    local_error.set(None);
                    d.emit(Action::Command(Form::Send, c));
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
    html! {
        <form class="form" {onsubmit} data-testid="send-form">
            <label>{ "Topic" }
                <input list="topic-names" value={topic} onchange={set(|f, v| f.topic = v)} placeholder="orders" data-testid="send-topic" />
                <datalist id="topic-names">{ for p.topics.iter().map(|t| html!{ <option value={t.clone()} /> }) }</datalist>
            </label>
            <label>{ "Key" }<input value={(*key_text).clone()} oninput={on_key} disabled={*null_key} placeholder="Alice" data-testid="send-key" /></label>
            <label class="check"><input type="checkbox" checked={*null_key} onclick={on_null} />{ "null key" }</label>
            <label class="grow">{ "Value" }<input value={form.value.clone()} oninput={on_value} placeholder="{\"amount\": 150}" data-testid="send-value" /></label>
            <label class="grow">{ "Headers" }<input value={form.headers.clone()} onchange={set(|f, v| f.headers = v)} placeholder="source=web, trace=abc" /></label>
            <button type="submit" data-testid="send">{ format!("Send with {PRODUCER}") }</button>
            { error_line("send-error", &error) }
        </form>
    }
}
