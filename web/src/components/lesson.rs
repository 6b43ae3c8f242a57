//! A guided lesson, one step at a time: the explanation, the action to take (a
//! button that applies the step's script lines), the checkpoints that confirm
//! it, and what to notice once they hold.

use crate::state::{Action, CheckpointView, LessonProgress};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub progress: LessonProgress,
    pub checks: Vec<CheckpointView>,
    pub dispatch: Callback<Action>,
}

/// A plain function: drawn with the page, whose every change it follows.
pub fn lesson_panel(p: &Props) -> Html {
    let Some(lesson) = crate::lessons::lesson(p.progress.index) else {
        return html! {};
    };
    let Some(step) = lesson.steps.get(p.progress.step) else {
        return html! {};
    };
    let passed = !p.checks.is_empty() && p.checks.iter().all(|c| c.result.is_ok());
    // A step that asks first: the action waits for a prediction.
    let must_predict = step.predict.is_some() && p.progress.predicted.is_none();
    let last = p.progress.step + 1 == lesson.steps.len();
    let on = |action: Action| {
        let d = p.dispatch.clone();
        Callback::from(move |_| d.emit(action.clone()))
    };
    html! {
        <section class="panel wide lesson" aria-labelledby="lesson-h" data-testid="lesson">
            <h2 id="lesson-h">{ &lesson.title }</h2>
            <p class="muted" data-testid="lesson-step">{ format!("Step {} of {}: {}", p.progress.step + 1, lesson.steps.len(), step.title) }</p>
            { for step.explain.iter().map(|para| html! { <p>{ para }</p> }) }
            if let Some(q) = &step.predict {
                <div class="predict" data-testid="lesson-predict">
                    <p><b>{ "Predict: " }</b>{ &q.question }</p>
                    <p>
                        { for q.choices.iter().enumerate().map(|(i, c)| html! {
                            <button onclick={on(Action::LessonPredict(i))} disabled={p.progress.predicted.is_some()}
                                class={classes!((p.progress.predicted == Some(i)).then_some("chosen"))} data-testid={format!("lesson-choice-{i}")}>
                                { c }
                            </button>
                        }) }
                    </p>
                    if let (Some(chosen), true) = (p.progress.predicted, p.progress.done) {
                        <p class={classes!("verdict", (chosen == q.answer).then_some("right"))} data-testid="lesson-verdict">
                            { if chosen == q.answer { "Right. ".to_string() } else { format!("Not quite: the answer is {}. ", q.choices[q.answer]) } }
                            { q.why.join(" ") }
                        </p>
                    }
                </div>
            }
            if !step.actions.is_empty() {
                <p>
                    <button class="primary" onclick={on(Action::LessonDo)} disabled={p.progress.done || p.progress.playing || must_predict} data-testid="lesson-do"
                        title="applies these lines to the session, as if you had typed them, its time played so you see it happen">
                        { if p.progress.playing { "Playing: " } else { "Do it: " } }<code>{ step.actions.join("; ") }</code>
                    </button>
                    if p.progress.playing {
                        { " " }
                        <button onclick={on(Action::LessonSkip)} data-testid="lesson-skip" title="the rest of the action at once, without playing its time">{ "Skip" }</button>
                    }
                </p>
            }
            // Before the prediction the checkpoints would give the answer away (a step's state may
            // already hold): they show once the learner has chosen.
            if must_predict {
                <p class="muted" data-testid="lesson-checks-hidden">{ "The checkpoints show once you have predicted." }</p>
            } else {
                { super::script::checklist(&p.checks, "lesson-checks") }
            }
            if passed && !must_predict {
                { for step.notice.iter().map(|n| html! { <p class="notice" data-testid="lesson-notice">{ "Notice: " }{ n }</p> }) }
            }
            <p>
                <button onclick={on(Action::LessonNext)} disabled={!passed || p.progress.playing} data-testid="lesson-next">
                    { if last { "Finish the lesson" } else { "Next step" } }
                </button>
                { " " }
                <button onclick={on(Action::EndLesson)} data-testid="lesson-end">{ "Leave the lesson" }</button>
                { " " }
                if let Some(name) = crate::lessons::LESSONS.get(p.progress.index) {
                    <a href={format!("?lesson={name}")} data-testid="lesson-link" title="a link that opens this lesson from its first step">{ "Link to this lesson" }</a>
                }
            </p>
        </section>
    }
}
