//! The root component: owns the [`Playground`], turns browser time into
//! `Tick`s while playing, handles keyboard shortcuts, opens share links,
//! autosaves, answers the embedding page's messages, and lays out the views.

use crate::browser;
use crate::components::compare::Compare;
use crate::components::consumer::ConsumerPanel;
use crate::components::events::events_shown;
use crate::components::faults::Faults;
use crate::components::forms::{SendPanel, TopicPanel};
use crate::components::groups::GroupsPanel;
use crate::components::partitions::Partitions;
use crate::components::script::ScriptPanel;
use crate::components::sequence::{SequenceDiagram, ARROWS_DRAWN_MAX};
use crate::components::stage::Stage;
use crate::components::ViewRef;
use crate::embed::EmbedOptions;
use crate::stage::Selection;
use crate::state::{Action, Form, Playground};
use gloo_timers::callback::Interval;
use kafka_sim::link;
use kafka_sim::scenario::Scenario;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// Where the page's share-groups build is served, beside this one (`./x build` puts it in
/// `dist/share/`): share groups' engine is more than the first download's budget has room for,
/// so a session that uses them opens there (docs/performance.md).
const SHARE_BUILD: &str = "share/";

/// How often the page moves simulated time while playing, in real milliseconds.
const TICK_MS: u32 = 100;
/// While playing, the session is saved at most this often (page clock).
const AUTOSAVE_WHILE_PLAYING_MS: f64 = 1_000.0;
/// How often the script panel's text follows the session while the clock runs (the page's
/// clock, ms). Playing changes the script's last `advance` every tick, and setting a text area's
/// value lays out all its text again: ten times a second is a cost on every frame for a number
/// the clock in the header already shows.
const SCRIPT_SHOWN_WHILE_PLAYING_MS: f64 = 1_000.0;

/// How often the partitions panel follows the session while the clock runs (the page's clock, ms).
const PARTITIONS_SHOWN_WHILE_PLAYING_MS: f64 = 500.0;

/// The stage reads at most this many of the last second's messages for its flows.
const STAGE_MESSAGES_MAX: usize = 4_000;

/// Seed of a new session.
const SEED: u64 = 1;

/// The session to start with: the link in the address bar (at its beginning, to be watched, but
/// at its end in an embed that does not autoplay), else the autosaved session as it was left,
/// paused (an embed's own session is never saved: it starts anew), else a new one. A link that
/// cannot be opened says why and the autosaved session is kept.
fn initial(options: &EmbedOptions) -> Playground {
    let (fresh, embedded) = (options.fresh || options.embedded, options.embedded);
    let saved = || {
        let mut restored = browser::load(browser::AUTOSAVE_KEY)
            .filter(|_| !embedded)
            .and_then(|text| Playground::from_saved(&text).ok());
        if let Some(p) = restored.as_mut() {
            // The person's own session: replacing it asks first (the demo and an empty one do not).
            let script = p.script();
            p.edited = script != crate::state::DEMO_SCRIPT && script != crate::state::default_script(SEED);
        }
        restored.unwrap_or_else(|| if fresh { Playground::new(SEED) } else { demo() })
    };
    match browser::hash() {
        Some(fragment) => {
            let open = |s: Scenario| {
                if embedded && !options.autoplay {
                    Playground::from_scenario(&s)
                } else {
                    Playground::unfolded(&s)
                }
            };
            match link::decode(&fragment).map_err(|e| e.to_string()).and_then(open) {
                Ok(p) => p,
                Err(why) => {
                    let mut p = saved();
                    p.errors.insert(
                        Form::Script,
                        format!("This link could not be opened: {why}. Your saved session is shown instead."),
                    );
                    p
                }
            }
        }
        None => saved(),
    }
}

/// The first visit's session: a small cluster already working, playing.
fn demo() -> Playground {
    let mut p = Scenario::parse(crate::state::DEMO_SCRIPT)
        .ok()
        .and_then(|s| Playground::from_scenario(&s).ok())
        .unwrap_or_else(|| Playground::new(SEED));
    p.playing = true;
    p
}

/// A phone's width, where the stage reads top to bottom (`stage::Shape::Narrow`): below this the
/// left-to-right scene would be too small to read or scroll sideways.
const NARROW_VIEWPORT_PX: f64 = 660.0;

/// The stage's shape for the window's width. The stage takes the page's width less its margins,
/// and from 1000 px on shares it with the inspector (`.stage-layout` in the CSS); where that
/// leaves it under `MEDIUM_STAGE_PX`, the wide scene would draw its text at two thirds of its size.
fn stage_shape() -> crate::stage::Shape {
    let width = web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|v| v.as_f64()).unwrap_or(1440.0);
    let stage = if width < 1000.0 { width - 40.0 } else { width - 370.0 };
    if width < NARROW_VIEWPORT_PX {
        crate::stage::Shape::Narrow
    } else if stage < MEDIUM_STAGE_PX {
        crate::stage::Shape::Medium
    } else {
        crate::stage::Shape::Wide
    }
}

/// Below this width of the stage in pixels, the medium scene (`stage::MEDIUM` units) is drawn.
const MEDIUM_STAGE_PX: f64 = 880.0;

/// The recent sessions, newest first.
fn recent_sessions() -> Vec<crate::sessions::Recent> {
    crate::sessions::recent(&browser::load(browser::RECENT_KEY).unwrap_or_default())
}

/// Puts a session (its saved text) first in the recent list; false if the browser could not keep
/// it. A full storage costs the oldest sessions of the list first.
fn remember(text: String) -> bool {
    let title = crate::sessions::title(&text);
    let list = browser::load(browser::RECENT_KEY).unwrap_or_default();
    let mut entries =
        crate::sessions::recent(&crate::sessions::remember(&list, crate::sessions::Recent { title, text }));
    while !entries.is_empty() {
        if browser::save(browser::RECENT_KEY, &crate::sessions::recent_text(&entries)) {
            return true;
        }
        entries.pop();
    }
    false
}

