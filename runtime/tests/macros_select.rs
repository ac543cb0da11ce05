//! `select!` behaviour, checked poll by poll without a runtime.

mod macros_util;

use macros_util::{Log, Probe, Stats, block_on, poll_once};
use std::future::{pending, ready};
use std::sync::Arc;
use std::task::Poll;

#[test]
fn biased_polls_top_to_bottom_and_first_ready_wins() {
    let log = Log::default();
    let out = block_on(async {
        runtime::select! {
            biased;
            v = Probe::logged("a", 1, "a", &log) => v,
            v = Probe::logged("b", 0, "b", &log) => v,
            v = Probe::logged("c", 0, "c", &log) => v,
        }
    });
    assert_eq!(out, "b");
    assert_eq!(*log.lock().unwrap(), ["a", "b"]);
}

#[test]
fn unbiased_start_is_fair() {
    const ROUNDS: u32 = 10_000;
    let mut wins = [0u32; 2];
    block_on(async {
        for _ in 0..ROUNDS {
            runtime::select! {
                () = ready(()) => wins[0] += 1,
                () = ready(()) => wins[1] += 1,
            }
        }
    });
    assert_eq!(wins[0] + wins[1], ROUNDS);
    // 40% is more than 20 standard deviations below the mean for a fair coin.
    for count in wins {
        assert!(count >= ROUNDS * 4 / 10, "unfair split: {wins:?}");
    }
}

#[test]
fn false_precondition_disables_branch_but_evaluates_its_future() {
    let disabled = Arc::new(Stats::default());
    let mut evaluated = 0;
    let out = block_on(async {
        runtime::select! {
            v = { evaluated += 1; Probe::new(0, 1, &disabled) }, if 1 + 1 == 3 => v,
            v = Probe::new(1, 2, &Arc::default()) => v,
        }
    });
    assert_eq!(out, 2);
    assert_eq!(evaluated, 1);
    assert_eq!((disabled.polls(), disabled.drops()), (0, 1));
}

#[test]
fn unmatched_pattern_disables_branch_and_the_rest_keep_going() {
    let mismatch = Arc::new(Stats::default());
    let select = async {
        runtime::select! {
            biased;
            Some(v) = Probe::new(0, None::<u8>, &mismatch) => v,
            v = Probe::new(2, 7u8, &Arc::default()) => v + 1,
        }
    };
    let mut select = std::pin::pin!(select);
    assert!(poll_once(select.as_mut()).is_pending());
    assert!(poll_once(select.as_mut()).is_pending());
    assert_eq!(poll_once(select.as_mut()), Poll::Ready(8));
    assert_eq!(mismatch.polls(), 1, "a disabled branch is not polled again");
}

#[test]
fn else_runs_when_every_branch_is_disabled() {
    let by_precondition = block_on(async {
        runtime::select! {
            () = pending::<()>(), if false => 1,
            () = pending::<()>(), if false => 2,
            else => 3,
        }
    });
    assert_eq!(by_precondition, 3);
    let by_pattern = block_on(async {
        runtime::select! {
            Ok(v) = async { Err::<u8, u8>(1) } => v,
            Some(v) = async { None::<u8> } => v,
            else => 9,
        }
    });
    assert_eq!(by_pattern, 9);
}

#[test]
#[should_panic(expected = "all branches of `select!` are disabled and there is no `else` branch")]
fn no_else_and_everything_disabled_panics_clearly() {
    block_on(async {
        runtime::select! {
            Some(v) = async { None::<u8> } => v,
        }
    });
}

#[test]
fn losers_are_dropped_before_the_handler_runs() {
    let loser = Arc::new(Stats::default());
    let drops_seen_by_handler = block_on(async {
        runtime::select! {
            biased;
            () = ready(()) => loser.drops(),
            () = Probe::forever((), &loser) => unreachable!(),
        }
    });
    assert_eq!(drops_seen_by_handler, 1);
}

#[test]
fn handler_may_use_what_the_futures_borrowed() {
    let mut data = vec![1, 2];
    block_on(async {
        runtime::select! {
            len = async { data.len() } => data.push(len),
        }
    });
    assert_eq!(data, [1, 2, 2]);
}

#[test]
fn handlers_control_the_enclosing_code() {
    let (mut iterations, mut skipped) = (0, 0);
    block_on(async {
        loop {
            iterations += 1;
            runtime::select! {
                n = ready(iterations) => {
                    if n < 3 {
                        skipped += 1;
                        continue;
                    }
                    break;
                }
            }
        }
    });
    assert_eq!((iterations, skipped), (3, 2));

    #[allow(clippy::needless_return)]
    async fn early(flag: bool) -> Result<&'static str, String> {
        let v = runtime::select! {
            v = ready(flag) => v,
        };
        if v {
            runtime::select! { r = async { Err::<(), _>("bad".to_string()) } => r? }
        }
        runtime::select! { () = ready(()) => return Ok("returned") }
    }
    assert_eq!(block_on(early(true)), Err("bad".to_string()));
    assert_eq!(block_on(early(false)), Ok("returned"));
}

#[test]
fn patterns_with_modifiers_references_and_alternatives() {
    let value = 5;
    let out = block_on(async {
        let a = runtime::select! { Some(mut v) = ready(Some(1)) => { v += 1; v } };
        let b = runtime::select! { &v = ready(&value) => v };
        let c = runtime::select! { (ref x, 1 | 2) = ready((String::from("s"), 2)) => x.len() };
        let d = runtime::select! { | 3 | 4 = ready(4) => 40, else => 0 };
        let e = runtime::select! { v @ 1..=9 = ready(7u8) => v, else => 0 };
        (a, b, c, d, e)
    });
    assert_eq!(out, (2, 5, 1, 40, 7));
}

