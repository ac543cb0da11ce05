//! The trace hash (rule S5): 64-bit FNV-1a (Fowler, Noll and Vo; the parameters of the IETF
//! draft `draft-eastlake-fnv`) over the little-endian bytes of each recorded number. Not a
//! cryptographic hash: it tells schedules apart, it does not resist forgery.

/// FNV-1a's 64-bit offset basis.
const OFFSET: u64 = 0xCBF2_9CE4_8422_2325;
/// FNV-1a's 64-bit prime.
const PRIME: u64 = 0x0000_0100_0000_01B3;

/// A running FNV-1a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TraceHash(u64);

impl TraceHash {
    pub(crate) fn new() -> TraceHash {
        TraceHash(OFFSET)
    }

    pub(crate) fn add(&mut self, word: u64) {
        for byte in word.to_le_bytes() {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(PRIME);
        }
    }

    pub(crate) fn value(self) -> u64 {
        self.0
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::TraceHash;

    #[test]
    fn fnv1a_of_known_bytes_matches_the_reference_values() {
        // FNV-1a 64 of the empty input is the offset basis; of "a" it is 0xaf63dc4c8601ec8c
        // (the reference test vectors).
        assert_eq!(TraceHash::new().value(), 0xCBF2_9CE4_8422_2325);
        let mut one_byte = TraceHash::new();
        one_byte.0 = (one_byte.0 ^ u64::from(b'a')).wrapping_mul(super::PRIME);
        assert_eq!(one_byte.value(), 0xAF63_DC4C_8601_EC8C);
    }

    #[test]
    fn order_of_the_words_changes_the_hash() {
        let mut ab = TraceHash::new();
        ab.add(1);
        ab.add(2);
        let mut ba = TraceHash::new();
        ba.add(2);
        ba.add(1);
        assert_ne!(ab, ba);
    }
}
