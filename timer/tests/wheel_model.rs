//! Model-based property test: random insert / cancel / reset / advance sequences run against the
//! wheel and against a `BTreeMap<(due, seq), id>` model. After every step the two must agree on
//! length, on every key's value and deadline, and on which timers fire, in which order, when.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use timer::{TimerKey, WHEEL_SPAN, Wheel};

/// A deadline relative to the model's current time.
#[derive(Clone, Debug)]
enum When {
    Ahead(u64),
    Behind(u64),
    Max,
}

#[derive(Clone, Debug)]
enum Op {
    Insert(When),
    /// Index into every key ever issued (live or stale), modulo its length.
    Cancel(usize),
    Reset(usize, When),
    Advance(u64),
    /// A clock that went backwards by this much.
    Back(u64),
    /// Advance exactly to the wheel's `next_deadline` hint.
    ToHint,
    ToEnd,
}

/// Distances covering every level, the span edge, far turns and the extremes.
fn distance() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => 0u64..70,
        4 => 0u64..5_000,
        3 => 0u64..(1 << 20),
        2 => 0u64..(1 << 31),
        2 => (WHEEL_SPAN - 100)..(WHEEL_SPAN + 100),
        2 => 0u64..(1 << 40),
        1 => (1u64 << 36)..(1 << 62),
        1 => any::<u64>(),
    ]
}

fn when() -> impl Strategy<Value = When> {
    prop_oneof![
        8 => distance().prop_map(When::Ahead),
        2 => (0u64..200).prop_map(When::Behind),
        1 => Just(When::Max),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => when().prop_map(Op::Insert),
        3 => any::<usize>().prop_map(Op::Cancel),
        3 => (any::<usize>(), when()).prop_map(|(i, w)| Op::Reset(i, w)),
        6 => distance().prop_map(Op::Advance),
        1 => (0u64..1_000).prop_map(Op::Back),
        3 => Just(Op::ToHint),
        1 => Just(Op::ToEnd),
    ]
}

/// The reference: timers ordered by the tick they become due, which is their deadline, or the
/// time they were (re)filed if that deadline had already passed.
#[derive(Default)]
struct Model {
    now: u64,
    seq: u64,
    due: BTreeMap<(u64, u64), u64>,
    /// id -> (due, seq, deadline)
    live: HashMap<u64, (u64, u64, u64)>,
}

impl Model {
    fn deadline(&self, when: &When) -> u64 {
        match *when {
            When::Ahead(d) => self.now.saturating_add(d),
            When::Behind(d) => self.now.saturating_sub(d),
            When::Max => u64::MAX,
        }
    }

    fn file(&mut self, id: u64, deadline: u64) {
        self.seq += 1;
        let due = deadline.max(self.now);
        self.due.insert((due, self.seq), id);
        self.live.insert(id, (due, self.seq, deadline));
    }

    fn remove(&mut self, id: u64) -> bool {
        match self.live.remove(&id) {
            Some((due, seq, _)) => self.due.remove(&(due, seq)).is_some(),
            None => false,
        }
    }
}

fn advance_and_check(wheel: &mut Wheel<u64>, model: &mut Model, now: u64) {
    let target = now.max(model.now);
    let mut fired = Vec::new();
    wheel.advance(now, |key, id| fired.push((key, id)));

    // Everything due by `target` must fire now: none early, none late.
    let mut expected: HashMap<u64, u64> = HashMap::new(); // id -> due
    while let Some((&(due, seq), &id)) = model.due.first_key_value() {
        if due > target {
            break;
        }
        model.due.remove(&(due, seq));
        model.live.remove(&id);
        expected.insert(id, due);
    }
    let mut last_due = 0;
    for &(key, id) in &fired {
        let due = expected.remove(&id).unwrap_or_else(|| {
            panic!("id {id} fired at {target} but was not due (or fired twice)")
        });
        assert!(due >= last_due, "fired out of due order: {fired:?}");
        last_due = due;
        assert!(!wheel.contains(key), "fired key {key:?} still live");
    }
    assert!(
        expected.is_empty(),
        "due at {target} but not fired: {expected:?}"
    );
    model.now = target;
    assert_eq!(wheel.elapsed(), target);
}

