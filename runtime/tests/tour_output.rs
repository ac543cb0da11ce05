//! The `tour` example's report: every step runs, in order, and prints the values it should.
//!
//! The example is included as a module and run with a buffer for its output, so this checks
//! exactly what `cargo run --release --example tour` prints. Timings are only checked against
//! what the timer guarantees (a sleep never ends early), never against an upper bound.

#[allow(dead_code)]
#[path = "../examples/tour.rs"]
mod tour;

/// Runs the tour and returns its output lines.
fn tour_lines() -> Vec<String> {
    let mut out = Vec::new();
    tour::run(&mut out).expect("the tour fails");
    String::from_utf8(out)
        .expect("the tour prints UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The line right after the step header starting with `header`.
fn after<'a>(lines: &'a [String], header: &str) -> &'a str {
    let at = lines
        .iter()
        .position(|l| l.starts_with(header))
        .unwrap_or_else(|| panic!("no header {header:?} in {lines:#?}"));
    &lines[at + 1]
}

/// The integer that follows `prefix` in `line`.
fn number_after(line: &str, prefix: &str) -> u64 {
    let rest = &line[line
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix:?} not in {line:?}"))
        + prefix.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number after {prefix:?} in {line:?}"))
}

#[test]
fn tour_prints_every_step_in_order() {
    let lines = tour_lines();
    let headers: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with("== "))
        .map(String::as_str)
        .collect();
    let expected_prefixes = [
        "== 1. asyncio.run",
        "== 2. asyncio.create_task",
        "== 3. asyncio.gather",
        "== 4. asyncio.TaskGroup",
        "== 5. asyncio.wait_for",
        "== 6. asyncio.sleep",
        "== 7. asyncio.Semaphore",
        "== 8. asyncio.Queue",
        "== 9. asyncio.Event",
        "== 10. task.cancel()",
        "== 11. except ValueError",
        "== 12. asyncio.to_thread",
        "== 13. aiofiles",
        "== 14. asyncio.start_server",
        "== 15. work stealing",
        "== done",
    ];
    assert_eq!(
        headers.len(),
        expected_prefixes.len(),
        "headers: {headers:#?}"
    );
    for (header, prefix) in headers.iter().zip(expected_prefixes) {
        assert!(
            header.starts_with(prefix),
            "{header:?} should start with {prefix:?}"
        );
    }

    assert_eq!(after(&lines, "== 2."), "spawned task returned 42");
    let gather: Vec<&str> = lines[lines.iter().position(|l| l.starts_with("== 3.")).unwrap() + 1..]
        .iter()
        .take(2)
        .map(String::as_str)
        .collect();
    assert_eq!(
        gather,
        [
            "join! results in argument order: [2, 4, 6]",
            "spawned handles awaited in spawn order: [2, 4, 6]"
        ]
    );
    let group_at = lines.iter().position(|l| l.starts_with("== 4.")).unwrap();
    assert_eq!(lines[group_at + 1], "all members succeeded: [2, 4, 6]");
    assert_eq!(
        lines[group_at + 2],
        "first failure \"invalid input\" cancelled the sibling at once"
    );

    let timed_out = after(&lines, "== 5.");
    assert!(timed_out.starts_with("timed out as expected (deadline has elapsed) after "));
    assert!(number_after(timed_out, "after ") >= 20, "{timed_out}");

    let sleeps = after(&lines, "== 6.");
    assert!(sleeps.starts_with("three 30 ms sleeps took "), "{sleeps}");
    assert!(
        sleeps.ends_with("ms together (one after another: 90 ms)"),
        "{sleeps}"
    );
    assert!(
        number_after(sleeps, "took ") >= tour::SLEEP_MS,
        "a sleep ended early: {sleeps}"
    );

    let sem = after(&lines, "== 7.");
    let peak = number_after(sem, "at most ");
    assert!((1..=2).contains(&peak), "semaphore let {peak} in: {sem}");

    assert_eq!(
        after(&lines, "== 8."),
        "3 workers processed items 1..=10, sum 55; queue joined"
    );
    assert_eq!(
        after(&lines, "== 9."),
        "set() released waiters [0, 1, 2]; is_set = true"
    );
    assert!(
        after(&lines, "== 10.").starts_with("background task cancelled: "),
        "{lines:#?}"
    );
    assert_eq!(
        after(&lines, "== 11."),
        "caught the task's error: Something went wrong!"
    );
    assert_eq!(
        after(&lines, "== 12."),
        "blocking pool summed 1..=1000000 = 500000500000"
    );
    assert_eq!(
        after(&lines, "== 13."),
        "wrote and read back 20 bytes: \"hello from the tour\""
    );
    assert_eq!(
        after(&lines, "== 14."),
        "echo server on 127.0.0.1 returned \"ping over tcp\" (13 bytes)"
    );

    let steal = after(&lines, "== 15.");
    assert!(
        steal.starts_with("tasks completed per worker thread: ["),
        "{steal}"
    );
    assert_eq!(
        number_after(steal, "(total "),
        tour::BURST as u64,
        "{steal}"
    );
    let per_thread: Vec<u64> = steal[steal.find('[').unwrap() + 1..steal.find(']').unwrap()]
        .split(", ")
        .map(|n| n.parse().unwrap())
        .collect();
    assert!(
        (1..=tour::WORKERS).contains(&per_thread.len()),
        "tasks ran on {} threads, the runtime has {} workers: {steal}",
        per_thread.len(),
        tour::WORKERS
    );
    assert_eq!(per_thread.iter().sum::<u64>(), tour::BURST as u64);
}
