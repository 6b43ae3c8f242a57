//! The guided lessons: their names are built in, their titles come with the gallery's index
//! (`static/gallery.txt`, `lesson:NAME<TAB>title<TAB>-` lines); their text (in `lessons/`,
//! served beside the page) is fetched when a lesson is first opened and parsed once, so the
//! page's first download does not carry every lesson. `core/tests/lessons.rs` proves every
//! checkpoint reachable by doing the steps.

use kafka_sim::lesson::Lesson;
use std::cell::RefCell;

/// Every lesson in teaching order, by its name in links (`?lesson=NAME`, the file's name in
/// `lessons/`). Its title is the file's `#! lesson` line, and the index's (a test keeps them the same).
pub const LESSONS: &[&str] = &[
    "kraft",
    "topics",
    "replication",
    "acks",
    "partitioning",
    "batching",
    "idempotence",
    "fetching",
    "groups",
    "consumer-protocol",
    "share-groups",
    "offsets",
    "delivery",
    "transactions",
    "retention",
    "operating",
];

thread_local! {
    /// The lessons fetched so far, parsed: the page asks for the current lesson on every render.
    static LOADED: RefCell<Vec<Option<Lesson>>> = RefCell::new(vec![None; LESSONS.len()]);
}

/// Lesson `i`, if its text has been fetched.
pub fn lesson(i: usize) -> Option<Lesson> {
    LOADED.with(|all| all.borrow().get(i).cloned().flatten())
}

/// Whether lesson `i` uses share groups, which only the page's share-groups build has.
pub fn needs_share_groups(i: usize) -> bool {
    LESSONS.get(i).is_some_and(|name| name.starts_with("share"))
}

/// Whether lesson `i`'s text is here already (no fetch needed).
pub fn is_loaded(i: usize) -> bool {
    LOADED.with(|all| all.borrow().get(i).is_some_and(Option::is_some))
}

/// Keeps lesson `i` from its fetched text; the error says which lesson did not parse.
pub fn store(i: usize, text: &str) -> Result<(), String> {
    let name = LESSONS.get(i).ok_or_else(|| format!("there is no lesson {}", i + 1))?;
    let lesson = Lesson::parse(text).map_err(|e| format!("the lesson '{name}' does not parse: {e}"))?;
    LOADED.with(|all| all.borrow_mut()[i] = Some(lesson));
    Ok(())
}

/// Where lesson `i`'s text is served, relative to the page.
pub fn address(i: usize) -> Option<String> {
    LESSONS.get(i).map(|name| format!("lessons/{name}.lesson"))
}

/// The index of the lesson a link names.
pub fn by_name(name: &str) -> Option<usize> {
    LESSONS.iter().position(|n| *n == name)
}

/// Lesson names, for an error that lists them.
pub fn names() -> String {
    LESSONS.join(", ")
}

/// Lesson `i`'s file, for native tests (the page fetches it instead).
#[cfg(test)]
pub fn source(i: usize) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons");
    std::fs::read_to_string(dir.join(format!("{}.lesson", LESSONS[i]))).expect("a lesson file")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_lesson_file_is_listed_under_its_file_name() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        kafka_sim::sort::sort(&mut files);
        let mut listed: Vec<String> = super::LESSONS.iter().map(|n| n.to_string()).collect();
        kafka_sim::sort::sort(&mut listed);
        assert_eq!(files, listed, "lessons/ and LESSONS differ");
    }

    #[test]
    fn every_lesson_parses_and_is_listed_with_its_own_title() {
        let index = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../static/gallery.txt")).unwrap();
        for (i, name) in super::LESSONS.iter().enumerate() {
            let title = crate::gallery::about(&index, &format!("lesson:{name}")).map(|(title, _)| title);
            assert!(!super::is_loaded(i), "{name} is loaded before it is stored");
            if super::needs_share_groups(i) && !kafka_sim::SHARE_GROUPS {
                // Only the share-groups build opens it; here it is refused as such.
                let e = super::store(i, &super::source(i)).unwrap_err();
                assert!(e.contains(kafka_sim::scenario::SHARE_GROUPS_LEFT_OUT), "{e}");
                continue;
            }
            super::store(i, &super::source(i)).unwrap();
            let lesson = super::lesson(i).unwrap_or_else(|| panic!("{name} stored but not kept"));
            assert_eq!(Some(lesson.title.as_str()), title, "the title static/gallery.txt gives {name}");
        }
    }

    #[test]
    fn a_lesson_that_does_not_parse_is_refused_with_its_name() {
        let e = super::store(3, "cluster brokers=1\n").unwrap_err();
        assert!(e.starts_with("the lesson 'acks' does not parse: "), "{e}");
        assert!(!super::is_loaded(3), "a lesson that did not parse is not kept");
        assert_eq!(super::store(99, "").unwrap_err(), "there is no lesson 100");
        assert_eq!(super::address(3).as_deref(), Some("lessons/acks.lesson"));
    }
}
