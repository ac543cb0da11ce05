//! Receiving into a `Vec<u8>`'s spare capacity: the one unsafe step behind every socket's
//! `*_buf` methods (`try_read_buf`, `recv_buf`, `recv_buf_from`, ...).
//!
//! Tokio's versions take `&mut impl bytes::BufMut`; `bytes` is not a dependency of this crate,
//! so they take `&mut Vec<u8>` (which is `BufMut` in Tokio, so such calls port unchanged). As
//! `BufMut` does for a `Vec`, a full vector first grows by 64 bytes, so a call with no spare
//! capacity still receives something.

use std::io;
use std::mem::MaybeUninit;

/// How much a full vector grows by before a receive (as `bytes::BufMut::chunk_mut` does).
const GROW_WHEN_FULL: usize = 64;

/// Runs `recv` on `buf`'s spare capacity and appends the bytes it reports written.
/// `recv` returns how many bytes it wrote at the front of the slice, plus any extra value
/// (a sender address).
pub(crate) fn recv_into_spare<R>(
    buf: &mut Vec<u8>,
    recv: impl FnOnce(&mut [MaybeUninit<u8>]) -> io::Result<(usize, R)>,
) -> io::Result<(usize, R)> {
    if buf.capacity() == buf.len() {
        buf.reserve(GROW_WHEN_FULL);
    }
    let spare = buf.spare_capacity_mut();
    let room = spare.len();
    let (n, extra) = recv(spare)?;
    if n > room {
        return Err(io::Error::other(format!(
            "a receive reported {n} bytes written into {room} bytes of buffer"
        )));
    }
    // SAFETY: `recv` initialised the first `n` bytes of the spare capacity (a receive writes
    // the bytes it reports), and `n <= room`, so `len + n` stays within the capacity and every
    // byte below it is initialised.
    unsafe { buf.set_len(buf.len() + n) };
    Ok((n, extra))
}

/// One receive from `socket`'s connected peer appended to `buf` (a stream's `try_read_buf`,
/// a datagram socket's `recv_buf`).
pub(crate) fn recv_appended<S: std::os::fd::AsFd>(
    socket: &S,
    buf: &mut Vec<u8>,
) -> io::Result<usize> {
    recv_into_spare(buf, |spare| {
        Ok((socket2::SockRef::from(socket).recv(spare)?, ()))
    })
    .map(|(n, ())| n)
}

/// Appends as much of `src` as `buf`'s spare capacity holds (a full vector first grows by
/// 64 bytes, as before a receive); returns how many bytes. For bytes already received (a ring
/// stream's read-ahead) handed out by a `*_buf` method: it takes what one receive would have.
pub(crate) fn append_within_spare(buf: &mut Vec<u8>, src: &[u8]) -> usize {
    if buf.capacity() == buf.len() {
        buf.reserve(GROW_WHEN_FULL);
    }
    let n = src.len().min(buf.capacity() - buf.len());
    buf.extend_from_slice(&src[..n]);
    n
}

/// Like [`recv_into_spare`] for a receive that needs an initialised `&mut [u8]` (std's Unix
/// `recv_from`, whose sender address socket2 cannot hand back as std's type): the spare
/// capacity is zeroed first, then trimmed back to what was received.
pub(crate) fn recv_into_zeroed<R>(
    buf: &mut Vec<u8>,
    recv: impl FnOnce(&mut [u8]) -> io::Result<(usize, R)>,
) -> io::Result<(usize, R)> {
    if buf.capacity() == buf.len() {
        buf.reserve(GROW_WHEN_FULL);
    }
    let start = buf.len();
    buf.resize(buf.capacity(), 0);
    let result = recv(&mut buf[start..]);
    let kept = match &result {
        Ok((n, _)) => start + (*n).min(buf.len() - start),
        Err(_) => start,
    };
    buf.truncate(kept);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_vector_grows_before_the_receive() {
        let mut buf = Vec::new();
        let (n, ()) = recv_into_spare(&mut buf, |spare| {
            assert!(spare.len() >= GROW_WHEN_FULL);
            spare[0].write(7);
            Ok((1, ()))
        })
        .unwrap();
        assert_eq!((n, buf), (1, vec![7]));
    }

    #[test]
    fn bytes_are_appended_after_the_existing_ones() {
        let mut buf = Vec::with_capacity(8);
        buf.extend_from_slice(b"ab");
        recv_into_spare(&mut buf, |spare| {
            assert_eq!(spare.len(), 6);
            spare[0].write(b'c');
            Ok((1, ()))
        })
        .unwrap();
        assert_eq!(buf, b"abc");
    }

    #[test]
    fn appending_takes_what_the_spare_capacity_holds_and_grows_a_full_vector_first() {
        let mut buf = Vec::with_capacity(4);
        buf.extend_from_slice(b"ab");
        assert_eq!(append_within_spare(&mut buf, b"cdef"), 2);
        assert_eq!(buf, b"abcd");
        let src: Vec<u8> = (0..200).collect();
        assert_eq!(buf.capacity(), buf.len());
        let n = append_within_spare(&mut buf, &src);
        assert!(n >= GROW_WHEN_FULL && n <= src.len(), "took {n}");
        assert_eq!(buf.len(), 4 + n);
        assert_eq!(&buf[4..], &src[..n]);
        assert_eq!(append_within_spare(&mut buf, b""), 0);
    }

    #[test]
    fn an_overlong_count_is_an_error_not_a_length_past_the_data() {
        let mut buf = Vec::with_capacity(4);
        let err = recv_into_spare(&mut buf, |_| Ok((5, ()))).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Other);
        assert!(buf.is_empty());
    }

    #[test]
    fn zeroed_receive_trims_to_what_arrived_and_keeps_nothing_on_error() {
        let mut buf = b"x".to_vec();
        recv_into_zeroed(&mut buf, |room| {
            room[..2].copy_from_slice(b"yz");
            Ok((2, ()))
        })
        .unwrap();
        assert_eq!(buf, b"xyz");
        let err = recv_into_zeroed(&mut buf, |_| {
            Err::<(usize, ()), _>(io::ErrorKind::WouldBlock.into())
        });
        assert_eq!(err.unwrap_err().kind(), io::ErrorKind::WouldBlock);
        assert_eq!(buf, b"xyz");
    }
}
