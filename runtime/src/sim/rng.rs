//! Seeded random numbers for code under simulation.

use std::cell::Cell;

/// SplitMix64's increment (the same generator as the scheduler's, see
/// `engine/scheduler/simulation/rng.rs`).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

crate::loom::rt_thread_local! {
    /// Outside a simulation: this thread's generator, seeded from the process's random state.
    static FALLBACK: Cell<Option<u64>> = Cell::new(None);
}

/// A random `u64`: under a simulation runtime, the next draw of the simulation's own seeded
/// stream (the same seed gives the same numbers in the same order); elsewhere, a per-thread
/// generator seeded at random (so code can call it in production too, just not
/// reproducibly).
///
/// Draws do not move the scheduler's choices: a test that adds a `rand()` call keeps its
/// schedule up to that call's own effects.
///
/// ```
/// let draw = |seed| {
///     runtime::Builder::new_simulation(seed)
///         .build()
///         .unwrap()
///         .block_on(async { (runtime::sim::rand(), runtime::sim::rand()) })
/// };
/// assert_eq!(draw(3), draw(3));
/// assert_ne!(draw(3), draw(4));
/// ```
pub fn rand() -> u64 {
    if let Some(draw) = crate::engine::sim_rand() {
        return draw;
    }
    FALLBACK
        .try_with(|cell| {
            let state = cell
                .get()
                .unwrap_or_else(crate::loom::rand_seed)
                .wrapping_add(GAMMA);
            cell.set(Some(state));
            mix(state)
        })
        // Thread-local storage is being torn down: a fresh seed is as random.
        .unwrap_or_else(|_| mix(crate::loom::rand_seed()))
}

/// A small seeded generator (SplitMix64) owned by user code: [`Rng::from_sim`] seeds it from
/// the simulation's stream, so a task can hold its own and stay reproducible.
///
/// ```
/// use runtime::sim::Rng;
///
/// let mut a = Rng::new(9);
/// let mut b = Rng::new(9);
/// assert_eq!(a.next_u64(), b.next_u64());
/// let die = a.below(6);
/// assert!(die < 6);
/// ```
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator started from `seed` (every seed, 0 included, gives a full-period stream).
    ///
    /// ```
    /// let mut rng = runtime::sim::Rng::new(0);
    /// assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF); // SplitMix64's reference output
    /// ```
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// A generator seeded by one draw of [`rand`]: reproducible under a simulation.
    ///
    /// ```
    /// let rt = runtime::Builder::new_simulation(5).build().unwrap();
    /// let first = rt.block_on(async { runtime::sim::Rng::from_sim().next_u64() });
    /// let again = runtime::Builder::new_simulation(5).build().unwrap()
    ///     .block_on(async { runtime::sim::Rng::from_sim().next_u64() });
    /// assert_eq!(first, again);
    /// ```
    pub fn from_sim() -> Rng {
        Rng::new(rand())
    }

    /// The next 64 random bits.
    ///
    /// ```
    /// let mut rng = runtime::sim::Rng::new(1);
    /// assert_ne!(rng.next_u64(), rng.next_u64());
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// A number in `0..n`; `0` when `n` is 0.
    ///
    /// ```
    /// let mut rng = runtime::sim::Rng::new(2);
    /// assert!((0..100).all(|_| rng.below(10) < 10));
    /// assert_eq!(rng.below(0), 0);
    /// ```
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// `true` with probability `numerator / denominator` (`false` if the denominator is 0).
    ///
    /// ```
    /// let mut rng = runtime::sim::Rng::new(3);
    /// assert!(!rng.ratio(0, 4));
    /// assert!(rng.ratio(4, 4));
    /// ```
    pub fn ratio(&mut self, numerator: u64, denominator: u64) -> bool {
        denominator != 0 && self.below(denominator) < numerator
    }
}
