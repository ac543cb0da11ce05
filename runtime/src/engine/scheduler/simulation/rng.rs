//! The simulation's random numbers: SplitMix64 (Steele, Lea and Flood, "Fast splittable
//! pseudorandom number generators", OOPSLA 2014; the generator `java.util.SplittableRandom`
//! uses and xoshiro's authors recommend for seeding). Its state is one counter, so the shared
//! stream of user draws ([`SharedStream`]) is a single atomic `fetch_add`, and every seed,
//! including 0, gives a full-period stream.

use crate::loom::sync::atomic::{AtomicU64, Ordering};

/// SplitMix64's increment: the odd integer closest to 2^64 / phi.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function (a variant of MurmurHash3's 64-bit finaliser).
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A SplitMix64 generator owned by one thread (the scheduler's core).
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// A number in `0..n` (`n > 0`), by Lemire's multiply-shift (no modulo bias worth
    /// counting for the small `n` a scheduler draws: below 2^-50 for `n` under 2^14).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

/// A SplitMix64 stream shared by the user code of one simulation (`runtime::sim::rand`):
/// one atomic counter, so `&self` is enough and draws from any task see one sequence.
#[derive(Debug)]
#[cfg_attr(loom, allow(dead_code))] // drawn from by `runtime::sim`, not compiled under loom
pub(crate) struct SharedStream {
    state: AtomicU64,
}

impl SharedStream {
    pub(crate) fn new(seed: u64) -> SharedStream {
        SharedStream {
            state: AtomicU64::new(seed),
        }
    }

    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn next_u64(&self) -> u64 {
        // One thread runs the simulation, so the order of draws is the order of the calls.
        let before = self.state.fetch_add(GAMMA, Ordering::Relaxed);
        mix(before.wrapping_add(GAMMA))
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_outputs_for_seed_zero() {
        // The first outputs of the reference C implementation (`splitmix64.c`, Vigna) from
        // state 0.
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(rng.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn the_shared_stream_gives_the_same_sequence_as_the_owned_one() {
        let mut owned = SplitMix64::new(42);
        let shared = SharedStream::new(42);
        for _ in 0..100 {
            assert_eq!(owned.next_u64(), shared.next_u64());
        }
    }

    #[test]
    fn below_stays_in_range_and_reaches_every_value() {
        let mut rng = SplitMix64::new(7);
        let mut seen = [0u32; 5];
        for _ in 0..1000 {
            let n = rng.below(5) as usize;
            seen[n] += 1;
        }
        assert!(seen.iter().all(|&count| count > 100), "{seen:?}");
    }
}
