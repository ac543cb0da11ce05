//! What the rest of the crate reads from a simulation through the engine's door: a run's
//! trace ([`SimTrace`]) and draws from the user stream (`runtime::sim::rand`).

use std::time::Duration;

/// What a finished (or failed) simulation run reports (`runtime::sim`'s runner reads it;
/// `runtime::sim` is not compiled under loom).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(loom, allow(dead_code))]
pub(crate) struct SimTrace {
    pub(crate) seed: u64,
    /// The trace hash (rule S5).
    pub(crate) hash: u64,
    /// Scheduling steps taken (polls and idle turns).
    pub(crate) steps: u64,
    /// Virtual time elapsed since the runtime was built.
    pub(crate) elapsed: Duration,
    /// What the fault plan injected (rule S7).
    pub(crate) faults: super::FaultStats,
}

#[cfg_attr(loom, allow(dead_code))]
impl crate::engine::scheduler::Handle {
    /// The trace of a simulation runtime; `None` on the other flavors.
    pub(crate) fn sim_trace(&self) -> Option<SimTrace> {
        let crate::engine::scheduler::Handle::Simulation(h) = self else {
            return None;
        };
        let (hash, steps) = h.trace();
        Some(SimTrace {
            seed: h.seed(),
            hash,
            steps,
            elapsed: h.elapsed(),
            faults: h.fault_stats(),
        })
    }
}

/// A draw from the current simulation's user stream (`runtime::sim::rand`); `None` when the
/// current runtime is not a simulation (or there is none).
#[cfg(not(loom))]
pub(crate) fn current_rand() -> Option<u64> {
    crate::engine::context::with_current(|handle| match handle {
        Some(crate::engine::scheduler::Handle::Simulation(h)) => Some(h.user_rng.next_u64()),
        _ => None,
    })
}

/// The current simulation's network (issue 19 item 3); `None` when the current runtime is
/// not a simulation (or there is none). The sockets of `runtime::net` ask this once, when
/// they are created.
#[cfg(not(loom))]
pub(crate) fn current_network() -> Option<crate::loom::sync::Arc<super::net::Network>> {
    crate::engine::context::with_current_borrowed(|handle| match handle {
        crate::engine::scheduler::Handle::Simulation(h) => Some(h.net.clone()),
        _ => None,
    })
    .flatten()
}

/// Whether the current runtime is a simulation whose fault plan has socket faults: asked
/// once, when a socket is registered (`io::PollEvented`), so other sockets pay nothing.
#[cfg(not(loom))]
pub(crate) fn io_faults_on() -> bool {
    crate::engine::context::with_current(|handle| match handle {
        Some(crate::engine::scheduler::Handle::Simulation(h)) => h.config.sim.faults.io_on(),
        _ => false,
    })
}

/// Runs `f` on the core of the simulation running on this thread, if there is one and its
/// core is free (it is, inside a task's poll).
#[cfg(not(loom))]
fn with_sim_core<R>(f: impl FnOnce(&mut super::Core) -> R) -> Option<R> {
    crate::engine::context::with_scheduler(|cx| {
        let Some(crate::engine::scheduler::Context::Simulation(cx)) = cx else {
            return None;
        };
        let mut core = cx.core.try_borrow_mut().ok()?;
        core.as_mut().map(|core| f(core))
    })
}

/// The fault (if any) the current simulation's plan injects into a socket read
/// (`write == false`) or write about to run (rule S7); added to the trace hash.
#[cfg(not(loom))]
pub(crate) fn io_fault(write: bool) -> Option<super::IoFault> {
    with_sim_core(|core| {
        let (fault, word) = core.faults.on_io(write);
        if fault.is_some() {
            core.trace.add(word);
        }
        fault
    })
    .flatten()
}

/// The delay and error (if any) the current simulation's plan injects before a
/// `runtime::fs` operation (rule S7); added to the trace hash.
#[cfg(not(loom))]
pub(crate) fn fs_fault() -> Option<super::faults::FsFault> {
    with_sim_core(|core| {
        let (fault, word) = core.faults.on_fs();
        if fault.is_some() {
            core.trace.add(word);
        }
        fault
    })
    .flatten()
}
