//! The guided lessons, built in (their text is in `lessons/`; `core/tests/lessons.rs`
//! proves every checkpoint reachable by doing the steps).

use kafka_sim::lesson::Lesson;

/// Every lesson in teaching order: its name in links (`?lesson=NAME`, the file's
/// name) and its source.
pub const LESSONS: &[(&str, &str)] = &[
    ("kraft", include_str!("../../lessons/kraft.lesson")),
    ("topics", include_str!("../../lessons/topics.lesson")),
    ("replication", include_str!("../../lessons/replication.lesson")),
    ("acks", include_str!("../../lessons/acks.lesson")),
    ("partitioning", include_str!("../../lessons/partitioning.lesson")),
    ("batching", include_str!("../../lessons/batching.lesson")),
    ("idempotence", include_str!("../../lessons/idempotence.lesson")),
    ("fetching", include_str!("../../lessons/fetching.lesson")),
    ("groups", include_str!("../../lessons/groups.lesson")),
    ("offsets", include_str!("../../lessons/offsets.lesson")),
    ("delivery", include_str!("../../lessons/delivery.lesson")),
    ("transactions", include_str!("../../lessons/transactions.lesson")),
    ("retention", include_str!("../../lessons/retention.lesson")),
    ("operating", include_str!("../../lessons/operating.lesson")),
];

thread_local! {
    /// Every lesson parsed once: the page asks for lessons on every render.
    static PARSED: Vec<Option<Lesson>> = LESSONS.iter().map(|(_, text)| Lesson::parse(text).ok()).collect();
}

/// Lesson `i`, parsed (the sources are checked by tests, so a failure here is a defect).
pub fn lesson(i: usize) -> Option<Lesson> {
    PARSED.with(|all| all.get(i).cloned().flatten())
}

/// Lesson `i`'s title, without copying the lesson.
pub fn title(i: usize) -> Option<String> {
    PARSED.with(|all| all.get(i).and_then(|l| l.as_ref()).map(|l| l.title.clone()))
}

/// The index of the lesson a link names.
pub fn by_name(name: &str) -> Option<usize> {
    LESSONS.iter().position(|(n, _)| *n == name)
}

/// Lesson names, for an error that lists them.
pub fn names() -> String {
    LESSONS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_lesson_file_is_built_in_under_its_file_name() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let mut built_in: Vec<String> = super::LESSONS.iter().map(|(n, _)| n.to_string()).collect();
        built_in.sort();
        assert_eq!(files, built_in, "lessons/ and LESSONS differ");
    }

    #[test]
    fn every_built_in_lesson_parses() {
        for i in 0..super::LESSONS.len() {
            assert!(super::lesson(i).is_some(), "lesson {i}");
        }
    }
}
