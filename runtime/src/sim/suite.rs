//! Running the ordinary test suite under the simulation flavor (issue 19's acceptance: every
//! test that needs no real threads, sockets or wall time passes under 20 seeds).
//!
//! `RUNTIME_TEST_FLAVOR=simulation` turns it on; `RUNTIME_SIM_SEEDS` (default 20) and
//! `RUNTIME_SIM_SEED_INDEX` (default 0) say which seeds (`seed_for(index)`, from that
//! index); `RUNTIME_SEED` replays one seed. Two ways in:
//!
//! - a plain `#[runtime::test]` (current-thread, no `no_simulation`) runs its body under
//!   every seed in one process (`__private::suite_check`);
//! - with the crate feature `sim-suite` (CI only), `Builder::new_current_thread().build()`
//!   builds a simulation runtime seeded with `RUNTIME_SEED`, or else with the seed of
//!   `RUNTIME_SIM_SEED_INDEX`: tests that build their own runtimes run under one seed per
//!   process, and CI runs them once per seed index (`.ci/sim-suite`).

/// The suite's simulation settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Suite {
    pub(crate) first_index: u64,
    pub(crate) seeds: u64,
}

impl Default for Suite {
    fn default() -> Suite {
        Suite {
            first_index: 0,
            seeds: 20,
        }
    }
}

/// The settings from the environment; `None` when the suite is not run under simulation.
/// Panics naming a bad value (a CI misconfiguration, not user input at run time).
pub(crate) fn settings() -> Option<Suite> {
    let var = |name| std::env::var(name).ok();
    parse(
        var("RUNTIME_TEST_FLAVOR").as_deref(),
        var("RUNTIME_SIM_SEEDS").as_deref(),
        var("RUNTIME_SIM_SEED_INDEX").as_deref(),
    )
}

fn parse(flavor: Option<&str>, seeds: Option<&str>, index: Option<&str>) -> Option<Suite> {
    match flavor.map(str::trim) {
        None | Some("" | "current_thread") => return None,
        Some("simulation") => {}
        Some(other) => panic!(
            "RUNTIME_TEST_FLAVOR={other:?}: expected \"simulation\" (or unset) to run the test \
             suite under the simulation flavor"
        ),
    }
    let number = |name: &str, text: Option<&str>, default: u64, min: u64| match text.map(str::trim)
    {
        None | Some("") => default,
        Some(text) => match text.parse::<u64>() {
            Ok(n) if n >= min => n,
            _ => panic!("{name}={text:?}: expected a whole number of at least {min}"),
        },
    };
    Some(Suite {
        first_index: number("RUNTIME_SIM_SEED_INDEX", index, 0, 0),
        seeds: number("RUNTIME_SIM_SEEDS", seeds, 20, 1),
    })
}

/// The seed a current-thread builder uses when the suite runs under simulation with the
/// `sim-suite` feature: `RUNTIME_SEED` if set, else `seed_for(RUNTIME_SIM_SEED_INDEX)`.
#[cfg(feature = "sim-suite")]
pub(crate) fn builder_seed() -> Option<u64> {
    let suite = settings()?;
    if let Ok(text) = std::env::var("RUNTIME_SEED") {
        return Some(super::runner::parse_seed(&text).unwrap_or_else(|bad| {
            panic!("RUNTIME_SEED={bad:?} is not a seed: expected a decimal or 0x-prefixed hex u64")
        }));
    }
    Some(super::seed_for(suite.first_index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suite_runs_under_simulation_only_when_asked_with_20_seeds_from_index_0_by_default() {
        assert_eq!(parse(None, Some("5"), None), None);
        assert_eq!(parse(Some("current_thread"), None, None), None);
        assert_eq!(
            parse(Some("simulation"), None, None),
            Some(Suite::default())
        );
        assert_eq!(
            parse(Some("simulation"), Some(" 1 "), Some("7")),
            Some(Suite {
                first_index: 7,
                seeds: 1
            })
        );
        assert!(std::panic::catch_unwind(|| parse(Some("simulation"), Some("0"), None)).is_err());
        assert!(std::panic::catch_unwind(|| parse(Some("sim"), None, None)).is_err());
        assert!(std::panic::catch_unwind(|| parse(Some("simulation"), None, Some("x"))).is_err());
    }
}
