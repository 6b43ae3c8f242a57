//! The page's state and every change to it, without a browser: the engine,
//! the session being recorded, the event log and what each form last said.
//! Components only read this and dispatch [`Action`]s; tests drive it natively.

use crate::sessions::{Branch, Saved, BRANCHES_MAX};
use kafka_sim::command::{Command, SharedCommand};
use kafka_sim::scenario::{quote, Line, Scenario};
use kafka_sim::sorted::SortedMap;
use kafka_sim::time::Duration;
use kafka_sim::{limits, link, Event, Sim};
use std::cell::OnceCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// Events the log keeps; older ones scroll away (the page says so).
pub const LOG_EVENTS_MAX: usize = 2_000;

/// Default names of the clients every session starts with.
pub const PRODUCER: &str = "producer-1";
pub const CONSUMER: &str = "consumer-1";

/// Which input area an error belongs next to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Form {
    /// The script editor and share links.
    Script,
    Topic,
    Faults,
    Send,
    Consumer,
    Group,
    Time,
    Compare,
    /// An action taken on the stage or in the inspector.
    Stage,
    /// The command bar, which takes any script line.
    Command,
}

/// How fast simulated time runs against the wall clock while playing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    Hundredth,
    Tenth,
    Real,
    Ten,
    Hundred,
}

impl Speed {
    pub const ALL: [Speed; 5] = [Speed::Hundredth, Speed::Tenth, Speed::Real, Speed::Ten, Speed::Hundred];

    /// Simulated milliseconds per 1000 real milliseconds.
    fn sim_ms_per_real_second(self) -> u64 {
        match self {
            Speed::Hundredth => 10,
            Speed::Tenth => 100,
            Speed::Real => 1_000,
            Speed::Ten => 10_000,
            Speed::Hundred => 100_000,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Speed::Hundredth => "0.01×",
            Speed::Tenth => "0.1×",
            Speed::Real => "1×",
            Speed::Ten => "10×",
            Speed::Hundred => "100×",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Apply a command built by a form; its error shows next to that form.
    Command(Form, SharedCommand),
    /// Parse a script line (a form's text fields) and apply it.
    Line(Form, String),
    /// The browser's clock moved `real_ms` while playing.
    Tick {
        real_ms: u64,
    },
    /// Process everything due at the next scheduled time.
    Step,
    Play,
    Pause,
    SetSpeed(Speed),
    /// Start a new session with the default cluster.
    Reset,
    /// Crash a running broker or start a stopped one (keys 1-9).
    ToggleBroker(u32),
    /// Keep background traffic in the event log, or not.
    ToggleChatter,
    /// Replace the session with this script (the editor's Apply); an error keeps the session.
    LoadScript(String),
    /// Replace the session with a share link's; an error keeps the session.
    LoadLink(String),
    /// Look at the session as it was at this simulated time (replaying it): playing on follows
    /// the rest of it; an action there starts a new branch, and the old future is kept as one.
    TravelTo(u64),
    /// Jump from the past to the end of the line viewed.
    BackToNow,
    /// Look at kept branch `i` where it split from this line (which is kept in its place).
    SwitchBranch(usize),
    /// Take back the last action: back to just before it, the line with it kept as a branch.
    Undo,
    /// Open a saved session (from the recent list): its tree, where it was looked at.
    OpenSaved(String),
    /// Let this much simulated time pass as fast as the engine goes, in chunks, with progress.
    FastForward(u64),
    /// Stop a fast-forward where it is.
    StopFastForward,
    /// Start built-in lesson `i`: a new session with its first step's setup. Its text must
    /// have been fetched (`LessonFetched`).
    StartLesson(usize),
    /// Lesson `i`'s text arrived (lessons are fetched on first use), or why it did not: start it,
    /// or say why it cannot be.
    LessonFetched(usize, Result<String, String>),
    /// Gallery scenario `i`'s script arrived (fetched when chosen), or why it did not: open it,
    /// or say why it cannot be.
    ScenarioFetched(usize, Result<String, String>),
    /// Do what the current lesson step asks (its `#! do` lines).
    LessonDo,
    /// The step's action at once: what is left of it applied without playing its time.
    LessonSkip,
    /// Go on to the next step (its setup runs).
    LessonNext,
    /// Leave the lesson; the session stays.
    EndLesson,
    /// The learner's prediction for the current step (a choice's index).
    LessonPredict(usize),
    /// Run the session a second time with one setting changed (`p acks=1`), side by side.
    Compare(String),
    EndCompare,
    /// The sequence diagram's stretch of time, in simulated milliseconds.
    SequenceWindow(u64),
    ToggleSequenceChatter,
}

/// A guided lesson in progress: which built-in lesson, and the step the learner is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LessonProgress {
    pub index: usize,
    pub step: usize,
    /// The step's action was done.
    pub done: bool,
    /// The choice the learner predicted, for a step that asks first.
    pub predicted: Option<usize>,
    /// The step's action is being played (see [`StepPlayback`]).
    pub playing: bool,
}

/// A lesson step's action being played, so that what the step is about is seen happening: the
/// lines not applied yet, and the `advance` under way (until when, and how fast).
#[derive(Clone, Debug, PartialEq)]
pub struct StepPlayback {
    pending: VecDeque<String>,
    until_ms: u64,
    sim_ms_per_real_second: u64,
    /// "Skip": the rest without playing.
    skipping: bool,
}

/// A step's `advance` plays at the page's speed, but takes at most this long in real time (a
/// 17-second failover plays in about four seconds).
pub const STEP_ADVANCE_REAL_MS_MAX: u64 = 4_000;

/// Simulated time a fast-forward processes per tick: small enough that the page stays responsive.
pub const FAST_FORWARD_CHUNK_MS: u64 = 600_000;

/// A fast-forward under way: from when, to when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FastForward {
    pub from_ms: u64,
    pub to_ms: u64,
}

/// One `expect` line of the session and whether it holds now.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckpointView {
    pub text: String,
    pub result: Result<(), String>,
}

#[derive(Debug)]
/// An event in the page's log, put into words the first time it is shown: a fast-forward logs
/// far more events than anyone scrolls to, and a frame shows the newest few hundred.
pub struct Logged {
    /// Shared with the sequence diagram's arrow for it, if any.
    pub event: Rc<Event>,
    text: OnceCell<Rc<str>>,
}

impl Logged {
    pub fn text(&self) -> Rc<str> {
        self.text.get_or_init(|| self.event.kind.to_string().into()).clone()
    }
}

pub struct Playground {
    pub sim: Sim,
    /// The session so far: replaying it from the seed gives this state.
    pub session: Vec<SharedCommand>,
    pub log: VecDeque<Logged>,
    /// Events that scrolled out of the log.
    pub log_dropped: u64,
    pub playing: bool,
    /// Something was done while the clock stood still: it happens only once time runs, and the
    /// timeline says so (a paused page otherwise looks as if the action did nothing).
    pub waiting_for_time: bool,
    /// A fast-forward under way, if any.
    pub fast_forward: Option<FastForward>,
    /// A lesson step's action being played, if any.
    pub step_playback: Option<StepPlayback>,
    pub speed: Speed,
    pub show_chatter: bool,
    /// Background events left out of the log while `show_chatter` is off.
    pub chatter_hidden: u64,
    pub errors: SortedMap<Form, String>,
    /// Real microseconds of play not yet turned into simulated time.
    carry_real_us: u64,
    /// While looking at the past: the commands after this point. Time passing plays them as the
    /// clock reaches them; an action here makes the line with them a branch; `BackToNow` replays
    /// them at once.
    pub future: Option<Vec<SharedCommand>>,
    /// The other lines of the session's time tree, oldest first (at most `sessions::BRANCHES_MAX`).
    pub branches: Vec<Branch>,
    /// Something the page did that the person should know of (a branch dropped).
    pub notice: Option<String>,
    /// A script this build refused only because it has no share groups (the page's first
    /// download leaves them out): the session with the refused line as a link fragment, for the
    /// share-groups build to open (`app.rs` offers it).
    pub share_elsewhere: Option<String>,
    /// The person changed this session (an action of theirs, not time passing): replacing it asks
    /// first, and it goes to the recent list.
    pub edited: bool,
    /// A session this one replaced that the person had changed, saved, for the recent list.
    pub replaced: Option<String>,
    /// Commands of the session that undo does not take back: the setup it was opened with.
    undo_floor: usize,
    /// A guided lesson in progress, if any.
    pub lesson: Option<LessonProgress>,
    /// The session run twice, the second time with one setting changed; it follows the session.
    pub compare: Option<kafka_sim::compare::Comparison>,
    /// The newest requests and responses, background traffic too, for the sequence diagram.
    pub sequence: kafka_sim::sequence::Sequence,
    pub sequence_window_ms: u64,
    pub sequence_chatter: bool,
    /// The timeline's marks: faults, elections, ISR changes, rebalances, transactions; the
    /// future's too while looking at the past.
    pub markers: kafka_sim::timeline::Markers,
}

