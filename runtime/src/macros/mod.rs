//! Declarative macros: `join!`, `try_join!`, `select!`, `pin!` (filled by the macros issue).