/// Whether to go on replacing the session: asked only if the person changed it (it goes to the
/// recent list either way).
fn may_replace(playground: &RefCell<Playground>, what: &str) -> bool {
    !playground.borrow().edited || browser::confirm(&format!("{what}? Your session goes to Recent sessions."))
}

/// Starts lesson `i`, fetching its text first if this is its first time; then `then`, if any.
fn open_lesson(i: usize, dispatch: Callback<Action>, then: Option<Action>) {
    if !kafka_sim::SHARE_GROUPS && crate::lessons::needs_share_groups(i) {
        if let Some(name) = crate::lessons::LESSONS.get(i) {
            // A link's other settings (`embed`, `view=`) go with it.
            let query = browser::query();
            let query = if query.contains(&format!("lesson={name}")) { query } else { format!("?lesson={name}") };
            browser::go(&format!("{SHARE_BUILD}{query}"));
        }
        return;
    }
    let started = move |dispatch: Callback<Action>, start: Action| {
        dispatch.emit(start);
        if let Some(then) = then {
            dispatch.emit(then);
        }
    };
    match crate::lessons::address(i) {
        Some(_) if crate::lessons::is_loaded(i) => started(dispatch, Action::StartLesson(i)),
        Some(path) => browser::fetch_text(path, move |text| started(dispatch.clone(), Action::LessonFetched(i, text))),
        None => {}
    }
}