/// The script every new session starts with.
/// What the page opens with the first time (no link, nothing saved): a small cluster already
/// working, so records are seen moving at once. "New session" gives [`default_script`].
pub const DEMO_SCRIPT: &str = "seed 1
cluster brokers=3
topic create orders partitions=3 replication-factor=3 min.insync.replicas=2
producer producer-1 linger.ms=5
traffic producer-1 orders rate=4 keys=6
consumer consumer-1 group.id=shipping auto.offset.reset=earliest
subscribe consumer-1 orders
consume consumer-1
consumer consumer-2 group.id=shipping auto.offset.reset=earliest
subscribe consumer-2 orders
consume consumer-2
";

pub fn default_script(seed: u64) -> String {
    format!("seed {seed}\ncluster brokers=3\nproducer {PRODUCER}\nconsumer {CONSUMER} auto.offset.reset=earliest\n")
}

/// Whether an error is this build's refusal of share groups (the first download has none): the
/// share-groups build would take what was refused.
pub fn needs_share_build(error: &str) -> bool {
    error.contains(kafka_sim::scenario::SHARE_GROUPS_LEFT_OUT)
}

impl Playground {
    pub fn new(seed: u64) -> Self {
        let script = Scenario::parse(&default_script(seed)).expect("the default script parses");
        Self::from_scenario(&script).expect("the default script runs")
    }

    /// Whether the clock runs by itself: playing, fast-forwarding or playing a lesson's step.
    pub fn running(&self) -> bool {
        self.playing || self.fast_forward.is_some() || self.step_playback.is_some()
    }

    /// Plays a lesson step on: `real_ms` more of its `advance`, then the lines after it up to the
    /// next `advance` (which starts playing), until none is left and the step is done.
    fn play_step(&mut self, real_ms: u64) {
        let Some(mut playback) = self.step_playback.take() else { return };
        let now = self.sim.now().ms;
        if now < playback.until_ms {
            self.carry_real_us += real_ms * playback.sim_ms_per_real_second;
            let mut sim_ms = (self.carry_real_us / 1_000).min(playback.until_ms - now);
            self.carry_real_us %= 1_000;
            if playback.skipping {
                sim_ms = playback.until_ms - now;
            }
            if sim_ms > 0 {
                self.apply(Form::Time, Command::Advance(Duration::from_ms(sim_ms)).into());
            }
        }
        while self.sim.now().ms >= playback.until_ms {
            let Some(line) = playback.pending.pop_front() else {
                if let Some(p) = self.lesson.as_mut() {
                    (p.playing, p.done) = (false, true);
                }
                return;
            };
            match Scenario::parse_command(&line) {
                Ok(Command::Advance(d)) => {
                    // At the page's speed, but in at most STEP_ADVANCE_REAL_MS_MAX of real time.
                    let fastest = d.ms.saturating_mul(1_000) / STEP_ADVANCE_REAL_MS_MAX;
                    playback.sim_ms_per_real_second = self.speed.sim_ms_per_real_second().max(fastest);
                    playback.until_ms = self.sim.now().ms + d.ms;
                }
                _ => self.reduce_session(Action::Line(Form::Script, line)),
            }
        }
        self.step_playback = Some(playback);
    }

    /// Replays a scenario into a fresh playground, or says which line failed.
    pub fn from_scenario(scenario: &Scenario) -> Result<Self, String> {
        let mut p = Playground {
            sim: Sim::new(scenario.seed),
            session: Vec::new(),
            log: VecDeque::new(),
            log_dropped: 0,
            playing: false,
            waiting_for_time: false,
            fast_forward: None,
            step_playback: None,
            speed: Speed::Real,
            show_chatter: false,
            chatter_hidden: 0,
            errors: SortedMap::new(),
            carry_real_us: 0,
            future: None,
            branches: Vec::new(),
            notice: None,
            share_elsewhere: None,
            edited: false,
            replaced: None,
            undo_floor: 0,
            lesson: None,
            compare: None,
            sequence: Default::default(),
            sequence_window_ms: 1_000,
            sequence_chatter: false,
            markers: Default::default(),
        };
        for Line { line, command } in &scenario.commands {
            p.sim.apply(command).map_err(|e| format!("line {line}: {e}"))?;
            p.record(command.clone());
        }
        // Undo takes back what was done after the setup at time 0.
        p.undo_floor = p.session.iter().take_while(|c| !matches!(***c, Command::Advance(_))).count();
        p.collect_events();
        Ok(p)
    }

    /// A scenario opened to be watched: at its beginning, its commands ahead, the clock running.
    pub fn unfolded(scenario: &Scenario) -> Result<Self, String> {
        let mut p = Playground::from_scenario(scenario)?;
        p.travel_to(0);
        p.playing = true;
        Ok(p)
    }

    /// A saved session (the autosave, an entry of the recent list) as it was left.
    pub fn from_saved(text: &str) -> Result<Self, String> {
        let saved = Saved::parse(text)?;
        let scenario = Scenario {
            seed: saved.seed,
            commands: saved.commands.into_iter().map(|command| Line { line: 0, command }).collect(),
        };
        let mut p = Playground::from_scenario(&scenario)?;
        if let Some(at) = saved.at_ms {
            p.travel_to(at);
        }
        p.branches = saved.branches;
        p.branches.truncate(BRANCHES_MAX);
        Ok(p)
    }

    /// The session with its whole tree, as the autosave and the recent list keep it.
    pub fn saved(&self) -> String {
        Saved {
            seed: self.sim.seed(),
            commands: self.whole_commands(),
            at_ms: self.future.is_some().then(|| self.sim.now().ms),
            branches: self.branches.clone(),
        }
        .to_text()
    }

    /// The line being viewed as a script, its future included.
    pub fn script(&self) -> String {
        crate::sessions::script(self.sim.seed(), &self.whole_commands())
    }

    /// Whether there is an action to take back.
    pub fn can_undo(&self) -> bool {
        self.last_action().is_some()
    }

    /// The index of the last command that was not time passing, if undo may take it back.
    fn last_action(&self) -> Option<usize> {
        self.session.iter().rposition(|c| !matches!(**c, Command::Advance(_))).filter(|&k| k >= self.undo_floor)
    }

    pub fn reduce(&mut self, action: Action) {
        self.reduce_session(action);
        if let Some(c) = self.compare.as_mut() {
            c.sync(&self.session);
        }
    }

