//! A hierarchical timing wheel (filled by the time issue).