pub fn mount() {
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(el) => {
            yew::Renderer::<App>::with_root(el).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let options = use_memo((), |_| EmbedOptions::parse(&browser::query()));
    let playground: Rc<RefCell<Playground>> = use_mut_ref(|| {
        let mut p = initial(&options);
        // `?compare=NAME%20KEY%3DVALUE` opens the session compared with that change (a lesson's
        // session once the lesson has started, below).
        if let Some(change) = options.compare.as_ref().filter(|_| options.lesson.is_none()) {
            p.reduce(Action::Compare(change.clone()));
        }
        if let Some(speed) = options.speed {
            p.speed = speed;
        }
        // The first visit's example and a link play; in an embed, only if the host page asks.
        p.playing = options.autoplay || (p.playing && !options.embedded);
        p
    });
    // What the inspector shows. A reducer, so that the callbacks that choose are made once for the
    // page's life (and every replica chip, comparing its props, sees them equal).
    let selected = use_reducer(Selected::default);
    let choose = {
        let dispatcher = selected.dispatcher();
        use_memo((), move |_| {
            let clear = dispatcher.clone();
            (
                Callback::from(move |what: Selection| dispatcher.dispatch(Some(what))),
                Callback::from(move |()| clear.dispatch(None)),
            )
        })
    };
    // The tab under the stage: the event log or the requests' sequence diagram.
    let below = use_state(|| Below::Events);
    // The form open in the drawer beside the stage, if any.
    let drawer = use_state(|| None::<Drawer>);
    // A session replaced without a question (the page opened by a link or a lesson's address, or a
    // link pasted while it was open) goes to the recent list, and a banner offers it back: why it
    // was replaced.
    let kept_aside = use_state(|| {
        let opened = browser::hash().is_some() || options.lesson.is_some();
        let saved = browser::load(browser::AUTOSAVE_KEY).filter(|saved| {
            let current = playground.borrow().script();
            // A lesson replaces whatever is open once fetched; a link only what differs from it.
            crate::sessions::Saved::parse(saved).is_ok_and(|s| {
                !s.commands.is_empty()
                    && (options.lesson.is_some()
                        || !s.branches.is_empty()
                        || crate::sessions::script(s.seed, &s.commands) != current)
            })
        });
        match saved {
            Some(saved) if opened && !options.embedded => {
                let what = if options.lesson.is_some() { "This lesson" } else { "This link" };
                if remember(saved) {
                    Some(what)
                } else {
                    playground.borrow_mut().notice = Some(format!(
                        "{what} replaced the session you had in this browser, which could not be kept: the browser's storage is full or off."
                    ));
                    None
                }
            }
            _ => None,
        }
    });
    // The recent list as last read: read again whenever the page writes it.
    let recent = use_state(|| Rc::new(recent_sessions()));
    let update = use_force_update();
    // The stage's shape follows the window's width: drawn again when a resize crosses a line.
    {
        let update = update.clone();
        use_effect_with((), move |_| {
            let last = std::cell::Cell::new(stage_shape());
            let on_resize = Closure::<dyn Fn()>::new(move || {
                if last.replace(stage_shape()) != stage_shape() {
                    update.force_update();
                }
            });
            browser::on_window("resize", on_resize)
        });
    }
    let shared_link = use_state(|| None::<String>);
    // Checkpoints already reported to the embedding page as reached.
    let reported = use_mut_ref(Vec::<String>::new);
    // When the session was last saved (the page's clock, ms).
    let saved_at_ms = use_mut_ref(|| f64::NEG_INFINITY);
    // Last frame's partition views: a partition that did not change comes back as the same
    // `Rc`, neither built again nor drawn again.
    let view_cache = use_mut_ref(kafka_sim::view::ViewCache::default);
    // The script as the panel last showed it, and when (see `SCRIPT_SHOWN_WHILE_PLAYING_MS`).
    let script_shown = use_mut_ref(|| (String::new(), f64::NEG_INFINITY));
    // What each group member owned last frame: a partition it loses fades out of its row.
    let revocations = use_mut_ref(crate::stage::Revocations::default);
    // The partitions panel's props as last drawn, and when (see `PARTITIONS_SHOWN_WHILE_PLAYING_MS`).
    let partitions_shown = use_mut_ref(|| (None::<ViewRef>, f64::NEG_INFINITY));
    // One callback for the page's life: components compare it by identity, so a new one each
    // render would redraw every component that takes it (1,800 replica chips in a large cluster).
    let dispatch = {
        let (playground, options, reported, recent) =
            (playground.clone(), options.clone(), reported.clone(), recent.clone());
        let made = use_memo((), move |_| {
            Callback::from(move |action: Action| {
                let mut pg = playground.borrow_mut();
                let tick = matches!(action, Action::Tick { .. });
                if options.bench {
                    browser::mark("kp-reduce-start");
                }
                pg.reduce(action);
                if options.bench {
                    // `?bench`: the engine's part of a tick (the step and the events collected).
                    browser::measure_since("kp-reduce", "kp-reduce-start");
                }
                // Every change is saved at once, but while playing (ten ticks a second, each
                // changing the script's last `advance`) at most once a second, and when the
                // playing stops. An embed's session is the host page's, never saved over the
                // person's own.
                let now_ms = browser::now_ms();
                let running = pg.running();
                let throttled = tick && running && now_ms - *saved_at_ms.borrow() < AUTOSAVE_WHILE_PLAYING_MS;
                if !options.embedded && !throttled {
                    if !browser::save(browser::AUTOSAVE_KEY, &pg.saved()) && pg.notice.is_none() {
                        pg.notice = Some("This browser did not keep the session (its storage is full or off): copy its link to keep it.".into());
                    }
                    *saved_at_ms.borrow_mut() = now_ms;
                }
                // A session this action replaced, which the person had changed: to the recent list,
                // an embed's too (the host page's `load` over what a reader did in the frame), though
                // an embed never writes the autosaved session.
                if let Some(old) = pg.replaced.take() {
                    if !remember(old) {
                        pg.notice = Some("The session this replaced could not be kept in Recent sessions: the browser's storage is full or off.".into());
                    }
                    recent.set(Rc::new(recent_sessions()));
                }
                tell_parent(&pg, &options, &mut reported.borrow_mut());
                drop(pg);
                update.force_update();
            })
        });
        (*made).clone()
    };

    // The gallery's sentences, fetched once beside the page; until they come, its entries are names.
    let gallery_about = use_state(|| None::<Rc<String>>);
    {
        let gallery_about = gallery_about.clone();
        use_effect_with((), move |_| {
            browser::fetch_text(crate::gallery::ABOUT_ADDRESS.into(), move |text| {
                if let Ok(text) = text {
                    gallery_about.set(Some(Rc::new(text)));
                }
            });
        });
    }

    // `?lesson=NAME` opens that lesson in a new session (a link shared from the lesson panel),
    // once its text has been fetched, then compares it if the link asks.
    {
        let (dispatch, lesson, compare) = (dispatch.clone(), options.lesson, options.compare.clone());
        use_effect_with((), move |_| {
            if let Some(i) = lesson {
                open_lesson(i, dispatch, compare.map(Action::Compare));
            }
        });
    }

    // A link pasted into the address bar while the page is open.
    {
        let (dispatch, playground, kept_aside) = (dispatch.clone(), playground.clone(), kept_aside.clone());
        use_effect_with((), move |_| {
            let on_hash = Closure::<dyn Fn()>::new(move || {
                if let Some(fragment) = browser::hash() {
                    let (before, edited) = {
                        let pg = playground.borrow();
                        (pg.script(), pg.edited)
                    };
                    dispatch.emit(Action::LoadLink(fragment));
                    if edited && playground.borrow().script() != before {
                        kept_aside.set(Some("This link"));
                    }
                }
            });
            browser::on_window("hashchange", on_hash)
        });
    }

    // The embedding page's commands (docs/embedding.md), from allowed origins only.
    {
        let (dispatch, options) = (dispatch.clone(), options.clone());
        let ready_origins = options.origins.clone();
        use_effect_with((), move |_| {
            let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                if !options.allows(&e.origin()) {
                    return;
                }
                let data = e.data();
                let action = match browser::field(&data, "type").as_deref() {
                    Some("load") => browser::field(&data, "script").map(Action::LoadScript),
                    Some("command") => browser::field(&data, "line").map(|l| Action::Line(Form::Script, l)),
                    Some("play") => Some(Action::Play),
                    Some("pause") => Some(Action::Pause),
                    Some("step") => Some(Action::Step),
                    Some("speed") => browser::field(&data, "value").and_then(|v| {
                        crate::state::Speed::ALL
                            .iter()
                            .find(|s| s.label().trim_end_matches('×') == v)
                            .map(|s| Action::SetSpeed(*s))
                    }),
                    _ => None,
                };
                match action {
                    Some(a) => dispatch.emit(a),
                    None => {
                        let msg =
                            browser::message("error", &[("message", "unknown message; see docs/embedding.md".into())]);
                        browser::post_to_parent(&msg, &e.origin());
                    }
                }
            });
            let stop = browser::on_window("message", on_message);
            // Now listening: the embedding page may start sending.
            for origin in &ready_origins {
                browser::post_to_parent(&browser::message("ready", &[]), origin);
            }
            stop
        });
    }

    let share = {
        let (playground, shared_link) = (playground.clone(), shared_link.clone());
        Callback::from(move |_| {
            let fragment = playground.borrow().link();
            browser::set_hash(&fragment);
            let address = browser::address_with(&fragment);
            browser::copy(&address);
            shared_link.set(Some(address));
        })
    };
    let snippet = use_state(|| None::<String>);
    let embed = {
        let (playground, snippet) = (playground.clone(), snippet.clone());
        Callback::from(move |_| {
            let fragment = playground.borrow().link();
            let address = browser::address_with(&fragment);
            let (base, hash) = address.split_once('#').unwrap_or((&address, ""));
            let base = base.split('?').next().unwrap_or(base);
            let html = format!(
                "<iframe src=\"{base}?embed&view=cluster,messages,partitions,checkpoints,events#{hash}\" title=\"Kafka Playground\" style=\"width:100%;height:640px;border:0\"></iframe>"
            );
            browser::copy(&html);
            snippet.set(Some(html));
        })
    };
    let open_scenario = {
        let (dispatch, playground) = (dispatch.clone(), playground.clone());
        Callback::from(move |e: Event| {
            let chosen = crate::components::value_of(&e).parse::<usize>().ok();
            if let Some((i, path)) = chosen.and_then(|i| crate::gallery::address(i).map(|path| (i, path))) {
                if may_replace(&playground, "Open this scenario") {
                    let dispatch = dispatch.clone();
                    browser::fetch_text(path, move |text| match text {
                        // This build cannot run it: the share-groups build opens it, as a link.
                        Ok(script) if !kafka_sim::SHARE_GROUPS && crate::gallery::needs_share_groups(i) => {
                            browser::go(&format!("{SHARE_BUILD}#{}", link::encode_script(&script)));
                        }
                        text => dispatch.emit(Action::ScenarioFetched(i, text)),
                    });
                }
            }
        })
    };
    let start_lesson = {
        let (dispatch, playground) = (dispatch.clone(), playground.clone());
        Callback::from(move |e: Event| {
            let chosen = crate::components::value_of(&e).parse::<usize>().ok();
            if let Some(i) = chosen.filter(|i| *i < crate::lessons::LESSONS.len()) {
                if may_replace(&playground, "Start this lesson") {
                    open_lesson(i, dispatch.clone(), None);
                }
            }
        })
    };
    let new_session = {
        let (dispatch, playground) = (dispatch.clone(), playground.clone());
        Callback::from(move |_| {
            if may_replace(&playground, "Start a new session") {
                dispatch.emit(Action::Reset);
            }
        })
    };

    // The clock ticks while playing and while a fast-forward runs.
    let playing = playground.borrow().running();
    {
        let dispatch = dispatch.clone();
        let bench = options.bench;
        use_effect_with(playing, move |&playing| {
            let interval = playing.then(|| {
                Interval::new(TICK_MS, move || {
                    if bench {
                        browser::mark("kp-tick");
                        browser::mark("kp-tick-painted");
                    }
                    dispatch.emit(Action::Tick { real_ms: u64::from(TICK_MS) })
                })
            });
            move || drop(interval)
        });
    }
    // `?bench`: after each render, how long the tick took to reach the page.
    {
        let bench = options.bench;
        use_effect(move || {
            if bench {
                browser::measure_since("kp-update", "kp-tick");
                // Then the browser's part of drawing it: its style, layout and paint in the next
                // frame (`kp-render`), and the tick's whole wait until then (`kp-painted`, which
                // also counts the time until the frame is due).
                browser::at_next_frame(|| {
                    browser::mark("kp-frame");
                    browser::after_this_task(|| {
                        browser::measure_since("kp-render", "kp-frame");
                        browser::measure_since("kp-painted", "kp-tick-painted");
                    });
                });
            }
        });
    }

    // Opens recent session `i`, which leaves the list (the one it replaces goes to it if changed).
    let open_recent = {
        let (dispatch, playground, recent) = (dispatch.clone(), playground.clone(), recent.clone());
        Rc::new(move |i: usize| {
            let mut entries = recent_sessions();
            if i >= entries.len() || !may_replace(&playground, "Open this session") {
                return;
            }
            let entry = entries.remove(i);
            dispatch.emit(Action::OpenSaved(entry.text.clone()));
            if !playground.borrow().errors.contains_key(&Form::Script) {
                // Read again: the replaced session may have gone to the list meanwhile.
                let mut now = recent_sessions();
                now.retain(|e| e.text != entry.text);
                browser::save(browser::RECENT_KEY, &crate::sessions::recent_text(&now));
            }
            recent.set(Rc::new(recent_sessions()));
        })
    };
    let choose_recent = {
        let open_recent = open_recent.clone();
        Callback::from(move |e: Event| {
            if let Ok(i) = crate::components::value_of(&e).parse::<usize>() {
                open_recent(i);
            }
        })
    };
    // Brings the session a link or lesson replaced back from the recent list: nothing is lost.
    let bring_back = {
        let kept_aside = kept_aside.clone();
        Callback::from(move |_: MouseEvent| {
            open_recent(0);
            kept_aside.set(None);
        })
    };
    let dismiss_kept = {
        let kept_aside = kept_aside.clone();
        Callback::from(move |_: MouseEvent| kept_aside.set(None))
    };
    let editable = !options.readonly;
    let onkeydown = {
        let (dispatch, drawer) = (dispatch.clone(), drawer.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" && drawer.is_some() {
                drawer.set(None);
                return;
            }
            let tag = e
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                .map(|el| el.tag_name())
                .unwrap_or_default();
            let typing = matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA");
            // Ctrl+Z (Cmd+Z) undoes the last action, except where it undoes typing.
            if editable && !typing && (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("z") {
                e.prevent_default();
                dispatch.emit(Action::Undo);
                return;
            }
            let in_field = typing || tag == "BUTTON";
            if in_field || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            match e.key().as_str() {
                " " | "k" => {
                    e.prevent_default();
                    dispatch.emit(if playing { Action::Pause } else { Action::Play });
                }
                "." | "n" => dispatch.emit(Action::Step),
                // A broker's number crashes it, or starts it again.
                digit if editable && digit.len() == 1 && digit.as_bytes()[0].is_ascii_digit() => {
                    dispatch.emit(Action::ToggleBroker(u32::from(digit.as_bytes()[0] - b'0')))
                }
                _ => {}
            }
        })
    };

    let pg = playground.borrow();
    if options.bench {
        browser::mark("kp-view-start");
    }
    let view = pg.sim.view_with(&mut view_cache.borrow_mut());
    if options.bench {
        // `?bench`: the engine's view of the whole session, taken every frame.
        browser::measure_since("kp-view", "kp-view-start");
    }
    let show = |name: &str| options.shows(name);
    let error = |form: Form| pg.errors.get(&form).cloned();
    let nodes: Vec<String> = view
        .brokers
        .iter()
        .map(|b| format!("broker-{}", b.id))
        .chain(view.clients.iter().map(|c| c.name.clone()))
        .collect();
    let cut: Vec<(String, String)> = view.cut_links.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let slow: Vec<(String, String, u64)> =
        view.slow_links.iter().map(|(a, b, ms)| (a.to_string(), b.to_string(), *ms)).collect();
    let checkpoints = if show("checkpoints") { pg.checkpoints() } else { Vec::new() };
    // A comparison's two views, taken once a render.
    let compare_views = pg.compare.as_ref().filter(|_| show("compare")).map(|c| c.views());
    // Only for a page that shows the script (an embed may not): writing it costs the session's length.
    let script = if !show("script") {
        String::new()
    } else {
        let mut shown = script_shown.borrow_mut();
        let now_ms = browser::now_ms();
        if !playing || now_ms - shown.1 >= SCRIPT_SHOWN_WHILE_PLAYING_MS {
            *shown = (pg.script(), now_ms);
        }
        shown.0.clone()
    };
    let banner = options.problems.iter().map(|p| format!("Embed options: {p}")).collect::<Vec<_>>();
    let view = Rc::new(view);
    // The stage: what moved in the last second of simulated time, and, when time runs slowly
    // enough to see them cross, every message on the wire.
    let scene = {
        let now = view.now_ms;
        let recent = pg.sequence.window(now.saturating_sub(1_000), now, false, STAGE_MESSAGES_MAX);
        let shape = stage_shape();
        let mut scene = crate::stage::layout_shaped(&view, &recent, shape);
        revocations.borrow_mut().apply(&mut scene, browser::now_ms() as u64);
        Rc::new(scene)
    };
    let single = !pg.playing || matches!(pg.speed, crate::state::Speed::Hundredth | crate::state::Speed::Tenth);
    let messages = if single { pg.sim.messages_in_flight(200) } else { Vec::new() };
    let messages: Vec<_> = messages.into_iter().filter(|m| pg.show_chatter || !is_chatter(m)).collect();
    let (select, clear) = (choose.0.clone(), choose.1.clone());
    let show_stage = show("stage") || show("cluster") || show("messages");
    let places = {
        let checkpoints = crate::timeline::checkpoints(pg.session.iter().chain(pg.future.iter().flatten()));
        Rc::new(crate::timeline::places(&pg.markers, &checkpoints, pg.length_ms()))
    };
    let controls = crate::components::controls::controls(&crate::components::controls::Props {
        now_ms: view.now_ms,
        playing: pg.playing,
        waiting: pg.waiting_for_time,
        speed: pg.speed,
        fast_forward: pg.fast_forward,
        scheduled: view.scheduled,
        length_ms: pg.length_ms(),
        in_past: pg.future.is_some(),
        can_undo: editable && pg.can_undo(),
        branches: Rc::new(pg.branches.iter().map(|b| b.split_ms).collect::<Vec<_>>()),
        notice: pg.notice.clone(),
        error: error(Form::Time),
        places,
        dispatch: dispatch.clone(),
    });
    // The Requests diagram and the Events log, as tabs under the stage (or where the page has
    // no stage, one after the other as before).
    let sequence_panel = || {
        let now = view.now_ms;
        let from = now.saturating_sub(pg.sequence_window_ms);
        let arrows = pg.sequence.window(from, now, pg.sequence_chatter, ARROWS_DRAWN_MAX);
        let more = pg.sequence.count(from, now, pg.sequence_chatter) - arrows.len();
        html! {
            <SequenceDiagram {arrows} {more} window_ms={pg.sequence_window_ms}
                clients={view.clients.iter().map(|c| c.name.clone()).collect::<Vec<_>>()}
                brokers={view.brokers.iter().map(|b| b.id).collect::<Vec<_>>()}
                chatter={pg.sequence_chatter} now_ms={now} dropped={pg.sequence.dropped} dispatch={dispatch.clone()} />
        }
    };
    let events_panel = || {
        html! {
            { crate::components::events::event_log(&crate::components::events::Props {
                events: pg.log.iter().enumerate().rev().take(events_shown(playing)).map(|(i, e)| (pg.log_dropped + i as u64, e.event.at.ms, e.text())).collect::<Vec<_>>(),
                dropped: pg.log_dropped, hidden: pg.chatter_hidden, show_chatter: pg.show_chatter,
                toggle: dispatch.reform(|_| Action::ToggleChatter) }) }
        }
    };
    // The partitions' logs below the stage follow a running clock twice a second (the stage is the
    // live picture): in a busy cluster every row changes every tick, and drawing 60 of them ten
    // times a second cost more than the stage.
    let partitions_panel = || {
        let mut shown = partitions_shown.borrow_mut();
        let now_ms = browser::now_ms();
        if shown.0.is_none() || !playing || now_ms - shown.1 >= PARTITIONS_SHOWN_WHILE_PLAYING_MS {
            *shown = (Some(ViewRef(view.clone())), now_ms);
        }
        match &shown.0 {
            // The same view until the next refresh: the panel is not drawn again meanwhile.
            Some(shown) => html! { <Partitions view={shown.clone()} /> },
            None => html! {},
        }
    };
    let topic_names =
        || view.topics.iter().filter(|t| !t.name.starts_with("__")).map(|t| t.name.clone()).collect::<Vec<_>>();
    let form_panel = |d: Drawer| match d {
        Drawer::Topic => html! {
            <TopicPanel topics={topic_names()} brokers={view.brokers.len()} error={error(Form::Topic)} dispatch={dispatch.clone()} />
        },
        Drawer::Produce => html! {
            <SendPanel view={ViewRef(view.clone())}
                error={error(Form::Send)} dispatch={dispatch.clone()} />
        },
        Drawer::Consume => html! {
            <ConsumerPanel view={ViewRef(view.clone())} readonly={!editable} error={error(Form::Consumer)} dispatch={dispatch.clone()} />
        },
        Drawer::Groups => html! {
            <GroupsPanel view={ViewRef(view.clone())} readonly={!editable} error={error(Form::Group)} dispatch={dispatch.clone()} />
        },
        Drawer::Network => html! {
            <Faults nodes={nodes.clone()} cut={cut.clone()} slow={slow.clone()} error={error(Form::Faults)} dispatch={dispatch.clone()} />
        },
    };
    // A comparison running beside the stage: its differences next to the picture of the session,
    // as the lesson is; the form to start one stays below.
    let compare_aside = show_stage && show("compare") && pg.compare.is_some();
    let compare_panel = (show("compare") && (editable || pg.compare.is_some())).then(|| {
        html! {
            <section class={classes!("panel", "wide", compare_aside.then_some("compare-aside"))} aria-labelledby="compare-h">
                <h2 id="compare-h">{ "Compare" }</h2>
                <Compare change={pg.compare.as_ref().map(|c| c.change.to_string())}
                    rows={compare_views.as_ref().zip(pg.compare.as_ref()).map(|(v, c)| c.summary_with(v)).unwrap_or_default()}
                    partitions={compare_views.as_ref().map(crate::components::compare::partition_pairs).unwrap_or_default()}
                    refused={pg.compare.as_ref().map(|c| c.refusals()).unwrap_or_default()}
                    suggestions={kafka_sim::compare::suggestions(&pg.session)}
                    error={error(Form::Compare)} dispatch={dispatch.clone()} />
            </section>
        }
    });
    // Drawn once, in one of the two places.
    let (compare_beside, compare_below) = if compare_aside { (compare_panel, None) } else { (None, compare_panel) };
    let drawers: Vec<Drawer> = Drawer::ALL.iter().copied().filter(|d| d.shown(&show, editable)).collect();
    let close_drawer = {
        let drawer = drawer.clone();
        Callback::from(move |_: MouseEvent| drawer.set(None))
    };
    let tabs: Vec<Below> =
        [(Below::Events, show("events")), (Below::Requests, show("sequence")), (Below::Partitions, show("partitions"))]
            .into_iter()
            .filter_map(|(tab, shown)| shown.then_some(tab))
            .collect();
    let current = if tabs.contains(&*below) { *below } else { tabs.first().copied().unwrap_or(Below::Events) };
    let under_stage = show_stage && !tabs.is_empty();
    let show_inspector = show("inspector") || show("cluster");
    let stage_error = error(Form::Stage);
    // Only while a share-groups line is what this build refused.
    let share_elsewhere =
        pg.share_elsewhere.clone().filter(|_| pg.errors.values().any(|e| crate::state::needs_share_build(e)));
    // Beside where actions are taken (the command bar, the drawer's form): an action taken while
    // the clock stands still happens only once time runs. The timeline's hint is the one read out.
    let paused_hint = if pg.waiting_for_time {
        html! { <p class="paused-hint" aria-hidden="true" data-testid="paused-near-action">{ "Paused: press Play or Step to let it happen" }</p> }
    } else {
        html! {}
    };
    html! {
        <div class={classes!("playground", options.embedded.then_some("embedded"))} {onkeydown} tabindex="-1">
            <header class="top">
                <h1>{ "Kafka Playground" }</h1>
                if !show_stage {
                    { controls.clone() }
                }
                if editable && !options.embedded {
                    <div class="session-actions">
                        <label class="gallery">{ "Open a scenario " }
                            <select onchange={open_scenario} data-testid="gallery">
                                <option value="" selected=true>{ "— gallery —" }</option>
                                { for crate::gallery::SCENARIOS.iter().enumerate().map(|(i, file)| {
                                    let about = gallery_about.as_deref().and_then(|s| crate::gallery::about(s, file));
                                    html! {
                                        <option value={i.to_string()} title={about.map(|(_, a)| a.to_string())}>
                                            { match about { Some((name, about)) => format!("{name}: {about}"), None => file.to_string() } }
                                        </option>
                                    }
                                }) }
                            </select>
                        </label>
                        <label class="gallery">{ "Take a lesson " }
                            <select onchange={start_lesson} data-testid="lesson-pick">
                                <option value="" selected=true>{ "— lessons —" }</option>
                                { for crate::lessons::LESSONS.iter().enumerate().map(|(i, name)| {
                                    let title = gallery_about.as_deref().and_then(|s| crate::gallery::about(s, &format!("lesson:{name}")));
                                    html! { <option value={i.to_string()}>{ format!("{}. {}", i + 1, title.map_or(*name, |(t, _)| t)) }</option> }
                                }) }
                            </select>
                        </label>
                        if !recent.is_empty() {
                            <label class="gallery">{ "Recent " }
                                <select onchange={choose_recent} data-testid="recent">
                                    <option value="" selected=true>{ "— sessions —" }</option>
                                    { for recent.iter().enumerate().map(|(i, r)| html! { <option value={i.to_string()}>{ &r.title }</option> }) }
                                </select>
                            </label>
                        }
                        <button onclick={new_session} data-testid="new-session">{ "New session" }</button>
                    </div>
                }
            </header>
            if editable {
                { crate::components::command::command_bar(&crate::components::command::Props { view: ViewRef(view.clone()), error: error(Form::Command), dispatch: dispatch.clone() }) }
                { paused_hint.clone() }
            }
            { for banner.iter().map(|b| html! { <p class="banner" role="alert">{ b }</p> }) }
            if let Some(what) = *kept_aside {
                <p class="banner" role="status" data-testid="kept-aside">
                    { format!("{what} replaced the session you had in this browser; it is kept in Recent sessions. ") }
                    <button onclick={bring_back} data-testid="bring-back">{ "Bring it back" }</button>{ " " }
                    <button onclick={dismiss_kept} aria-label="Dismiss">{ "×" }</button>
                </p>
            }
            if let Some(fragment) = share_elsewhere {
                <p class="banner" role="status" data-testid="share-build">
                    { "Share groups (KIP-932) are in the page's second build, downloaded when first used: " }
                    <a href={format!("{SHARE_BUILD}#{fragment}")} data-testid="open-share-build">{ "open this session there" }</a>
                </p>
            }
            if let Some(why) = error(Form::Script).filter(|e| e.starts_with("This link") || e.starts_with("This session")) {
                <p class="banner" role="alert" data-testid="link-error">{ why }</p>
            }
            if show_stage || show_inspector || pg.lesson.is_some() {
                <main class={classes!("stage-layout", (!show_stage).then_some("no-stage"), drawer.is_some().then_some("drawer-open"))}>
                    if show_stage {
                        <div class="stage-column">
                            <section class="panel stage-panel" aria-label="Stage">
                                <div class="stage-bar">
                                    { crate::components::metrics::metrics_line(&crate::components::metrics::Props { metrics: view.metrics.clone() }) }
                                    if !drawers.is_empty() {
                                        <div class="drawer-buttons" role="toolbar" aria-label="Forms">
                                            { for drawers.iter().map(|&d| {
                                                let on = *drawer == Some(d);
                                                let onclick = { let drawer = drawer.clone(); Callback::from(move |_| drawer.set((!on).then_some(d))) };
                                                html! {
                                                    <button class={classes!("drawer-button", on.then_some("on"))} aria-expanded={on.to_string()} aria-controls="drawer"
                                                        title={d.about()} {onclick} data-testid={format!("open-{}", d.id())}>{ d.button() }</button>
                                                }
                                            }) }
                                        </div>
                                    }
                                </div>
                                <Stage scene={scene} {messages} {single} now_ms={view.now_ms} page_ms={browser::now_ms() as u64}
                                    selected={selected.0.clone()} select={select} />
                            </section>
                            <section class="panel time-panel" aria-label="Timeline">
                                { controls }
                            </section>
                            if under_stage {
                                <section class="panel below-panel" aria-label={current.title()}>
                                    <div class="tabs" role="tablist" aria-label="Under the stage">
                                        { for tabs.iter().map(|&tab| {
                                            let onclick = { let below = below.clone(); Callback::from(move |_| below.set(tab)) };
                                            html! {
                                                <button role="tab" id={format!("tab-{}", tab.id())} aria-selected={(tab == current).to_string()}
                                                    aria-controls={format!("tabpanel-{}", tab.id())}
                                                    class={classes!("tab", (tab == current).then_some("on"))} {onclick}
                                                    data-testid={format!("tab-{}", tab.id())}>{ tab.title() }</button>
                                            }
                                        }) }
                                    </div>
                                    <div role="tabpanel" id={format!("tabpanel-{}", current.id())} aria-labelledby={format!("tab-{}", current.id())}>
                                        { match current { Below::Events => events_panel(), Below::Requests => sequence_panel(), Below::Partitions => partitions_panel() } }
                                    </div>
                                </section>
                            }
                        </div>
                    }
                    <div class="side">
                        if let Some(d) = (*drawer).filter(|d| show_stage && drawers.contains(d)) {
                            <section class="panel drawer" id="drawer" aria-labelledby="drawer-h" data-testid={format!("drawer-{}", d.id())}>
                                <button class="close" onclick={close_drawer} aria-label="Close the form (Esc)" data-testid="drawer-close">{ "×" }</button>
                                <h2 id="drawer-h">{ d.title() }</h2>
                                { paused_hint.clone() }
                                { form_panel(d) }
                            </section>
                        }
                        if let Some(progress) = pg.lesson.filter(|_| show("lesson")) {
                            { crate::components::lesson::lesson_panel(&crate::components::lesson::Props { progress, checks: pg.lesson_checks(), dispatch: dispatch.clone() }) }
                        }
                        { for compare_beside }
                        if show("checkpoints") && !checkpoints.is_empty() {
                            <section class="panel" aria-labelledby="checks-h">
                                <h2 id="checks-h">{ "Checkpoints" }</h2>
                                { crate::components::script::checkpoints(&crate::components::script::CheckpointProps { checkpoints }) }
                            </section>
                        }
                        if show_inspector {
                            { crate::components::inspector::inspector(&crate::components::inspector::Props {
                                view: ViewRef(view.clone()), selected: selected.0.clone(), error: stage_error,
                                readonly: !editable, dispatch: dispatch.clone(), clear }) }
                        }
                    </div>
                </main>
            }
            <p class="simplified">
                { "A simulated Kafka 4.x (KRaft) cluster. Simplified: the controller pushes whole metadata images and the quorum's Raft messages are not drawn. " }
                <kbd>{ "Space" }</kbd>{ " play/pause, " }<kbd>{ "." }</kbd>{ " step, " }<kbd>{ "1" }</kbd>{ "–" }<kbd>{ "9" }</kbd>{ " crash or start that broker, " }<kbd>{ "Esc" }</kbd>{ " close the form." }
            </p>
            <div class="grid workbench">
                // Without the stage (an embed that leaves it out), the forms are panels here.
                { for Drawer::ALL.iter().filter(|d| !show_stage && d.shown(&show, editable)).map(|&d| html! {
                    <section class={classes!("panel", d.wide().then_some("wide"))} aria-labelledby={format!("{}-h", d.id())}>
                        <h2 id={format!("{}-h", d.id())}>{ d.title() }</h2>
                        { form_panel(d) }
                    </section>
                }) }
                if show("sequence") && !under_stage {
                    <section class="panel wide" aria-labelledby="sequence-h">
                        <h2 id="sequence-h">{ "Requests" }</h2>
                        { sequence_panel() }
                    </section>
                }
                if show("events") && !under_stage {
                    <section class="panel wide" aria-labelledby="events-h">
                        <h2 id="events-h">{ "Events" }</h2>
                        { events_panel() }
                    </section>
                }
                if show("partitions") && !under_stage {
                    <section class="panel wide" aria-labelledby="logs-h">
                        <h2 id="logs-h">{ "Partitions" }</h2>
                        { partitions_panel() }
                    </section>
                }
                { for compare_below }
                if show("script") {
                    <section class="panel wide" aria-labelledby="script-h">
                        <h2 id="script-h">{ "Session script" }</h2>
                        <ScriptPanel script={script} error={error(Form::Script).filter(|e| !e.starts_with("This link"))}
                            readonly={!editable} dispatch={dispatch.clone()} share={share} link={(*shared_link).clone()}
                            embed={embed} snippet={(*snippet).clone()} />
                    </section>
                }
            </div>
        </div>
    }
}

