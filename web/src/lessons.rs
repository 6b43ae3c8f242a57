//! The guided lessons, built in (their text is in `lessons/`; `core/tests/lessons.rs`
//! proves every checkpoint reachable by doing the steps).

use kafka_sim::lesson::Lesson;

/// Every lesson's source, in teaching order.
pub const LESSONS: &[&str] = &[
    include_str!("../../lessons/replication.lesson"),
    include_str!("../../lessons/acks.lesson"),
    include_str!("../../lessons/transactions.lesson"),
];

/// Lesson `i`, parsed (the sources are checked by tests, so a failure here is a defect).
pub fn lesson(i: usize) -> Option<Lesson> {
    LESSONS.get(i).and_then(|text| Lesson::parse(text).ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_built_in_lesson_parses() {
        for i in 0..super::LESSONS.len() {
            assert!(super::lesson(i).is_some(), "lesson {i}");
        }
    }
}
