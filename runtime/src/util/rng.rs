//! [`FastRand`]: the runtime's one small pseudo-random generator (not cryptographic).
//!
//! Used where any fair-looking choice will do: the worker picking a victim to steal from, and
//! `select!` picking the branch it polls first.

/// Marsaglia's xorshift64 with the (13, 7, 17) triple: full period 2^64 - 1 over the non-zero
/// states, a handful of instructions per draw.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FastRand {
    state: u64,
}

impl FastRand {
    /// A generator started from `seed`; the low bit is forced on, because 0 is a fixed point
    /// of xorshift (a zero state would return 0 forever).
    pub(crate) fn new(seed: u64) -> FastRand {
        FastRand { state: seed | 1 }
    }

    /// The next 64 pseudo-random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        x
    }

    /// A value in `0..n` (`n > 0`, at most `u32::MAX`): Lemire's multiply-shift maps the high
    /// 32 bits (xorshift's better ones) into the range without a division.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0 && n as u64 <= u64::from(u32::MAX));
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
}

crate::loom::rt_thread_local! {
    /// This thread's generator; `None` until first use.
    static THREAD_RNG: std::cell::Cell<Option<FastRand>> = std::cell::Cell::new(None);
}

/// A value in `0..n` (`n > 0`) from this thread's generator (seeded at random on first use,
/// or by a [`SeededThreadRng`] while one lives).
pub(crate) fn thread_rng_n(n: u32) -> u32 {
    THREAD_RNG
        .try_with(|cell| {
            let mut rng = cell
                .get()
                .unwrap_or_else(|| FastRand::new(crate::loom::rand_seed()));
            let pick = rng.below(n as usize) as u32;
            cell.set(Some(rng));
            pick
        })
        // Thread-local storage is being torn down: any start is as fair as another.
        .unwrap_or(0)
}

/// While it lives, this thread's generator is seeded with a fixed seed; dropping it restores
/// the previous state. The simulation scheduler holds one in `block_on`, so `select!`'s
/// branch order replays with the seed at no cost to the other flavors (which never seed it).
pub(crate) struct SeededThreadRng {
    previous: Option<FastRand>,
}

impl SeededThreadRng {
    pub(crate) fn new(seed: u64) -> SeededThreadRng {
        let previous = THREAD_RNG
            .try_with(|cell| cell.replace(Some(FastRand::new(seed))))
            .ok()
            .flatten();
        SeededThreadRng { previous }
    }
}

impl Drop for SeededThreadRng {
    fn drop(&mut self) {
        let _ = THREAD_RNG.try_with(|cell| cell.set(self.previous));
    }
}

#[cfg(test)]
mod tests {
    use super::FastRand;

    #[test]
    fn a_seeded_thread_rng_replays_and_restores_the_previous_state() {
        let draws = || {
            (0..8)
                .map(|_| super::thread_rng_n(1000))
                .collect::<Vec<_>>()
        };
        let before = super::THREAD_RNG.with(|cell| {
            cell.set(Some(FastRand::new(5)));
            cell.get().map(|mut rng| rng.next_u64())
        });
        let first = {
            let _seeded = super::SeededThreadRng::new(77);
            draws()
        };
        let again = {
            let _seeded = super::SeededThreadRng::new(77);
            draws()
        };
        assert_eq!(first, again);
        let after = super::THREAD_RNG.with(|cell| cell.get().map(|mut rng| rng.next_u64()));
        assert_eq!(before, after);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = FastRand::new(0x1234_5678);
        let mut seen = [0u32; 5];
        for _ in 0..1000 {
            seen[rng.below(5)] += 1;
        }
        assert!(seen.iter().all(|&count| count > 100), "{seen:?}");
        assert_eq!(rng.below(1), 0);
    }

    #[test]
    fn a_zero_seed_does_not_get_stuck_at_zero() {
        let mut rng = FastRand::new(0);
        let draws: Vec<u64> = (0..4).map(|_| rng.next_u64()).collect();
        assert!(draws.iter().all(|&x| x != 0), "{draws:?}");
        assert_ne!(draws[0], draws[1]);
    }

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let (mut a, mut b) = (FastRand::new(42), FastRand::new(42));
        for _ in 0..16 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }
}