/// What is selected on the stage: choosing it again (or `None`) clears it.
#[derive(Default, PartialEq)]
struct Selected(Option<Selection>);

impl Reducible for Selected {
    type Action = Option<Selection>;

    fn reduce(self: Rc<Self>, what: Option<Selection>) -> Rc<Self> {
        match what {
            Some(w) if self.0.as_ref() != Some(&w) => Rc::new(Selected(Some(w))),
            _ => Rc::new(Selected(None)),
        }
    }
}

/// The tab under the stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Below {
    Events,
    Requests,
    Partitions,
}

impl Below {
    fn id(self) -> &'static str {
        match self {
            Below::Events => "events",
            Below::Requests => "requests",
            Below::Partitions => "partitions",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Below::Events => "Events",
            Below::Requests => "Requests",
            Below::Partitions => "Partitions",
        }
    }
}

/// A form that opens in the drawer beside the stage (one at a time), so that the stage keeps
/// the first screen and a form is one click from the picture it changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Drawer {
    Topic,
    Produce,
    Consume,
    Groups,
    Network,
}

impl Drawer {
    const ALL: [Drawer; 5] = [Drawer::Topic, Drawer::Produce, Drawer::Consume, Drawer::Groups, Drawer::Network];

    /// Its name in `view=` (docs/embedding.md) and in test ids.
    fn id(self) -> &'static str {
        match self {
            Drawer::Topic => "topic",
            Drawer::Produce => "produce",
            Drawer::Consume => "consume",
            Drawer::Groups => "groups",
            Drawer::Network => "network",
        }
    }

    fn button(self) -> &'static str {
        match self {
            Drawer::Topic => "+ Topic",
            Drawer::Produce => "Produce",
            Drawer::Consume => "Consume",
            Drawer::Groups => "Groups",
            Drawer::Network => "Network",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Drawer::Topic => "Create a topic",
            Drawer::Produce => "Produce",
            Drawer::Consume => "Consume",
            // The share-groups build's drawer adds workers to share groups too.
            Drawer::Groups if kafka_sim::SHARE_GROUPS => "Consumer and share groups",
            Drawer::Groups => "Consumer groups",
            Drawer::Network => "Network",
        }
    }

    fn about(self) -> &'static str {
        match self {
            Drawer::Topic => "Create a topic: partitions, replication factor, configs",
            Drawer::Produce => "Create producers, send records, run traffic and transactions",
            Drawer::Consume => "Create consumers, assign partitions, poll and seek",
            Drawer::Groups if kafka_sim::SHARE_GROUPS => {
                "Start consumer groups and share groups, add members, see their lag"
            }
            Drawer::Groups => "Start consumer groups, add members, see their lag",
            Drawer::Network => "Cut or slow the links between brokers and clients",
        }
    }

    /// Only the forms that read (consume, groups) are there for a read-only embed.
    fn shown(self, show: &dyn Fn(&str) -> bool, editable: bool) -> bool {
        show(self.id()) && (editable || matches!(self, Drawer::Consume | Drawer::Groups))
    }

    /// Panels that take the whole row when laid out below (without the stage).
    fn wide(self) -> bool {
        matches!(self, Drawer::Consume | Drawer::Groups)
    }
}

