//! Tasks: spawning, joining, cancelling, and the cooperative budget.
pub mod coop;