    fn reduce_session(&mut self, action: Action) {
        if matches!(action, Action::Play | Action::Step | Action::Tick { .. } | Action::FastForward(_)) {
            self.waiting_for_time = false;
        }
        match action {
            Action::Command(form, command) => self.apply(form, command),
            Action::Line(form, text) => match Scenario::parse_command(&text) {
                Ok(command) => self.apply(form, command.into()),
                Err(e) => {
                    if needs_share_build(&e.message) {
                        // The line up to now, then the refused line (acted on here, as a line
                        // typed while looking at the past starts a branch from there).
                        let now = crate::sessions::script(self.sim.seed(), &self.session);
                        self.share_elsewhere = Some(link::encode_script(&format!("{now}{text}\n")));
                    }
                    self.errors.insert(form, e.message);
                }
            },
            Action::Tick { .. } if self.fast_forward.is_some() => {
                if let Some(ff) = self.fast_forward {
                    let now = self.sim.now().ms;
                    let step = ff.to_ms.saturating_sub(now).min(FAST_FORWARD_CHUNK_MS);
                    if step > 0 {
                        self.apply(Form::Time, Command::Advance(Duration::from_ms(step)).into());
                    }
                    if self.sim.now().ms >= ff.to_ms || step == 0 {
                        self.fast_forward = None;
                    }
                }
            }
            Action::Tick { real_ms } if self.step_playback.is_some() => self.play_step(real_ms),
            Action::FastForward(ms) => {
                let now = self.sim.now().ms;
                self.playing = false;
                self.fast_forward = Some(FastForward { from_ms: now, to_ms: now + ms });
            }
            Action::StopFastForward => self.fast_forward = None,
            Action::Tick { real_ms } => {
                if self.playing {
                    self.carry_real_us += real_ms * self.speed.sim_ms_per_real_second();
                    let sim_ms = self.carry_real_us / 1_000;
                    self.carry_real_us %= 1_000;
                    if sim_ms > 0 {
                        self.apply(Form::Time, Command::Advance(Duration::from_ms(sim_ms)).into());
                    }
                }
            }
            Action::Step => {
                // To what is due next: in the engine, or the next command of a future being followed.
                let due = self.sim.next_event_at().map(|at| at.saturating_since(self.sim.now()).ms);
                let scripted = self.future.iter().flatten().find_map(|c| match **c {
                    Command::Advance(d) => Some(d.ms),
                    _ => None,
                });
                match due.into_iter().chain(scripted).min() {
                    Some(ms) => self.apply(Form::Time, Command::Advance(Duration::from_ms(ms)).into()),
                    None => {
                        self.errors.insert(Form::Time, "nothing is scheduled: the cluster is idle".into());
                    }
                }
            }
            Action::Play => self.playing = true,
            Action::Pause => self.playing = false,
            Action::SetSpeed(s) => self.speed = s,
            Action::Reset => {
                let mut fresh = Playground::new(self.sim.seed());
                fresh.playing = true;
                self.replace_or_explain(Ok(fresh));
            }
            Action::ToggleBroker(id) => {
                let running = self.sim.view().brokers.iter().find(|b| b.id == id).map(|b| b.alive);
                match running {
                    Some(true) => self.apply(Form::Faults, Command::BrokerStop(id).into()),
                    Some(false) => self.apply(Form::Faults, Command::BrokerStart(id).into()),
                    None => {
                        self.errors.insert(Form::Faults, format!("there is no broker-{id}"));
                    }
                }
            }
            Action::ToggleChatter => self.show_chatter = !self.show_chatter,
            Action::StartLesson(i) => {
                let Some(lesson) = crate::lessons::lesson(i) else {
                    let name = crate::lessons::LESSONS.get(i).copied().unwrap_or("?");
                    self.errors.insert(Form::Script, format!("The lesson '{name}' is not loaded."));
                    return;
                };
                let script = lesson.script_through(0);
                let setup = lesson.steps.first().map(|s| s.setup.join("\n")).unwrap_or_default();
                let loaded = Scenario::parse(&format!("{script}{setup}\n"))
                    .map_err(|e| e.to_string())
                    .and_then(|s| Playground::from_scenario(&s));
                self.replace_or_explain(loaded);
                if !self.errors.contains_key(&Form::Script) {
                    // A lesson's time passes when a step is done, not while its text is read.
                    self.playing = false;
                    self.lesson =
                        Some(LessonProgress { index: i, step: 0, done: false, predicted: None, playing: false });
                }
            }
            Action::LessonDo => {
                let Some(progress) = self.lesson.filter(|p| !p.playing && !p.done) else { return };
                let Some(step) =
                    crate::lessons::lesson(progress.index).and_then(|l| l.steps.get(progress.step).cloned())
                else {
                    return;
                };
                let until_ms = self.sim.now().ms;
                self.step_playback = Some(StepPlayback {
                    pending: step.actions.into(),
                    until_ms,
                    sim_ms_per_real_second: 1_000,
                    skipping: false,
                });
                if let Some(p) = self.lesson.as_mut() {
                    p.playing = true;
                }
                self.play_step(0);
            }
            Action::LessonSkip => {
                if let Some(p) = self.step_playback.as_mut() {
                    p.skipping = true;
                }
                // Each round applies one advance and the lines after it.
                while self.step_playback.is_some() {
                    self.play_step(0);
                }
            }
            Action::LessonNext => {
                let Some(progress) = self.lesson.filter(|p| !p.playing) else { return };
                let Some(lesson) = crate::lessons::lesson(progress.index) else { return };
                let Some(step) = lesson.steps.get(progress.step + 1) else {
                    self.lesson = None;
                    return;
                };
                for line in &step.setup {
                    self.reduce(Action::Line(Form::Script, line.clone()));
                }
                self.step_playback = None;
                self.lesson = Some(LessonProgress {
                    index: progress.index,
                    step: progress.step + 1,
                    done: false,
                    predicted: None,
                    playing: false,
                });
            }
            Action::LessonFetched(i, text) => {
                let name = crate::lessons::LESSONS.get(i).copied().unwrap_or("?");
                match text.and_then(|text| crate::lessons::store(i, &text)) {
                    Ok(()) => self.reduce(Action::StartLesson(i)),
                    Err(why) => {
                        self.errors.insert(
                            Form::Script,
                            format!("The lesson '{name}' could not be loaded: {why}. Your session is kept."),
                        );
                    }
                }
            }
            Action::ScenarioFetched(i, text) => {
                let name = crate::gallery::SCENARIOS.get(i).copied().unwrap_or("?");
                match text {
                    Ok(text) => {
                        let loaded =
                            Scenario::parse(&text).map_err(|e| e.to_string()).and_then(|s| Playground::unfolded(&s));
                        self.replace_or_explain(loaded);
                    }
                    Err(why) => {
                        self.errors.insert(
                            Form::Script,
                            format!("The scenario '{name}' could not be loaded: {why}. Your session is kept."),
                        );
                    }
                }
            }
            Action::EndLesson => self.lesson = None,
            Action::Compare(text) => {
                let change = kafka_sim::compare::Change::parse(&text).and_then(|c| c.check(&self.session).map(|()| c));
                match change {
                    Ok(change) => {
                        self.errors.remove(&Form::Compare);
                        self.compare = Some(kafka_sim::compare::Comparison::new(self.sim.seed(), change));
                    }
                    Err(e) => {
                        self.errors.insert(Form::Compare, e.to_string());
                    }
                }
            }
            Action::EndCompare => self.compare = None,
            Action::SequenceWindow(ms) => self.sequence_window_ms = ms.max(1),
            Action::ToggleSequenceChatter => self.sequence_chatter = !self.sequence_chatter,
            Action::LessonPredict(choice) => {
                if let Some(p) = self.lesson.as_mut().filter(|p| !p.done && p.predicted.is_none()) {
                    p.predicted = Some(choice);
                }
            }
            Action::LoadScript(text) => {
                let loaded = Scenario::parse(&text).map_err(|e| e.to_string());
                if loaded.as_ref().is_err_and(|e| needs_share_build(e)) {
                    self.share_elsewhere = Some(link::encode_script(&text));
                }
                self.replace_or_explain(loaded.and_then(|s| Playground::from_scenario(&s)));
            }
            Action::TravelTo(ms) => self.travel_to(ms),
            Action::BackToNow => {
                if self.future.is_some() {
                    let all = self.whole_session();
                    self.replay(all);
                    // As a video's end: the state the line reaches, held still to be looked at.
                    self.playing = false;
                }
            }
            Action::SwitchBranch(i) => self.switch_branch(i),
            Action::Undo => self.undo(),
            Action::OpenSaved(text) => {
                let loaded = Playground::from_saved(&text);
                if loaded.as_ref().is_err_and(|e| needs_share_build(e)) {
                    // A recent session of the share-groups build: its line (its branches are
                    // comments to a script) opens there.
                    self.share_elsewhere = Some(link::encode_script(&text));
                }
                let loaded = loaded
                    .map_err(|why| format!("This session could not be opened: {why}. Your current session is kept."));
                let before = self.playing;
                self.replace_or_explain(loaded);
                // A session brought back opens as it was left, paused (unless it could not be opened).
                self.playing = before && self.errors.contains_key(&Form::Script);
            }
            Action::LoadLink(fragment) => {
                let loaded = link::decode(&fragment).map_err(|e| e.to_string());
                if loaded.as_ref().is_err_and(|e| needs_share_build(e)) {
                    self.share_elsewhere = Some(fragment.trim_start_matches('#').to_string());
                }
                let loaded = loaded
                    .and_then(|s| Playground::unfolded(&s))
                    .map_err(|why| format!("This link could not be opened: {why}. Your current session is kept."));
                self.replace_or_explain(loaded);
            }
        }
    }

    /// The whole session's simulated length, the future included.
    pub fn length_ms(&self) -> u64 {
        self.session.iter().chain(self.future.iter().flatten()).map(advance_ms).sum()
    }

    fn travel_to(&mut self, target_ms: u64) {
        self.playing = false;
        let all = self.whole_session();
        let (mut past, mut future, mut at) = (Vec::new(), Vec::new(), 0u64);
        for command in all {
            let d = advance_ms(&command);
            if !future.is_empty() || (d > 0 && at + d > target_ms) || (d == 0 && at > target_ms) {
                if future.is_empty() && d > 0 && at < target_ms {
                    // Split the advance that crosses the target.
                    past.push(SharedCommand::new(Command::Advance(Duration::from_ms(target_ms - at))));
                    future.push(SharedCommand::new(Command::Advance(Duration::from_ms(at + d - target_ms))));
                } else {
                    future.push(command);
                }
            } else {
                past.push(command);
            }
            at += d;
        }
        self.replay(past);
        if !future.is_empty() {
            self.future = Some(future);
        }
    }