/// Background traffic, drawn on the stage only when the event log shows it too.
fn is_chatter(m: &kafka_sim::view::MessageView) -> bool {
    use kafka_sim::net::Node;
    matches!(m.api, "BrokerHeartbeat" | "MetadataUpdate" | "Heartbeat")
        || (m.api == "Fetch" && matches!((&m.from, &m.to), (Node::Broker(_), Node::Broker(_))))
}

/// Tells the embedding page (if it is allowed) the state now, and each
/// checkpoint the moment it becomes true.
fn tell_parent(pg: &Playground, options: &EmbedOptions, reported: &mut Vec<String>) {
    if options.origins.is_empty() {
        return;
    }
    let checkpoints = pg.checkpoints();
    for origin in &options.origins {
        for c in checkpoints.iter().filter(|c| c.result.is_ok() && !reported.contains(&c.text)) {
            browser::post_to_parent(&browser::message("checkpoint", &[("expect", c.text.as_str().into())]), origin);
        }
        let done = checkpoints.iter().filter(|c| c.result.is_ok()).count() as f64;
        let error = pg.errors.values().next().map_or(JsValue::NULL, |e| e.as_str().into());
        let fields: [(&str, JsValue); 4] = [
            ("now_ms", (pg.sim.now().ms as f64).into()),
            ("checkpoints_done", done.into()),
            ("checkpoints", (checkpoints.len() as f64).into()),
            ("error", error),
        ];
        browser::post_to_parent(&browser::message("state", &fields), origin);
    }
    for c in checkpoints.into_iter().filter(|c| c.result.is_ok()) {
        if !reported.contains(&c.text) {
            reported.push(c.text);
        }
    }
}