#[test]
fn handler_can_await() {
    let out = block_on(async {
        runtime::select! {
            v = ready(1) => {
                let w = Probe::new(2, 10, &Arc::default()).await;
                v + w
            }
        }
    });
    assert_eq!(out, 11);
}

#[test]
fn pinned_future_survives_across_selects() {
    let stats = Arc::new(Stats::default());
    let out = block_on(async {
        let slow = Probe::new(3, "slow", &stats);
        runtime::pin!(slow);
        let mut ticks = 0;
        loop {
            runtime::select! {
                biased;
                v = &mut slow => break (v, ticks),
                () = ready(()) , if ticks < 2 => ticks += 1,
            }
        }
    });
    assert_eq!(out, ("slow", 2));
    assert_eq!(stats.polls(), 4);
}

/// A `select!` future is no larger than Tokio's for the same branches. Tokio 1.54.1's figures,
/// measured on rustc 1.95 with `std::mem::size_of_val` on the unpolled
/// `async { tokio::select! { v = ready(1u32) => v, ... } }` (1, 2, 3 branches), are 32, 40 and
/// 48 bytes. The futures themselves take 8 bytes each (`Ready<u32>`), so what is left is the
/// macro's own state: Tokio keeps 24 bytes of it.
#[test]
fn select_futures_are_no_larger_than_tokios() {
    let one = async {
        runtime::select! { v = ready(1u32) => v }
    };
    let two = async {
        runtime::select! { v = ready(1u32) => v, v = ready(2u32) => v }
    };
    let three = async {
        runtime::select! { v = ready(1u32) => v, v = ready(2u32) => v, v = ready(3u32) => v }
    };
    let sizes = [
        std::mem::size_of_val(&one),
        std::mem::size_of_val(&two),
        std::mem::size_of_val(&three),
    ];
    let tokio = [32, 40, 48];
    assert!(
        sizes
            .iter()
            .zip(tokio)
            .all(|(ours, theirs)| *ours <= theirs),
        "select! futures of 1/2/3 branches take {sizes:?} bytes; Tokio's take {tokio:?}"
    );
    assert_eq!(block_on(one), 1);
    assert!((1..=3).contains(&block_on(three)));
}

/// Branches whose value is `Some` only for `$last`, in a `biased` select: every earlier branch
/// completes with `None`, is refused by its pattern and disabled, and the last one wins.
macro_rules! only_last_matches {
    ($last:literal; $($n:literal)*) => {
        runtime::select! {
            biased;
            $(Some(v) = ready(if $n == $last { Some($n) } else { None }) => v,)*
            else => 0,
        }
    };
}

/// The disabled-branch mask grows with the branch count (8, 16, 32, 64 bits): every width
/// tracks each branch, up to the 64-branch limit.
#[test]
fn disabled_mask_covers_every_branch_at_each_width() {
    block_on(async {
        assert_eq!(only_last_matches!(8; 1 2 3 4 5 6 7 8), 8);
        assert_eq!(only_last_matches!(9; 1 2 3 4 5 6 7 8 9), 9);
        assert_eq!(
            only_last_matches!(17; 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17),
            17
        );
        assert_eq!(
            only_last_matches!(64;
                1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30
                31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56
                57 58 59 60 61 62 63 64),
            64
        );
        // No branch matches: all 64 are disabled and `else` runs.
        assert_eq!(
            only_last_matches!(0;
                1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30
                31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56
                57 58 59 60 61 62 63 64),
            0
        );
    });
}

#[test]
fn a_select_with_only_an_else_branch_is_its_handler() {
    let v: u8 = block_on(async {
        runtime::select! { else => 5 }
    });
    assert_eq!(v, 5);
    let v = block_on(async {
        runtime::select! {
            biased;
            else => { "biased" },
        }
    });
    assert_eq!(v, "biased");
}

#[test]
fn ref_mut_and_ref_bindings_borrow_the_branch_value() {
    let len = block_on(async {
        runtime::select! {
            ref mut v = ready(vec![1]) => {
                v.push(2);
                v.len()
            }
        }
    });
    assert_eq!(len, 2);
    let first = block_on(async {
        runtime::select! {
            biased;
            Some(ref mut n) = ready(None::<u8>) => { *n += 1; *n }
            (ref a, ref mut b) = ready((1u8, 2u8)) => { *b += *a; *b }
        }
    });
    assert_eq!(first, 3, "the first branch's pattern did not match");
    let s = block_on(async {
        runtime::select! {
            ref s = ready(String::from("kept")) => s.clone(),
        }
    });
    assert_eq!(s, "kept");
}

#[test]
fn branch_futures_may_borrow_temporaries() {
    let out = block_on(async {
        runtime::select! {
            () = &mut std::future::ready(()) => 1,
        }
    });
    assert_eq!(out, 1);
    let out = block_on(async {
        runtime::select! {
            biased;
            v = &mut pending::<u8>() => v,
            v = &mut ready(2u8), if true => v,
            else => 0,
        }
    });
    assert_eq!(out, 2);
}

#[test]
fn new_forms_on_both_runtime_flavors() {
    for rt in [
        runtime::Builder::new_current_thread().build().unwrap(),
        runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap(),
    ] {
        let out = rt.block_on(async {
            let (tx, rx) = runtime::sync::oneshot::channel();
            runtime::spawn(async move { tx.send(vec![1u8]).unwrap() });
            let a = runtime::select! {
                ref mut v = rx => {
                    let v = v.as_mut().unwrap();
                    v.push(2);
                    v.len()
                }
            };
            let b = runtime::select! {
                () = &mut runtime::time::sleep(std::time::Duration::from_millis(1)) => 10,
            };
            let c = runtime::select! { else => 100 };
            a + b + c
        });
        assert_eq!(out, 112);
    }
}
