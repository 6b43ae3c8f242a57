//! Embed options from the page's query string, for `<iframe>`s in tutorials:
//! `?embed&view=cluster,events&autoplay&speed=10&readonly&origin=https://example.com`.
//! Pure parsing, tested natively; the browser layer applies them.

use crate::state::Speed;

/// The views a page can show, by the names `view=` takes.
pub const VIEWS: &[&str] = &[
    "stage",
    "inspector",
    "cluster",
    "messages",
    "network",
    "topic",
    "produce",
    "consume",
    "groups",
    "partitions",
    "events",
    "checkpoints",
    "script",
    "lesson",
    "compare",
    "sequence",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbedOptions {
    pub embedded: bool,
    /// Views to show; empty means all.
    pub views: Vec<String>,
    pub autoplay: bool,
    /// `new`: with nothing saved, start with an empty cluster instead of the working example a
    /// first visit shows (a saved session still opens).
    pub fresh: bool,
    pub speed: Option<Speed>,
    /// No controls that change the session (time controls stay).
    pub readonly: bool,
    /// Origins whose postMessage commands are obeyed; none means the API is off.
    pub origins: Vec<String>,
    /// A built-in lesson to start (`lesson=NAME`), by its index.
    pub lesson: Option<usize>,
    /// A comparison to open (`compare=p%20acks%3D1`), checked against the session when applied.
    pub compare: Option<String>,
    /// `bench`: each playback tick is measured with User Timing (`kp-update`: from the tick to
    /// the page updated; `kp-render`: the browser's style, layout and paint of the next frame;
    /// `kp-painted`: from the tick until that frame is drawn) for the browser benchmark; off
    /// otherwise, as measures accumulate.
    pub bench: bool,
    /// What was not understood, to show instead of silently ignoring.
    pub problems: Vec<String>,
}

impl EmbedOptions {
    pub fn parse(query: &str) -> EmbedOptions {
        let mut o = EmbedOptions {
            embedded: false,
            views: Vec::new(),
            autoplay: false,
            fresh: false,
            speed: None,
            readonly: false,
            origins: Vec::new(),
            lesson: None,
            compare: None,
            bench: false,
            problems: Vec::new(),
        };
        for pair in query.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value);
            match key {
                "embed" => o.embedded = true,
                "autoplay" => o.autoplay = true,
                "new" => o.fresh = true,
                "readonly" => o.readonly = true,
                "bench" => o.bench = true,
                "view" => {
                    for v in value.split(',').filter(|v| !v.is_empty()) {
                        if VIEWS.contains(&v) {
                            o.views.push(v.to_string());
                        } else {
                            o.problems.push(format!("unknown view '{v}' (views: {})", VIEWS.join(", ")));
                        }
                    }
                }
                "speed" => match Speed::ALL.iter().find(|s| s.label().trim_end_matches('×') == value) {
                    Some(s) => o.speed = Some(*s),
                    None => o.problems.push(format!("unknown speed '{value}' (0.01, 0.1, 1, 10 or 100)")),
                },
                "lesson" => match crate::lessons::by_name(&value) {
                    Some(i) => o.lesson = Some(i),
                    None => o.problems.push(format!("unknown lesson '{value}' (lessons: {})", crate::lessons::names())),
                },
                "compare" => o.compare = Some(value),
                "origin" => o.origins.extend(value.split(',').filter(|v| !v.is_empty()).map(str::to_string)),
                other => o.problems.push(format!("unknown option '{other}'")),
            }
        }
        o
    }

    pub fn shows(&self, view: &str) -> bool {
        self.views.is_empty() || self.views.iter().any(|v| v == view)
    }

    pub fn allows(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == origin)
    }
}

/// Percent-decoding for query values (`%2C`, `%3A`, `+`).
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            // Hex digits read as bytes: slicing the text could cut a character in two.
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lesson_by_name_and_an_unknown_one() {
        let o = EmbedOptions::parse("?embed&lesson=acks&view=lesson,cluster");
        assert_eq!(o.lesson, crate::lessons::by_name("acks"));
        assert!(o.lesson.is_some() && o.problems.is_empty());
        let o = EmbedOptions::parse("?lesson=quantum");
        assert_eq!(o.lesson, None);
        assert!(o.problems[0].starts_with("unknown lesson 'quantum' (lessons: kraft, topics,"), "{:?}", o.problems);
    }

    #[test]
    fn a_percent_before_a_multibyte_character_is_kept() {
        assert_eq!(decode("%a\u{e9}x%41"), "%a\u{e9}xA");
    }

    #[test]
    fn a_tutorial_iframe_query() {
        let o = EmbedOptions::parse(
            "?embed&view=cluster,events&autoplay&speed=10&readonly&origin=https%3A%2F%2Fexample.com",
        );
        assert!(o.embedded && o.autoplay && o.readonly);
        assert_eq!(o.views, ["cluster", "events"]);
        assert_eq!(o.speed, Some(Speed::Ten));
        assert!(o.allows("https://example.com"));
        assert!(!o.allows("https://evil.example"));
        assert!(o.shows("cluster") && !o.shows("script"));
        assert!(o.problems.is_empty(), "{:?}", o.problems);
    }

    #[test]
    fn nothing_set_shows_everything_and_obeys_no_one() {
        let o = EmbedOptions::parse("");
        assert!(!o.embedded && o.shows("script"));
        assert!(!o.allows("https://example.com"));
    }

    #[test]
    fn unknown_options_are_reported_not_ignored() {
        let o = EmbedOptions::parse("?view=clustr&speed=3&zoom=2");
        assert_eq!(o.problems.len(), 3, "{:?}", o.problems);
        assert!(o.problems[0].contains("unknown view 'clustr'"));
    }
}