    /// The session with its future, the advance split at the travel point joined again: the
    /// line as it was recorded.
    fn whole_commands(&self) -> Vec<SharedCommand> {
        let mut all = self.session.clone();
        let mut future = self.future.iter().flatten();
        if let Some(first) = future.next() {
            match (all.last_mut(), &**first) {
                (Some(last), Command::Advance(b)) if matches!(**last, Command::Advance(a) if a.ms + b.ms <= limits::ADVANCE_MS_MAX) =>
                {
                    let a = advance_ms(last);
                    *last = SharedCommand::new(Command::Advance(Duration::from_ms(a + b.ms)));
                }
                _ => all.push(first.clone()),
            }
        }
        all.extend(future.cloned());
        all
    }

    /// [`Self::whole_commands`], leaving the session empty for a replay.
    fn whole_session(&mut self) -> Vec<SharedCommand> {
        let all = self.whole_commands();
        self.session.clear();
        self.future = None;
        all
    }

    /// Keeps a line of the session as a branch; past [`BRANCHES_MAX`] the oldest goes, said.
    fn keep_branch(&mut self, branch: Branch) {
        self.branches.push(branch);
        if self.branches.len() > BRANCHES_MAX {
            self.branches.remove(0);
            self.notice = Some(format!("The oldest branch was dropped: a session keeps {BRANCHES_MAX}."));
        }
    }

    /// Looks at branch `i` where it split off; the line viewed becomes a branch in its place.
    fn switch_branch(&mut self, i: usize) {
        if i >= self.branches.len() {
            return;
        }
        let other = self.branches.remove(i);
        let current = self.whole_commands();
        self.branches.insert(i, Branch { split_ms: other.split_ms, commands: current });
        self.future = None;
        // The other line's marks, then the look at where it split.
        self.markers.truncate_from(other.split_ms);
        self.replay(other.commands);
        self.travel_to(other.split_ms);
    }

    /// Takes back the last action: the session goes back to just before it, and the line with
    /// it (and all that followed) is kept as a branch.
    fn undo(&mut self) {
        let Some(k) = self.last_action() else {
            self.errors.insert(Form::Time, "nothing to undo: no action since the session opened".into());
            return;
        };
        let at_ms: u64 = self.session[..k].iter().map(advance_ms).sum();
        let line = self.whole_commands();
        let before = self.session[..k].to_vec();
        self.keep_branch(Branch { split_ms: at_ms, commands: line });
        self.future = None;
        self.markers.truncate_from(at_ms);
        self.playing = false;
        self.replay(before);
    }

    /// Time passing while the line has a future plays it: its commands happen as the clock
    /// reaches them, as they did when they were recorded.
    fn follow(&mut self, mut ms: u64) {
        while let Some(future) = self.future.as_mut() {
            let command = match future.first().map(|c| &**c) {
                None => {
                    self.future = None;
                    break;
                }
                Some(Command::Advance(_)) if ms == 0 => break,
                Some(&Command::Advance(d)) => {
                    let taken = d.ms.min(ms);
                    ms -= taken;
                    if taken < d.ms {
                        future[0] = SharedCommand::new(Command::Advance(Duration::from_ms(d.ms - taken)));
                    } else {
                        future.remove(0);
                    }
                    SharedCommand::new(Command::Advance(Duration::from_ms(taken)))
                }
                Some(_) => future.remove(0),
            };
            // Valid when recorded, and the engine is deterministic.
            if self.sim.apply(&command).is_ok() {
                self.record(command);
            }
        }
        if ms > 0 && self.sim.apply(&Command::Advance(Duration::from_ms(ms))).is_ok() {
            self.record(SharedCommand::new(Command::Advance(Duration::from_ms(ms))));
        }
        self.collect_events();
    }

    /// Replays commands from the seed; they were valid once, so they are again
    /// (the engine is deterministic). From the seed every time: the engine replays a session far
    /// faster than it was played, and snapshots of the engine to start from would have carried
    /// its whole deep copy into the page (about 5 KB of its download) for sessions of many
    /// commands only (a played or fast-forwarded stretch is one command).
    fn replay(&mut self, commands: Vec<SharedCommand>) {
        let scenario = Scenario {
            seed: self.sim.seed(),
            commands: commands.into_iter().map(|command| Line { line: 0, command }).collect(),
        };
        let markers = core::mem::take(&mut self.markers);
        let (branches, edited, undo_floor) = (core::mem::take(&mut self.branches), self.edited, self.undo_floor);
        if let Ok(mut next) = Playground::from_scenario(&scenario) {
            next.compare = self.compare.take();
            self.hand_on_preferences(&mut next);
            next.lesson = self.lesson;
            *self = next;
        }
        (self.branches, self.edited, self.undo_floor) = (branches, edited, undo_floor);
        // The future's marks stay on the timeline.
        let now_ms = self.sim.now().ms;
        for m in markers.iter().filter(|m| m.at_ms > now_ms) {
            self.markers.keep_future(m.clone());
        }
    }

    /// What the person chose for the page, not the session: it stays when the session is replayed
    /// or replaced.
    fn hand_on_preferences(&self, next: &mut Playground) {
        next.speed = self.speed;
        next.show_chatter = self.show_chatter;
        next.sequence_window_ms = self.sequence_window_ms;
        next.sequence_chatter = self.sequence_chatter;
    }

    /// Takes a new session, or keeps this one and says why the new one failed. A replaced
    /// session the person had changed is handed on for the recent list.
    fn replace_or_explain(&mut self, loaded: Result<Playground, String>) {
        match loaded {
            Ok(mut next) => {
                next.replaced = self.edited.then(|| self.saved());
                // A running clock keeps running into what replaces the session (an embed's `load`
                // with autoplay, a script applied while playing).
                next.playing |= self.playing;
                self.hand_on_preferences(&mut next);
                // A comparison goes on with the new session if its change still applies.
                if let Some(c) = self.compare.take().filter(|c| c.change.check(&next.session).is_ok()) {
                    next.compare = Some(kafka_sim::compare::Comparison::new(next.sim.seed(), c.change));
                }
                *self = next;
            }
            Err(why) => {
                self.errors.insert(Form::Script, why);
            }
        }
    }

    /// The line viewed as a share-link fragment (`v1.…`), its future included.
    pub fn link(&self) -> String {
        link::encode(&Scenario::parse(&self.script()).unwrap_or_default())
    }

    /// The current lesson step's checkpoints, against the state now.
    pub fn lesson_checks(&self) -> Vec<CheckpointView> {
        let Some(progress) = self.lesson else { return Vec::new() };
        let Some(step) = crate::lessons::lesson(progress.index).and_then(|l| l.steps.get(progress.step).cloned())
        else {
            return Vec::new();
        };
        let view = self.sim.view();
        step.expectations()
            .into_iter()
            .map(|e| CheckpointView { text: e.to_string(), result: e.evaluate(&view) })
            .collect()
    }

    /// Every `expect` line of the session: done if it held when the session reached it,
    /// otherwise checked against the state now (a checkpoint a person is working towards).
    pub fn checkpoints(&self) -> Vec<CheckpointView> {
        // Building the view costs more than anything else here: only when there is an expect.
        if !self.session.iter().any(|c| matches!(**c, Command::Expect(_))) {
            return Vec::new();
        }
        let view = self.sim.view();
        self.session
            .iter()
            .filter_map(|c| match &**c {
                Command::Expect(e) => Some(e),
                _ => None,
            })
            .enumerate()
            .map(|(n, e)| {
                let result = if self.sim.checkpoint_held(n) == Some(true) { Ok(()) } else { e.evaluate(&view) };
                CheckpointView { text: e.to_string(), result }
            })
            .collect()
    }

    fn apply(&mut self, form: Form, command: SharedCommand) {
        if let (Command::Advance(d), Some(_)) = (&*command, &self.future) {
            self.errors.remove(&form);
            self.follow(d.ms);
            return;
        }
        match self.sim.apply(&command) {
            Ok(()) => {
                self.errors.remove(&form);
                if !matches!(*command, Command::Advance(_)) {
                    self.edited = true;
                    self.waiting_for_time = !self.running();
                    // Acting in the past: the line with the old future is kept as a branch.
                    if self.future.is_some() {
                        let line = self.whole_commands();
                        self.keep_branch(Branch { split_ms: self.sim.now().ms, commands: line });
                        self.future = None;
                        self.markers.truncate_from(self.sim.now().ms + 1);
                    }
                }
                self.record(command);
                self.collect_events();
            }
            Err(e) => {
                self.errors.insert(form, e.to_string());
            }
        }
    }

