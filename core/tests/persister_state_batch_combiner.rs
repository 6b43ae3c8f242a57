//! Kafka's `PersisterStateBatchCombinerTest`, every case as Kafka writes it (its four parameterised
//! tests, named after them, each running the cases of its generator): the share coordinator's merge
//! of state batches (`group::share_combine`).

use kafka_sim::group::share_combine::{combine_state_batches, StateBatch};

type Case =
    (&'static str, &'static str, &'static [StateBatch], &'static [StateBatch], &'static [StateBatch], Option<u64>);

/// (generator, Kafka's case name, batches so far, new batches, expected, start offset; `None` is -1).
#[rustfmt::skip]
const CASES: &[Case] = &[
        ("generatorCornerCases", "Current batches with start offset midway are pruned.", &[(100, 130, 0, 1)], &[], &[(120, 130, 0, 1)], Some(120)),
        ("generatorCornerCases", "New batches with start offset midway are pruned.", &[], &[(100, 130, 0, 1)], &[(120, 130, 0, 1)], Some(120)),
        ("generatorCornerCases", "Both current and new batches empty.", &[], &[], &[], Some(120)),
        ("generatorCornerCases", "Null current and new batches are treated as empty.", &[], &[], &[], None),
        ("generatorCornerCases", "Duplicate equal batches ending before a later batch do not fill the gap.", &[(100, 110, 0, 1)], &[(100, 110, 0, 1), (120, 130, 2, 1)], &[(100, 110, 0, 1), (120, 130, 2, 1)], None),
        ("generatorCornerCases", "Duplicate state-2 batches ending before a later state-0 batch do not fill the gap.", &[(0, 5, 2, 1)], &[(0, 5, 2, 1), (11, 15, 0, 1)], &[(0, 5, 2, 1), (11, 15, 0, 1)], None),
        ("generatorCornerCases", "Duplicate state-0 batches ending before a later state-0 batch do not fill the gap.", &[(0, 5, 0, 1)], &[(0, 5, 0, 1), (11, 15, 0, 1)], &[(0, 5, 0, 1), (11, 15, 0, 1)], None),
        ("generatorSameState", "Same state. batchSoFar and newBatch have same first and last offset.", &[(100, 110, 0, 1)], &[(100, 110, 0, 1)], &[(100, 110, 0, 1)], None),
        ("generatorSameState", "Same state. batchSoFar and newBatch have same first offset, newBatch last offset strictly smaller.", &[(100, 110, 0, 1)], &[(100, 105, 0, 1)], &[(100, 110, 0, 1)], None),
        ("generatorSameState", "Same state. batchSoFar and newBatch have same first offset, newBatch last offset strictly larger.", &[(100, 110, 0, 1)], &[(100, 115, 0, 1)], &[(100, 115, 0, 1)], None),
        ("generatorSameState", "Same state. newBatch first offset strictly larger and last offset strictly smaller than batchSoFar.", &[(100, 110, 0, 1)], &[(105, 108, 0, 1)], &[(100, 110, 0, 1)], None),
        ("generatorSameState", "Same state. newBatch first offset strictly larger and last offset equal to batchSoFar.", &[(100, 110, 0, 1)], &[(105, 110, 0, 1)], &[(100, 110, 0, 1)], None),
        ("generatorSameState", "Same state. newBatch first offset strictly larger and last offset strictly larger than batchSoFar.", &[(100, 110, 0, 1)], &[(105, 115, 0, 1)], &[(100, 115, 0, 1)], None),
        ("generatorSameState", "Same state. newBatch first offset is batchSoFar first offset + 1 (contiguous).", &[(100, 110, 0, 1)], &[(111, 115, 0, 1)], &[(100, 115, 0, 1)], None),
        ("generatorComplex", "Handle overlapping batches in newBatches, same state", &[(100, 110, 0, 1), (121, 130, 0, 1)], &[(111, 119, 2, 2), (116, 123, 2, 2)], &[(100, 110, 0, 1), (111, 123, 2, 2), (124, 130, 0, 1)], None),
        ("generatorComplex", "Handle overlapping batches in newBatches, different priority.", &[(100, 110, 0, 1)], &[(101, 105, 1, 2), (101, 115, 2, 2), (101, 120, 3, 2)], &[(100, 100, 0, 1), (101, 120, 3, 2)], None),
        ("generatorComplex", "Handle overlapping batches in newBatches, with pruning.", &[(100, 110, 0, 1), (121, 130, 0, 1)], &[(111, 119, 2, 2), (116, 123, 2, 2)], &[(120, 123, 2, 2), (124, 130, 0, 1)], Some(120)),
        ("generatorComplex", "Multiple higher state batch updates.", &[(111, 120, 0, 1)], &[(111, 113, 0, 2), (114, 114, 2, 1), (115, 119, 0, 2)], &[(111, 113, 0, 2), (114, 114, 2, 1), (115, 119, 0, 2), (120, 120, 0, 1)], None),
        ("generatorDifferentStates", "newBatch higher state. newBatch first offset and last offset match batchSoFar.", &[(100, 110, 0, 1)], &[(100, 110, 0, 2)], &[(100, 110, 0, 2)], None),
        ("generatorDifferentStates", "newBatch lower state. newBatch first offset and last offset match batchSoFar.", &[(100, 110, 0, 3)], &[(100, 110, 0, 1)], &[(100, 110, 0, 3)], None),
        ("generatorDifferentStates", "newBatch higher state. newBatch first offset same and last offset smaller than batchSoFar.", &[(100, 110, 0, 1)], &[(100, 105, 0, 2)], &[(100, 105, 0, 2), (106, 110, 0, 1)], None),
        ("generatorDifferentStates", "newBatch lower state. newBatch first offset same and last offset smaller than batchSoFar.", &[(100, 110, 0, 3)], &[(100, 105, 0, 1)], &[(100, 110, 0, 3)], None),
        ("generatorDifferentStates", "newBatch higher state. newBatch first offset same and last offset strictly larger than batchSoFar.", &[(100, 110, 0, 1)], &[(100, 115, 0, 2)], &[(100, 115, 0, 2)], None),
        ("generatorDifferentStates", "newBatch lower state. newBatch first offset same and last offset strictly larger than batchSoFar.", &[(100, 110, 0, 3)], &[(100, 115, 0, 1)], &[(100, 110, 0, 3), (111, 115, 0, 1)], None),
        ("generatorDifferentStates", "newBatch higher state. newBatch first offset strictly larger and last offset strictly smaller than batchSoFar.", &[(100, 115, 0, 1)], &[(105, 110, 1, 1)], &[(100, 104, 0, 1), (105, 110, 1, 1), (111, 115, 0, 1)], None),
        ("generatorDifferentStates", "newBatch lower state. newBatch first offset strictly larger and last offset strictly smaller than batchSoFar.", &[(100, 115, 1, 1)], &[(105, 110, 0, 1)], &[(100, 115, 1, 1)], None),
        ("generatorDifferentStates", "newBatch higher state. newBatch first offset strictly larger and last offset same as batchSoFar.", &[(100, 110, 0, 1)], &[(105, 110, 0, 2)], &[(100, 104, 0, 1), (105, 110, 0, 2)], None),
        ("generatorDifferentStates", "newBatch lower state. newBatch first offset strictly larger and last offset same as batchSoFar.", &[(100, 110, 0, 2)], &[(105, 110, 0, 1)], &[(100, 110, 0, 2)], None),
        ("generatorDifferentStates", "newBatch higher state. newBatch first and last offsets strictly larger than batchSoFar.", &[(100, 110, 0, 1)], &[(105, 115, 0, 2)], &[(100, 104, 0, 1), (105, 115, 0, 2)], None),
        ("generatorDifferentStates", "newBatch lower state. newBatch first and last offsets strictly larger than batchSoFar.", &[(100, 110, 0, 2)], &[(105, 115, 0, 1)], &[(100, 110, 0, 2), (111, 115, 0, 1)], None),
];

fn run(generator: &str) {
    let cases: Vec<&Case> = CASES.iter().filter(|c| c.0 == generator).collect();
    assert!(!cases.is_empty(), "{generator} has cases");
    for (_, name, so_far, new, expected, start) in cases {
        assert_eq!(combine_state_batches(so_far, new, *start), expected.to_vec(), "{name}");
    }
}

#[test]
fn test_state_batch_combine_different_states() {
    run("generatorDifferentStates");
}

#[test]
fn test_state_batch_combine_same_state() {
    run("generatorSameState");
}

#[test]
fn test_state_batch_combine_complex_cases() {
    run("generatorComplex");
}

#[test]
fn test_state_batch_combine_corner_cases() {
    run("generatorCornerCases");
}