fn check_agreement(wheel: &Wheel<u64>, model: &Model, keys: &[(TimerKey, u64)]) {
    assert_eq!(wheel.len(), model.live.len());
    assert_eq!(wheel.is_empty(), model.live.is_empty());
    for &(key, id) in keys {
        match model.live.get(&id) {
            Some(&(_, _, deadline)) => {
                assert_eq!(wheel.get(key), Some(&id));
                assert_eq!(wheel.deadline(key), Some(deadline));
            }
            None => {
                assert_eq!(wheel.get(key), None, "stale key {key:?} still resolves");
                assert!(!wheel.contains(key));
            }
        }
    }
    let earliest = model.live.values().map(|&(_, _, deadline)| deadline).min();
    match (wheel.next_deadline(), earliest) {
        (None, None) => {}
        (Some(hint), Some(earliest)) => {
            assert!(
                hint <= earliest,
                "hint {hint} later than earliest deadline {earliest}"
            )
        }
        (hint, earliest) => panic!("hint {hint:?} but model earliest {earliest:?}"),
    }
}

fn run(ops: &[Op]) {
    let mut wheel = Wheel::new();
    let mut model = Model::default();
    // Every key ever issued, with the id its timer carries; ids are never reused.
    let mut keys: Vec<(TimerKey, u64)> = Vec::new();
    for op in ops {
        match op {
            Op::Insert(when) => {
                let id = keys.len() as u64;
                let deadline = model.deadline(when);
                keys.push((wheel.insert(deadline, id), id));
                model.file(id, deadline);
            }
            Op::Cancel(pick) if !keys.is_empty() => {
                let (key, id) = keys[pick % keys.len()];
                let removed = wheel.remove(key);
                assert_eq!(removed.is_some(), model.remove(id), "cancel of {key:?}");
                if let Some(value) = removed {
                    assert_eq!(value, id);
                }
            }
            Op::Reset(pick, when) if !keys.is_empty() => {
                let (key, id) = keys[pick % keys.len()];
                let deadline = model.deadline(when);
                let live = model.remove(id);
                assert_eq!(wheel.reset(key, deadline), live, "reset of {key:?}");
                if live {
                    model.file(id, deadline);
                }
            }
            Op::Cancel(_) | Op::Reset(..) => {}
            Op::Advance(by) => {
                let now = model.now.saturating_add(*by);
                advance_and_check(&mut wheel, &mut model, now);
            }
            Op::Back(by) => {
                let now = model.now.saturating_sub(*by);
                advance_and_check(&mut wheel, &mut model, now);
            }
            Op::ToHint => {
                let now = wheel.next_deadline().unwrap_or(model.now);
                advance_and_check(&mut wheel, &mut model, now);
            }
            Op::ToEnd => advance_and_check(&mut wheel, &mut model, u64::MAX),
        }
        check_agreement(&wheel, &model, &keys);
    }
    // Shutdown path: everything left fires by the end of time.
    advance_and_check(&mut wheel, &mut model, u64::MAX);
    assert!(wheel.is_empty());
    assert_eq!(wheel.next_deadline(), None);
}

proptest! {
    // 4096 cases of up to 120 steps: the acceptance list asks for thousands of cases (a handful
    // under miri, which is ~1000x slower).
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 8 } else { 4096 }))]

    #[test]
    fn wheel_matches_btreemap_model(ops in proptest::collection::vec(op(), 1..120)) {
        run(&ops);
    }
}

/// Regression-style fixed sequences that exercise the trickiest paths deterministically.
#[test]
fn fixed_sequences() {
    use Op::*;
    run(&[
        Insert(When::Max),
        Insert(When::Ahead(WHEEL_SPAN * 3 + 1)),
        Insert(When::Ahead(WHEEL_SPAN - 1)),
        ToHint,
        Cancel(1),
        ToHint,
        Advance(WHEEL_SPAN),
        Back(500),
        Insert(When::Behind(10)),
        Reset(2, When::Ahead(0)),
        ToEnd,
        Insert(When::Ahead(5)),
        Reset(0, When::Max),
    ]);
}
