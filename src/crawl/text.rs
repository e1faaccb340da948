//! Small text helpers shared by the extraction pipelines and chunk classification.

/// `parts` that are not empty, joined with `separator`.
pub fn join_nonempty(parts: &[&str], separator: &str) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(separator)
}