    /// Appends to the session, merging consecutive advances so that playing
    /// for a minute is one line, not six hundred.
    fn record(&mut self, command: SharedCommand) {
        if let (Command::Advance(d), Some(last)) = (&*command, self.session.last_mut()) {
            if let Command::Advance(before) = **last {
                let total = before.ms + d.ms;
                if total <= limits::ADVANCE_MS_MAX {
                    *last = SharedCommand::new(Command::Advance(Duration::from_ms(total)));
                    return;
                }
            }
        }
        self.session.push(command);
    }

    fn collect_events(&mut self) {
        let events = self.sim.drain_events();
        // A tick at 100x brings tens of thousands of events, of which the log keeps the newest
        // 2,000 and the sequence 4,000 messages: an event either would let go before the tick
        // ends is counted as let go, never kept (the log and the sequence end as if it had been).
        let sequence_from = kafka_sim::sequence::Sequence::first_needed(&events);
        let hidden: Vec<bool> = events.iter().map(|e| !self.show_chatter && e.kind.is_chatter()).collect();
        let mut log_from = hidden.len();
        let mut logged_after = 0;
        while log_from > 0 && logged_after < LOG_EVENTS_MAX {
            log_from -= 1;
            logged_after += usize::from(!hidden[log_from]);
        }
        // Those neither keeps are only counted, and dropped together.
        let mut events = events;
        let first_kept = sequence_from.min(log_from);
        let kept = events.split_off(first_kept);
        for (e, &hidden) in events.iter().zip(&hidden) {
            self.markers.observe(e);
            self.sequence.pass_over(e);
            self.chatter_hidden += u64::from(hidden);
            self.log_dropped += u64::from(!hidden);
        }
        drop(events);
        for (i, e) in (first_kept..).zip(kept) {
            self.markers.observe(&e);
            let e = Rc::new(e);
            if i < sequence_from {
                self.sequence.pass_over(&e);
            } else {
                self.sequence.observe(&e);
            }
            if hidden[i] {
                self.chatter_hidden += 1;
                continue;
            }
            if i < log_from {
                self.log_dropped += 1;
                continue;
            }
            if self.log.len() == LOG_EVENTS_MAX {
                self.log.pop_front();
                self.log_dropped += 1;
            }
            self.log.push_back(Logged { event: e, text: OnceCell::new() });
        }
    }
}

fn advance_ms(command: &SharedCommand) -> u64 {
    match **command {
        Command::Advance(d) => d.ms,
        _ => 0,
    }
}

/// `topic create` as a script line from the form's fields, so the form and
/// scripts share one parser and one set of error messages.
pub fn topic_create_line(name: &str, partitions: &str, replication_factor: &str, configs: &str) -> String {
    let mut line = format!("topic create {}", quote(name.trim()));
    if !partitions.trim().is_empty() {
        line += &format!(" partitions={}", quote(partitions.trim()));
    }
    if !replication_factor.trim().is_empty() {
        line += &format!(" replication-factor={}", quote(replication_factor.trim()));
    }
    if !configs.trim().is_empty() {
        line.push(' ');
        line += configs.trim();
    }
    line
}

/// What the send form holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SendForm {
    pub topic: String,
    /// `None`: a null key (the sticky partitioner decides).
    pub key: Option<String>,
    pub value: String,
    /// `name=value` pairs separated by commas.
    pub headers: String,
    /// How the value is written: text, JSON (checked) or hex bytes.
    pub value_format: kafka_sim::format::Format,
}

