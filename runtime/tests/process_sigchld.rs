//! Child processes reaped by the SIGCHLD fallback (older kernels, sandboxes refusing
//! `pidfd_open`), forced here on a kernel that has pidfds. The cases are `process_pidfd.rs`'s.

mod process_cases;
mod support;

fn setup() {
    runtime::process::__reaping::force_sigchld(true);
    assert!(!runtime::process::__reaping::uses_pidfd());
}

process_cases::both_flavors!(
    exit_codes_and_signals_are_in_the_status,
    output_captures_stdout_and_stderr_separately,
    output_gives_the_child_an_empty_stdin,
    stdin_is_piped_through_cat_with_backpressure,
    wait_with_output_closes_stdin_and_collects_both_streams,
    stdout_pipes_into_another_child,
    try_wait_is_none_while_running_and_the_status_after_exit,
    kill_waits_for_the_child_and_refuses_a_reaped_one,
    start_kill_then_wait_reports_sigkill,
    wait_is_cancel_safe,
    kill_on_drop_kills_and_reaps_the_child,
    a_dropped_child_runs_on_and_is_reaped_after_it_exits,
    several_tasks_each_wait_on_their_own_child,
    a_missing_program_is_not_found_naming_it,
    a_thousand_children_leave_no_zombie_and_no_descriptor,
    spawning_outside_a_runtime_is_an_error_and_starts_nothing,
    a_child_first_awaited_in_a_runtime_that_shut_down_still_completes,
    a_child_of_a_task_cancelled_at_shutdown_is_killed_and_reaped,
    children_of_two_runtimes_are_each_woken,
    public_types_are_send_sync_and_unpin,
    a_child_dropped_outside_any_runtime_is_reaped_by_a_later_spawn,
);

/// Current-thread only (as in `io_coop.rs`): on the multi-thread flavor the neighbour may be
/// stolen by a worker the OS has not scheduled yet, so whether it ran during the loop says
/// nothing about the budget.
#[test]
fn current_thread_waiting_on_an_exited_child_spends_the_coop_budget() {
    process_cases::run(
        support::current,
        "current_thread::waiting_on_an_exited_child_spends_the_coop_budget",
        process_cases::waiting_on_an_exited_child_spends_the_coop_budget,
    );
}