impl SendForm {
    pub fn command(&self, producer: &str) -> Result<Command, String> {
        let mut headers = Vec::new();
        for pair in self.headers.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').ok_or_else(|| format!("a header is name=value, found '{pair}'"))?;
            if k.trim().is_empty() {
                return Err(format!("a header needs a name, found '{pair}'"));
            }
            headers.push((k.trim().to_string(), Some(v.to_string())));
        }
        Ok(Command::Send {
            producer: producer.into(),
            topic: self.topic.trim().into(),
            partition: None,
            key: self.key.clone(),
            value: Some(self.value.clone()),
            headers,
            key_format: kafka_sim::format::Format::String,
            value_format: self.value_format,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_sim::protocol::TopicPartition;

    /// The error a form shows, empty when it shows none.
    fn error_of(p: &Playground, form: Form) -> &str {
        p.errors.get(&form).map_or("", String::as_str)
    }

    fn played(p: &mut Playground, ms: u64) {
        p.reduce(Action::Play);
        p.reduce(Action::Tick { real_ms: ms });
        p.reduce(Action::Pause);
    }

    #[test]
    fn the_first_visits_example_has_records_flowing_to_a_group_of_two_within_seconds() {
        let mut p = Playground::from_scenario(&Scenario::parse(DEMO_SCRIPT).unwrap()).unwrap();
        played(&mut p, 8_000);
        let view = p.sim.view();
        let producer = view.clients.iter().find(|c| c.name == "producer-1").unwrap();
        assert!(producer.acked_records >= 20, "{} acknowledged", producer.acked_records);
        let group = view.groups.iter().find(|g| g.name == "shipping").unwrap();
        assert_eq!(group.state, "Stable");
        assert_eq!(group.members.len(), 2);
        assert!(group.members.iter().all(|m| !m.assignment.is_empty()), "both members own partitions");
        let consumed: u64 = view.clients.iter().filter(|c| c.kind == "consumer").map(|c| c.consumed).sum();
        assert!(consumed > 0, "the group reads what is produced");
    }

    #[test]
    fn a_new_playground_has_three_brokers_and_two_clients() {
        let p = Playground::new(1);
        let view = p.sim.view();
        assert_eq!(view.brokers.len(), 3);
        assert_eq!(view.clients.len(), 2);
        assert_eq!(p.script(), default_script(1));
    }

    #[test]
    fn a_fast_forward_goes_in_chunks_to_its_end_and_can_stop() {
        let mut p = Playground::new(1);
        p.reduce(Action::FastForward(3 * FAST_FORWARD_CHUNK_MS + 1_000));
        p.reduce(Action::Tick { real_ms: 50 });
        assert_eq!(p.sim.now().ms, FAST_FORWARD_CHUNK_MS, "one chunk a tick");
        for _ in 0..3 {
            p.reduce(Action::Tick { real_ms: 50 });
        }
        assert_eq!(p.sim.now().ms, 3 * FAST_FORWARD_CHUNK_MS + 1_000);
        assert_eq!(p.fast_forward, None, "done at its end");
        assert!(
            p.script().contains(&format!("advance {}", Duration::from_ms(3 * FAST_FORWARD_CHUNK_MS + 1_000))),
            "one advance line in the script"
        );
        p.reduce(Action::FastForward(7 * 86_400_000));
        p.reduce(Action::Tick { real_ms: 50 });
        p.reduce(Action::StopFastForward);
        p.reduce(Action::Tick { real_ms: 50 });
        assert_eq!(p.sim.now().ms, 4 * FAST_FORWARD_CHUNK_MS + 1_000, "stopped where it was");
    }

    #[test]
    fn an_action_while_paused_waits_for_time_and_the_page_says_so() {
        let mut p = Playground::new(1);
        assert!(!p.waiting_for_time, "nothing done yet");
        p.reduce(Action::Line(Form::Topic, topic_create_line("orders", "3", "", "")));
        assert!(p.waiting_for_time, "a topic created while paused waits for time to run");
        p.reduce(Action::Step);
        assert!(!p.waiting_for_time, "a step lets time run");
        p.reduce(Action::Line(Form::Topic, topic_create_line("bad name!", "1", "", "")));
        assert!(!p.waiting_for_time, "a refused action does not wait for anything");
        p.reduce(Action::Play);
        p.reduce(Action::Line(Form::Topic, topic_create_line("other", "1", "", "")));
        assert!(!p.waiting_for_time, "while playing, time runs anyway");
    }

    #[test]
    fn create_send_poll_shows_the_record_at_offset_0_of_murmur2s_partition() {
        let mut p = Playground::new(1);
        p.reduce(Action::Line(Form::Topic, topic_create_line("orders", "3", "", "")));
        let send = SendForm {
            topic: "orders".into(),
            key: Some("Alice".into()),
            value: "v".into(),
            headers: "source=web".into(),
            value_format: kafka_sim::format::Format::String,
        };
        p.reduce(Action::Command(Form::Send, send.command(PRODUCER).unwrap().into()));
        let assign = Command::Assign {
            consumer: CONSUMER.into(),
            partitions: (0..3).map(|i| TopicPartition::new("orders", i)).collect(),
        };
        p.reduce(Action::Command(Form::Consumer, assign.into()));
        played(&mut p, 100);
        p.reduce(Action::Command(Form::Consumer, Command::Poll { consumer: CONSUMER.into() }.into()));
        played(&mut p, 100);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let view = p.sim.view();
        let consumer = view.clients.iter().find(|c| c.name == CONSUMER).unwrap();
        let (tp, record) = &consumer.received[0];
        // murmur2("Alice") % 3 == 0, cross-checked with kafka-python.
        assert_eq!((tp.partition, record.offset), (0, 0));
    }

    #[test]
    fn form_errors_stay_with_their_form_and_change_nothing() {
        let mut p = Playground::new(1);
        let before = p.script();
        p.reduce(Action::Line(Form::Topic, topic_create_line("bad name!", "1", "", "")));
        assert!(error_of(&p, Form::Topic).contains("INVALID_TOPIC_EXCEPTION"), "{:?}", p.errors);
        p.reduce(Action::Line(Form::Topic, topic_create_line("t", "1", "", "retention.ms=soon")));
        assert!(error_of(&p, Form::Topic).contains("retention.ms"), "{:?}", p.errors);
        assert_eq!(p.script(), before, "a refused command is not recorded");
        p.reduce(Action::Line(Form::Topic, topic_create_line("t", "1", "", "")));
        assert!(!p.errors.contains_key(&Form::Topic), "success clears the error");
    }

    #[test]
    fn playing_records_merged_advances_and_the_script_replays_to_the_same_state() {
        let mut p = Playground::new(9);
        p.reduce(Action::Line(Form::Topic, topic_create_line("t", "2", "", "")));
        p.reduce(Action::Command(
            Form::Send,
            SendForm { topic: "t".into(), value: "x".into(), ..Default::default() }.command(PRODUCER).unwrap().into(),
        ));
        p.reduce(Action::SetSpeed(Speed::Tenth));
        played(&mut p, 16);
        played(&mut p, 16);
        played(&mut p, 1000);
        p.reduce(Action::Step);
        let script = p.script();
        assert_eq!(script.matches("advance").count(), 1, "{script}");
        let replayed = Playground::from_scenario(&Scenario::parse(&script).unwrap()).unwrap();
        assert_eq!(replayed.sim.view(), p.sim.view());
        assert!(replayed.sim.now().ms > 103, "played 103 ms, then stepped past them");
    }

    #[test]
    fn a_link_reopens_the_same_session_and_a_bad_one_keeps_the_current() {
        let mut p = Playground::new(4);
        p.reduce(Action::Line(Form::Topic, topic_create_line("orders", "2", "", "")));
        p.reduce(Action::Tick { real_ms: 0 });
        let fragment = p.link();
        let mut other = Playground::new(1);
        other.reduce(Action::LoadLink(format!("#{fragment}")));
        assert_eq!(other.script(), p.script());
        assert_eq!(other.sim.view(), p.sim.view());
        let before = other.script();
        other.reduce(Action::LoadLink("#v1.broken!".into()));
        assert!(error_of(&other, Form::Script).contains("damaged"), "{:?}", other.errors);
        assert_eq!(other.script(), before, "the session is kept");
    }

    /// The first download has no share groups: their lines are refused, the session is kept, and
    /// the session with the line is kept as a link for the share-groups build, from the command
    /// bar, an applied script, a link and a recent session alike.
    #[test]
    fn a_share_groups_line_is_refused_and_kept_as_a_link_for_the_share_groups_build() {
        use kafka_sim::scenario::SHARE_GROUPS_LEFT_OUT;
        let mut p = Playground::new(4);
        p.reduce(Action::Line(Form::Topic, topic_create_line("jobs", "1", "", "")));
        let before = p.script();
        assert_eq!(p.share_elsewhere, None);
        p.reduce(Action::Line(Form::Command, "share-consumer w1 group.id=jobs".into()));
        if kafka_sim::SHARE_GROUPS {
            // An engine with share groups (the share-groups build) runs the line.
            assert_eq!((error_of(&p, Form::Command), &p.share_elsewhere), ("", &None));
            assert!(p.script().ends_with("share-consumer w1 group.id=jobs\n"), "{}", p.script());
            return;
        }
        assert!(error_of(&p, Form::Command).contains(SHARE_GROUPS_LEFT_OUT), "{:?}", p.errors);
        assert_eq!(p.script(), before, "the session is kept");
        let fragment = p.share_elsewhere.clone().expect("a link for the share-groups build");
        // The link holds the session and the line: here it is refused the same way, and kept as is.
        let mut other = Playground::new(1);
        other.reduce(Action::LoadLink(format!("#{fragment}")));
        assert!(error_of(&other, Form::Script).contains(SHARE_GROUPS_LEFT_OUT), "{:?}", other.errors);
        assert_eq!(other.share_elsewhere.as_deref(), Some(fragment.as_str()));
        assert_eq!(other.script(), Playground::new(1).script(), "the session is kept");
        let script = format!("{before}share-consumer w1 group.id=jobs\n");
        assert_eq!(fragment, link::encode_script(&script), "the session, then the refused line");
        let mut applied = Playground::new(1);
        applied.reduce(Action::LoadScript(script.clone()));
        assert_eq!(applied.share_elsewhere.as_deref(), Some(fragment.as_str()));
        let mut saved = Playground::new(1);
        saved.reduce(Action::OpenSaved(script));
        assert_eq!(saved.share_elsewhere.as_deref(), Some(fragment.as_str()));
        assert!(error_of(&saved, Form::Script).starts_with("This session could not be opened"));
    }

    #[test]
    fn the_script_editor_applies_or_names_the_line() {
        let mut p = Playground::new(1);
        p.reduce(Action::LoadScript("seed 2\ncluster brokers=1\nadvance 2s\n".into()));
        assert_eq!(p.sim.now().ms, 2_000);
        p.reduce(Action::LoadScript("seed 2\ncluster brokers=1\nadvance later\n".into()));
        assert!(error_of(&p, Form::Script).starts_with("line 3, column 9"), "{:?}", p.errors);
        assert_eq!(p.sim.now().ms, 2_000, "kept");
        p.reduce(Action::LoadScript("seed 2\ncluster brokers=1\ntopic create t replication-factor=3\n".into()));
        assert!(error_of(&p, Form::Script).starts_with("line 3: INVALID_REPLICATION_FACTOR"), "{:?}", p.errors);
    }

    #[test]
    fn checkpoints_turn_true_as_the_state_changes() {
        let mut p = Playground::new(1);
        p.reduce(Action::LoadScript("seed 1\ncluster brokers=3\nexpect topic orders partitions=3\n".into()));
        assert!(p.checkpoints()[0].result.is_err());
        p.reduce(Action::Line(Form::Topic, topic_create_line("orders", "3", "", "")));
        assert_eq!(p.checkpoints()[0].result, Ok(()));
    }

    #[test]
    fn a_lesson_goes_step_by_step_and_each_action_reaches_its_checkpoints() {
        let mut p = Playground::new(1);
        p.reduce(Action::LessonFetched(0, Ok(crate::lessons::source(0))));
        let steps = crate::lessons::lesson(0).unwrap().steps.len();
        for k in 0..steps {
            assert_eq!(p.lesson.map(|l| l.step), Some(k));
            assert!(p.lesson_checks().iter().any(|c| c.result.is_err()), "step {k} is not done before its action");
            p.reduce(Action::LessonPredict(0));
            p.reduce(Action::LessonDo);
            // The step's time plays on ticks, in a few real seconds at most.
            for _ in 0..(STEP_ADVANCE_REAL_MS_MAX / 100 + 2) {
                p.reduce(Action::Tick { real_ms: 100 });
            }
            assert!(p.step_playback.is_none() && p.lesson.is_some_and(|l| l.done), "step {k} played to its end");
            let failing: Vec<_> = p.lesson_checks().into_iter().filter(|c| c.result.is_err()).collect();
            assert!(failing.is_empty(), "step {k}: {failing:?}");
            p.reduce(Action::LessonNext);
        }
        assert_eq!(p.lesson, None, "past the last step the lesson ends");
        assert!(p.script().contains("broker stop 1"), "the learner's actions are the session's script");
    }

    #[test]
    fn skip_applies_the_rest_of_a_step_at_once_as_playing_it_would() {
        let run = |skip: bool| {
            let mut p = Playground::new(1);
            p.reduce(Action::LessonFetched(0, Ok(crate::lessons::source(0))));
            p.reduce(Action::LessonPredict(0));
            p.reduce(Action::LessonDo);
            p.reduce(Action::Tick { real_ms: 100 });
            assert!(p.lesson.is_some_and(|l| l.playing && !l.done), "the step is playing");
            if skip {
                p.reduce(Action::LessonSkip);
            }
            for _ in 0..200 {
                p.reduce(Action::Tick { real_ms: 100 });
            }
            assert!(p.step_playback.is_none() && p.lesson.is_some_and(|l| l.done && !l.playing));
            p.script()
        };
        assert_eq!(run(true), run(false), "skipping ends where playing ends");
    }

    #[test]
    fn a_lesson_or_scenario_that_could_not_be_fetched_says_so_and_keeps_the_session() {
        let mut p = Playground::new(1);
        p.reduce(Action::Line(Form::Topic, topic_create_line("orders", "2", "", "")));
        let before = p.script();
        p.reduce(Action::StartLesson(1));
        assert_eq!(error_of(&p, Form::Script), "The lesson 'topics' is not loaded.");
        p.reduce(Action::LessonFetched(1, Err("lessons/topics.lesson: HTTP 404".into())));
        assert_eq!(
            error_of(&p, Form::Script),
            "The lesson 'topics' could not be loaded: lessons/topics.lesson: HTTP 404. Your session is kept."
        );
        p.reduce(Action::LessonFetched(1, Ok("<html>not a lesson</html>".into())));
        assert!(
            error_of(&p, Form::Script)
                .starts_with("The lesson 'topics' could not be loaded: the lesson 'topics' does not parse: "),
            "{:?}",
            p.errors
        );
        p.reduce(Action::ScenarioFetched(0, Err("offline".into())));
        assert_eq!(
            error_of(&p, Form::Script),
            "The scenario 'first-steps' could not be loaded: offline. Your session is kept."
        );
        assert_eq!((p.script(), p.lesson), (before, None), "the session is kept");
        p.reduce(Action::ScenarioFetched(0, Ok("seed 3\ncluster brokers=3\n".into())));
        assert_eq!(p.script(), "seed 3\ncluster brokers=3\n");
    }

    #[test]
    fn a_comparison_follows_the_session_as_it_plays_and_says_what_differs() {
        let mut p = Playground::new(1);
        p.reduce(Action::LoadScript(
            include_str!("../../core/tests/scenarios/replication-acks1-loss.kafka").to_string(),
        ));
        p.reduce(Action::Compare("nobody acks=1".to_string()));
        assert_eq!(
            p.errors.get(&Form::Compare).map(String::as_str),
            Some("the session creates no producer, consumer or topic named nobody")
        );
        p.reduce(Action::Compare("p1 acks=all".to_string()));
        assert!(!p.errors.contains_key(&Form::Compare));
        let lost = |p: &Playground| {
            p.compare
                .as_ref()
                .unwrap()
                .summary()
                .into_iter()
                .find(|r| r.what == "acknowledged, then lost")
                .unwrap()
                .values
        };
        assert_eq!(lost(&p), [2, 0]);
        // Playing moves both runs with the session's clock.
        p.reduce(Action::Play);
        p.reduce(Action::Tick { real_ms: 500 });
        let c = p.compare.as_ref().unwrap();
        assert_eq!(c.runs[0].sim.now(), p.sim.now());
        assert_eq!(c.runs[1].sim.now(), p.sim.now());
        // A new session keeps comparing while the change still applies.
        p.reduce(Action::LoadScript("seed 1\ncluster brokers=1\nproducer p1 acks=1\n".to_string()));
        assert_eq!(p.compare.as_ref().map(|c| c.change.to_string()).as_deref(), Some("p1 acks=all"));
        p.reduce(Action::EndCompare);
        assert!(p.compare.is_none());
    }

    #[test]
    fn a_checkpoint_that_held_when_reached_stays_done_though_the_state_moved_on() {
        let mut p = Playground::new(1);
        p.reduce(Action::LoadScript(
            "seed 1\ncluster brokers=1\ntopic create t partitions=1\nproducer p linger.ms=0\nexpect partition t-0 hw=0\n\
             send p t value=a\nadvance 1s\nexpect partition t-0 hw=5\n"
                .into(),
        ));
        let results: Vec<bool> = p.checkpoints().iter().map(|c| c.result.is_ok()).collect();
        assert_eq!(results, vec![true, false], "hw=0 held at its line; hw=5 never held");
    }

    #[test]
    fn travelling_back_shows_the_past_and_acting_there_branches() {
        let mut p = Playground::new(1);
        p.reduce(Action::Line(Form::Topic, topic_create_line("t", "1", "", "")));
        p.reduce(Action::Line(Form::Send, "advance 10s".into()));
        p.reduce(Action::Line(Form::Send, "send producer-1 t value=late".into()));
        p.reduce(Action::Line(Form::Send, "advance 10s".into()));
        let end = p.sim.view();
        assert_eq!(p.length_ms(), 20_000);

        p.reduce(Action::TravelTo(4_000));
        assert_eq!(p.sim.now().ms, 4_000);
        assert!(p.future.is_some());
        assert_eq!(p.length_ms(), 20_000, "the future is kept");
        assert_eq!(p.sim.view().topics[0].partitions[0].log_end_offset, 0, "the record was not sent yet");

        p.reduce(Action::BackToNow);
        assert_eq!(p.sim.view(), end, "back to exactly the same state");

        p.reduce(Action::TravelTo(4_000));
        let before = p.script();
        p.reduce(Action::Line(Form::Send, "send producer-1 t value=instead".into()));
        assert!(p.future.is_none(), "a new branch");
        assert_eq!(p.branches.len(), 1, "the old future is kept");
        assert_eq!(crate::sessions::script(1, &p.branches[0].commands), before);
        assert_eq!(p.branches[0].split_ms, 4_000);
        p.reduce(Action::Line(Form::Send, "advance 1s".into()));
        assert_eq!(values(&p), ["instead"]);

        p.reduce(Action::SwitchBranch(0));
        assert_eq!(p.sim.now().ms, 4_000, "the other line, where it split");
        assert_eq!(p.script(), before);
        p.reduce(Action::BackToNow);
        assert_eq!(p.sim.view(), end, "the old future, exactly");
        assert_eq!(values(&p), ["late"]);
        assert_eq!(p.branches.len(), 1, "the line left is kept in its place");
        p.reduce(Action::SwitchBranch(0));
        p.reduce(Action::BackToNow);
        assert_eq!(values(&p), ["instead"]);
    }

    fn values(p: &Playground) -> Vec<String> {
        p.sim.view().topics[0].partitions[0]
            .records
            .iter()
            .map(|r| String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned())
            .collect()
    }

    /// A gallery scenario of the kind that lost its crash: records, then a broker stopped at 10 s.
    const WATCHED: &str = "seed 3
cluster brokers=3
topic create t partitions=1 replication-factor=3
producer p
send p t value=a
advance 10s
broker stop 1
send p t value=b
advance 12s
";

    #[test]
    fn an_opened_scenario_starts_at_its_beginning_and_playing_it_happens_as_scripted() {
        let scenario = Scenario::parse(WATCHED).unwrap();
        let end = Playground::from_scenario(&scenario).unwrap();
        let mut p = Playground::new(1);
        p.reduce(Action::ScenarioFetched(0, Ok(WATCHED.into())));
        assert_eq!(p.sim.now().ms, 0, "at its beginning");
        assert!(p.playing, "the clock runs");
        assert_eq!(p.length_ms(), 22_000, "its future ahead");
        assert_eq!(p.script(), end.script(), "the script shows all its lines");
        p.reduce(Action::Tick { real_ms: 9_000 });
        assert!(p.sim.view().brokers.iter().all(|b| b.alive), "not yet");
        p.reduce(Action::Tick { real_ms: 1_000 });
        assert!(!p.sim.view().brokers[0].alive, "the crash happens as the clock reaches it");
        p.reduce(Action::Tick { real_ms: 12_000 });
        assert_eq!(p.future, None);
        assert_eq!(p.script(), end.script(), "nothing of the script lost");
        assert_eq!(p.sim.view(), end.sim.view(), "the same end as running it at once");
        assert!(!p.edited, "watching is not changing");
        p.reduce(Action::Tick { real_ms: 1_000 });
        assert_eq!(p.sim.now().ms, 23_000, "and time goes on past the script's end");
    }

    #[test]
    fn a_tick_of_many_events_keeps_the_log_and_the_sequence_as_small_ticks_do() {
        // 10 simulated seconds of a busy topic: tens of thousands of events, far more than the
        // log and the sequence keep, in one tick or in ticks of 10 ms.
        let script = "seed 1\ncluster brokers=3\ntopic create t partitions=6 replication-factor=3\n\
            producer p linger.ms=0\nadvance 1s\ntraffic p t rate=400 keys=10\n\
            consumer c group.id=g\nsubscribe c t\nconsume c\n";
        let start = || Playground::from_scenario(&Scenario::parse(script).unwrap()).unwrap();
        let (mut one, mut many) = (start(), start());
        one.reduce(Action::Play);
        one.reduce(Action::SetSpeed(Speed::Hundred));
        one.reduce(Action::Tick { real_ms: 100 });
        many.reduce(Action::Play);
        for _ in 0..1_000 {
            many.reduce(Action::Tick { real_ms: 10 });
        }
        assert_eq!(one.sim.now(), many.sim.now());
        let log = |p: &Playground| p.log.iter().map(|l| l.text().to_string()).collect::<Vec<_>>();
        assert_eq!(one.log.len(), LOG_EVENTS_MAX);
        assert_eq!(log(&one), log(&many));
        assert_eq!((one.log_dropped, one.chatter_hidden), (many.log_dropped, many.chatter_hidden));
        let arrows = |p: &Playground| {
            let now = p.sim.now().ms;
            p.sequence
                .window(0, now, true, usize::MAX)
                .iter()
                .map(|a| (a.id, a.at_ms, a.text().to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(arrows(&one), arrows(&many));
        assert_eq!(one.sequence.dropped, many.sequence.dropped);
        assert_eq!(one.markers, many.markers);
    }

    #[test]
    fn scrubbing_back_and_playing_keeps_the_rest_of_the_script_and_step_stops_at_its_commands() {
        let mut p = Playground::from_scenario(&Scenario::parse(WATCHED).unwrap()).unwrap();
        let whole = p.script();
        p.reduce(Action::TravelTo(0));
        p.reduce(Action::Play);
        p.reduce(Action::Tick { real_ms: 4_000 });
        p.reduce(Action::Pause);
        assert_eq!(p.script(), whole, "playing in the past keeps the future");
        for _ in 0..1_000 {
            if p.sim.now().ms >= 10_000 {
                break;
            }
            p.reduce(Action::Step);
        }
        assert_eq!(p.sim.now().ms, 10_000, "a step lands on the script's command, not past it");
        assert!(!p.sim.view().brokers[0].alive);
        assert_eq!(p.script(), whole);
        assert!(p.branches.is_empty(), "no branch: nothing was done");
    }

    #[test]
    fn undo_takes_back_the_last_action_and_keeps_it_as_a_branch() {
        let mut p = Playground::new(1);
        assert!(!p.can_undo(), "the setup is not an action to undo");
        p.reduce(Action::Undo);
        assert!(error_of(&p, Form::Time).starts_with("nothing to undo"));
        p.reduce(Action::Line(Form::Topic, topic_create_line("t", "1", "", "")));
        p.reduce(Action::Line(Form::Send, "advance 2s".into()));
        p.reduce(Action::Line(Form::Send, "send producer-1 t value=oops".into()));
        p.reduce(Action::Line(Form::Send, "advance 3s".into()));
        let with = p.script();
        p.reduce(Action::Undo);
        assert_eq!(p.sim.now().ms, 2_000, "back to just before the send");
        assert_eq!(values(&p), Vec::<String>::new());
        assert!(!p.script().contains("oops"));
        assert_eq!(p.branches.len(), 1);
        assert_eq!(crate::sessions::script(1, &p.branches[0].commands), with, "nothing lost");
        p.reduce(Action::Undo);
        assert_eq!(p.sim.now().ms, 0, "then the topic");
        assert!(p.sim.view().topics.iter().all(|t| t.name != "t"));
        assert!(!p.can_undo());
    }

    #[test]
    fn the_autosave_keeps_the_whole_tree_and_where_it_was_looked_at() {
        let mut p = Playground::from_scenario(&Scenario::parse(WATCHED).unwrap()).unwrap();
        p.reduce(Action::TravelTo(5_000));
        p.reduce(Action::Line(Form::Faults, "broker stop 2".into()));
        p.reduce(Action::Line(Form::Time, "advance 1s".into()));
        p.reduce(Action::TravelTo(5_500));
        let saved = p.saved();
        let back = Playground::from_saved(&saved).unwrap();
        assert_eq!(back.sim.now().ms, 5_500);
        assert_eq!(back.script(), p.script());
        assert_eq!(back.branches, p.branches);
        assert_eq!(back.sim.view(), p.sim.view());
        assert_eq!(back.saved(), saved);
        assert!(Playground::from_saved("seed 1\n#@ at later\n").is_err());
    }

    #[test]
    fn a_running_clock_keeps_running_into_a_loaded_script() {
        let mut p = Playground::new(1);
        p.reduce(Action::Play);
        p.reduce(Action::LoadScript("seed 2\ncluster brokers=1\n".into()));
        assert!(p.playing, "an embed's load with autoplay, or an Apply while playing, goes on playing");
        p.reduce(Action::Pause);
        p.reduce(Action::LoadScript("seed 2\ncluster brokers=2\n".into()));
        assert!(!p.playing, "a paused page stays paused");
    }

    #[test]
    fn a_session_keeps_ten_branches_and_says_when_it_drops_the_oldest() {
        let mut p = Playground::new(1);
        p.reduce(Action::Line(Form::Time, "advance 1s".into()));
        for n in 0..=crate::sessions::BRANCHES_MAX {
            p.reduce(Action::TravelTo(500));
            p.reduce(Action::Line(Form::Topic, topic_create_line(&format!("t{n}"), "1", "", "")));
            p.reduce(Action::Line(Form::Time, "advance 1s".into()));
            assert_eq!(p.notice.is_some(), n == crate::sessions::BRANCHES_MAX, "after branch {n}");
        }
        assert_eq!(p.branches.len(), crate::sessions::BRANCHES_MAX);
        assert!(crate::sessions::script(1, &p.branches[0].commands).contains("t0"), "the first (no topic) line went");
    }

    #[test]
    fn a_replaced_session_goes_to_the_recent_list_only_if_it_was_changed() {
        let mut p = Playground::new(1);
        p.reduce(Action::Reset);
        assert_eq!(p.replaced, None, "an untouched session is not worth a place");
        p.reduce(Action::Line(Form::Topic, topic_create_line("kept", "1", "", "")));
        let mine = p.saved();
        p.reduce(Action::ScenarioFetched(0, Ok(WATCHED.into())));
        assert_eq!(p.replaced.as_deref(), Some(mine.as_str()));
        let mut again = Playground::new(2);
        again.reduce(Action::Play);
        again.reduce(Action::OpenSaved(mine.clone()));
        assert_eq!(again.saved(), mine, "and comes back from it as it was");
        assert!(!again.playing, "paused, where it was left");
    }

    #[test]
    fn jumps_back_and_forth_land_in_the_same_state_as_playing_to_there() {
        let mut script =
            String::from("seed 3\ncluster brokers=3\ntopic create t partitions=3 replication-factor=3\nproducer p\n");
        for i in 0..300 {
            script.push_str(&format!("send p t key=k{} value=v{i}\n", i % 7));
            if i % 10 == 9 {
                script.push_str("advance 100ms\n");
            }
        }
        let mut p = Playground::new(1);
        p.reduce(Action::LoadScript(script.clone()));
        for target in [50, 1_234, 2_950, 3_000, 0] {
            p.reduce(Action::TravelTo(target));
            // The same point reached by opening the script at its beginning and playing to it.
            let mut fresh = Playground::new(1);
            fresh.reduce(Action::LoadScript(script.clone()));
            fresh.reduce(Action::TravelTo(0));
            fresh.reduce(Action::Play);
            fresh.reduce(Action::Tick { real_ms: target });
            assert_eq!(p.sim.view(), fresh.sim.view(), "at {target} ms");
            assert_eq!(p.script(), fresh.script(), "at {target} ms");
            p.reduce(Action::BackToNow);
        }
    }

    #[test]
    fn pausing_stops_time() {
        let mut p = Playground::new(1);
        p.reduce(Action::Tick { real_ms: 500 });
        assert_eq!(p.sim.now().ms, 0);
    }

    #[test]
    fn stepping_moves_to_the_next_scheduled_time() {
        let mut p = Playground::new(1);
        let next = p.sim.next_event_at().expect("brokers heartbeat");
        p.reduce(Action::Step);
        assert_eq!(p.sim.now(), next);
        assert!(p.errors.is_empty());
    }

    #[test]
    fn stepping_with_nothing_scheduled_says_so() {
        let mut p = Playground::from_scenario(&Scenario::parse("seed 1").unwrap()).unwrap();
        p.reduce(Action::Step);
        assert!(error_of(&p, Form::Time).contains("idle"));
    }

    #[test]
    fn headers_must_be_name_value_pairs() {
        let form = SendForm { topic: "t".into(), headers: "oops".into(), ..Default::default() };
        assert!(form.command(PRODUCER).unwrap_err().contains("name=value"));
    }
}
