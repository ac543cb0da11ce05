//! The `compare` report: one [`Row`] per case with the three runtimes' median times, rendered
//! as a text table, JSON (`serde_json`) and an SVG bar chart of the ratios (`plotters`), both
//! libraries already in the tree through criterion.

pub use crate::side_tables::{
    CPU_HEADER, LatencyRow, Lateness, MemoryRow, cpu_table, latency_table, memory_json,
    memory_table,
};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::fmt::Write;

/// The runtimes in column order.
pub const RUNTIMES: [&str; 3] = ["runtime", "tokio", "smol"];

/// One case's result.
///
/// ```
/// use benches::report::Row;
/// let row = Row {
///     case: "x".into(), workers: 2, ops: 1, unit: "iter".into(),
///     median_ns: [50.0, 100.0, 80.0], spread: [0.0; 3], cpu_ns: None, delayed_acks: None,
/// };
/// assert_eq!(row.vs_tokio(), 0.5);
/// assert_eq!(row.vs_best_peer(), 0.625);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Case name (see `cases::case_name`).
    pub case: String,
    /// Worker threads each runtime had.
    pub workers: usize,
    /// Operations per iteration (`Workload::OPS`).
    pub ops: u64,
    /// What one operation is (`Workload::UNIT`).
    pub unit: String,
    /// Median nanoseconds per iteration, in [`RUNTIMES`] order.
    pub median_ns: [f64; 3],
    /// (max - min) / median of the samples, in [`RUNTIMES`] order.
    pub spread: [f64; 3],
    /// Median process CPU time (user + system) per iteration, in [`RUNTIMES`] order, for the
    /// rows that report it (`Workload::CPU`: the network rows).
    pub cpu_ns: Option<[f64; 3]>,
    /// Median TCP delayed ACKs the kernel sent per iteration (`measure::tcp_delayed_acks`), in
    /// [`RUNTIMES`] order, for the same rows where the counter exists (Linux).
    pub delayed_acks: Option<[f64; 3]>,
}

impl Row {
    /// `runtime / tokio`: below 1 means `runtime` is faster.
    pub fn vs_tokio(&self) -> f64 {
        self.median_ns[0] / self.median_ns[1]
    }

    /// `runtime / min(tokio, smol)`: below 1 means `runtime` beats both peers.
    pub fn vs_best_peer(&self) -> f64 {
        self.median_ns[0] / self.median_ns[1].min(self.median_ns[2])
    }

    /// Median nanoseconds per operation, in [`RUNTIMES`] order.
    pub fn per_op_ns(&self) -> [f64; 3] {
        self.median_ns.map(|ns| ns / self.ops.max(1) as f64)
    }

    /// Median CPU nanoseconds per operation, in [`RUNTIMES`] order, when measured.
    pub fn cpu_per_op_ns(&self) -> Option<[f64; 3]> {
        self.cpu_ns
            .map(|cpu| cpu.map(|ns| ns / self.ops.max(1) as f64))
    }

    /// Median delayed ACKs per operation, in [`RUNTIMES`] order, when measured.
    pub fn delayed_acks_per_op(&self) -> Option<[f64; 3]> {
        self.delayed_acks
            .map(|acks| acks.map(|n| n / self.ops.max(1) as f64))
    }
}

/// A whole run.
///
/// ```
/// use benches::report::{Report, Row};
/// let report = Report {
///     machine: "test box".into(),
///     repetitions: 3,
///     rows: vec![Row {
///         case: "c".into(), workers: 1, ops: 1, unit: "iter".into(),
///         median_ns: [1.0, 2.0, 4.0], spread: [0.0; 3], cpu_ns: None, delayed_acks: None,
///     }],
///     latency: Vec::new(),
///     lateness: None,
///     memory: Vec::new(),
/// };
/// assert!(report.table().contains("0.50"));
/// let json: serde_json::Value = serde_json::from_str(&report.json()).unwrap();
/// assert_eq!(json["cases"][0]["vs_tokio"], 0.5);
/// assert!(report.svg().starts_with("<svg"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Free-form description of the machine (CPU model, core count).
    pub machine: String,
    /// Samples per runtime per case.
    pub repetitions: usize,
    /// One row per case, in run order.
    pub rows: Vec<Row>,
    /// Latency percentiles of the workloads that have them (`Workload::LATENCY`).
    pub latency: Vec<LatencyRow>,
    /// Timer lateness on an idle runtime, when measured.
    pub lateness: Option<Lateness>,
    /// Memory per idle item, when measured.
    pub memory: Vec<MemoryRow>,
}

/// Formats nanoseconds with a unit that keeps 3-4 significant digits.
pub(crate) fn human_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// `x` rounded to `decimals` places: the JSON keeps the precision the measurement has.
pub(crate) fn rounded(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// `x` rounded to a whole number, or `null` when it is not finite (a rate of a zero time).
pub(crate) fn whole(x: f64) -> Option<i64> {
    x.is_finite().then(|| x.round() as i64)
}

/// One case as a JSON object: its identity, then per runtime (in [`RUNTIMES`] order) the
/// median ns per iteration and per op, ops per second and the sample spread, then the ratios.
impl Serialize for Row {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("case", &self.case)?;
        map.serialize_entry("workers", &self.workers)?;
        map.serialize_entry("ops", &self.ops)?;
        map.serialize_entry("unit", &self.unit)?;
        let per_op = self.per_op_ns();
        for (k, name) in RUNTIMES.iter().enumerate() {
            map.serialize_entry(&format!("{name}_ns"), &rounded(self.median_ns[k], 1))?;
            map.serialize_entry(&format!("{name}_ns_per_op"), &rounded(per_op[k], 2))?;
            map.serialize_entry(&format!("{name}_ops_per_s"), &whole(1e9 / per_op[k]))?;
            map.serialize_entry(&format!("{name}_spread"), &rounded(self.spread[k], 3))?;
            if let Some(cpu) = self.cpu_per_op_ns() {
                map.serialize_entry(&format!("{name}_cpu_ns_per_op"), &rounded(cpu[k], 2))?;
            }
            if let Some(acks) = self.delayed_acks_per_op() {
                map.serialize_entry(&format!("{name}_delayed_acks_per_op"), &rounded(acks[k], 4))?;
            }
        }
        map.serialize_entry("vs_tokio", &rounded(self.vs_tokio(), 4))?;
        map.serialize_entry("vs_best_peer", &rounded(self.vs_best_peer(), 4))?;
        if let Some([r, t, s]) = self.cpu_ns {
            map.serialize_entry("cpu_vs_tokio", &rounded(r / t, 4))?;
            map.serialize_entry("cpu_vs_best_peer", &rounded(r / t.min(s), 4))?;
        }
        map.end()
    }
}

/// The whole run: machine, repetitions, the unit, the cases, then the timer lateness and the
/// memory rows when they were measured.
impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("machine", &self.machine)?;
        map.serialize_entry("repetitions", &self.repetitions)?;
        map.serialize_entry(
            "unit",
            "ns per iteration (median); per_op = per iteration / ops",
        )?;
        map.serialize_entry("cases", &self.rows)?;
        map.serialize_entry("cpu_measure", CPU_HEADER)?;
        if !self.latency.is_empty() {
            map.serialize_entry("latency", &self.latency)?;
        }
        if let Some(lateness) = &self.lateness {
            map.serialize_entry("timer_lateness", lateness)?;
        }
        if !self.memory.is_empty() {
            map.serialize_entry("memory", &self.memory)?;
        }
        map.end()
    }
}

impl Report {
    /// Fixed-width text tables: median time per operation for each runtime and the two
    /// ratios, then the CPU-time, latency, lateness and memory tables when measured.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<22} {:>7} {:>11} {:>11} {:>11} {:>9} {:>9}\n",
            "case", "per", "runtime", "tokio", "smol", "rt/tokio", "rt/best"
        );
        for row in &self.rows {
            let [r, t, s] = row.per_op_ns().map(human_ns);
            let _ = writeln!(
                out,
                "{:<22} {:>7} {r:>11} {t:>11} {s:>11} {:>9.2} {:>9.2}",
                row.case,
                row.unit,
                row.vs_tokio(),
                row.vs_best_peer()
            );
        }
        if self.rows.iter().any(|r| r.cpu_ns.is_some()) {
            out.push('\n');
            out.push_str(&cpu_table(&self.rows));
        }
        if !self.latency.is_empty() {
            out.push('\n');
            out.push_str(&latency_table(&self.latency));
        }
        if let Some(lateness) = &self.lateness {
            out.push('\n');
            out.push_str(&lateness.table());
        }
        if !self.memory.is_empty() {
            out.push('\n');
            out.push_str(&memory_table(&self.memory));
        }
        out
    }

    /// The same data as JSON (nanoseconds, ratios, sample spread), pretty-printed.
    pub fn json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).expect("a report is always valid JSON");
        out.push('\n');
        out
    }

    /// A horizontal bar chart of `runtime / tokio` and `runtime / min(tokio, smol)` per case
    /// (and per CPU-time, latency-percentile and memory row), with reference lines at 1.0 (parity) and 0.8 (the issue's target
    /// on the core cases), drawn with plotters' SVG backend.
    pub fn svg(&self) -> String {
        // Time rows, CPU time of the network rows, latency percentiles, then memory rows
        // (bytes instead of time; same "lower is better").
        let bars: Vec<(String, f64, f64)> = self
            .rows
            .iter()
            .map(|r| (r.case.clone(), r.vs_tokio(), r.vs_best_peer()))
            .chain(self.rows.iter().filter_map(|r| {
                let [rt, tokio, smol] = r.cpu_ns?;
                Some((format!("{} cpu", r.case), rt / tokio, rt / tokio.min(smol)))
            }))
            .chain(self.latency.iter().flat_map(|l| {
                let (tokio, best) = (l.vs_tokio(), l.vs_best_peer());
                [
                    (format!("{} p50", l.case), tokio[0], best[0]),
                    (format!("{} p99", l.case), tokio[1], best[1]),
                ]
            }))
            .chain(self.memory.iter().map(|m| {
                (
                    format!("memory: {}", m.what),
                    m.vs_tokio(),
                    m.vs_best_peer(),
                )
            }))
            .collect();
        let mut out = String::new();
        draw_chart(&mut out, &bars, &self.machine).expect("drawing into a String cannot fail");
        out
    }
}

/// Bar colours: `vs tokio`, `vs min(tokio, smol)`.
const TOKIO_BLUE: RGBColor = RGBColor(0x48, 0x78, 0xa8);
const BEST_ORANGE: RGBColor = RGBColor(0xe0, 0x88, 0x3a);

/// Draws [`Report::svg`]'s chart into `out`: one row of two bars per `(label, vs_tokio,
/// vs_best)`, laid out in pixels (label column, then the plot scaled to the largest ratio).
fn draw_chart(
    out: &mut String,
    bars: &[(String, f64, f64)],
    machine: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    const LEFT: i32 = 190;
    const PLOT: f64 = 560.0;
    const ROW: i32 = 34;
    const TOP: i32 = 40;
    let rows = i32::try_from(bars.len())?;
    let max_ratio = bars
        .iter()
        .flat_map(|&(_, t, b)| [t, b])
        .filter(|r| r.is_finite())
        .fold(1.5_f64, f64::max)
        .ceil();
    let x = |ratio: f64| LEFT + (PLOT * ratio / max_ratio).round() as i32;
    let bottom = TOP + ROW * rows;
    let size = (
        u32::try_from(LEFT)? + PLOT as u32 + 60,
        u32::try_from(bottom + 40)?,
    );

    let root = SVGBackend::with_string(out, size).into_drawing_area();
    root.fill(&WHITE)?;
    // plotters draws a font of size `s` at `s / 1.24` px: 15 gives the 12 px of the old chart.
    let font = |size: f64| ("sans-serif", size).into_font().color(&BLACK);
    let right = Pos::new(HPos::Right, VPos::Center);
    root.draw(&Text::new(
        "runtime / peer (median time or bytes; lower is better)",
        (LEFT, 3),
        font(15.0),
    ))?;
    for (k, (color, label)) in [
        (TOKIO_BLUE, "vs tokio"),
        (BEST_ORANGE, "vs min(tokio, smol)"),
    ]
    .into_iter()
    .enumerate()
    {
        let at = LEFT + 100 * i32::try_from(k)?;
        root.draw(&Rectangle::new([(at, 22), (at + 10, 32)], color.filled()))?;
        root.draw(&Text::new(label, (at + 14, 22), font(15.0)))?;
    }
    for (i, (label, vs_tokio, vs_best)) in bars.iter().enumerate() {
        let y = TOP + ROW * i32::try_from(i)?;
        root.draw(&Text::new(
            label.as_str(),
            (LEFT - 8, y + 16),
            font(15.0).pos(right),
        ))?;
        for (k, (ratio, color)) in [(*vs_tokio, TOKIO_BLUE), (*vs_best, BEST_ORANGE)]
            .into_iter()
            .enumerate()
        {
            let by = y + 4 + 13 * i32::try_from(k)?;
            let end = if ratio.is_finite() { x(ratio) } else { LEFT };
            root.draw(&Rectangle::new(
                [(LEFT, by), (end, by + 12)],
                color.filled(),
            ))?;
            root.draw(&Text::new(
                format!("{ratio:.2}"),
                (end + 3, by + 1),
                font(12.5),
            ))?;
        }
    }
    let line = BLACK.stroke_width(1);
    for ratio in [1.0, 0.8] {
        let at = x(ratio);
        let points = [(at, TOP), (at, bottom)];
        if ratio == 1.0 {
            root.draw(&PathElement::new(points, line))?;
        } else {
            root.draw(&DashedPathElement::new(points, 4, 3, line))?;
        }
        let center = Pos::new(HPos::Center, VPos::Top);
        root.draw(&Text::new(
            format!("{ratio}"),
            (at, bottom + 4),
            font(15.0).pos(center),
        ))?;
    }
    root.draw(&Text::new(machine, (LEFT, bottom + 24), font(12.5)))?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            machine: "cpu \"x\" <2 cores>".into(),
            repetitions: 5,
            rows: vec![
                Row {
                    case: "a".into(),
                    workers: 2,
                    ops: 1,
                    unit: "iter".into(),
                    median_ns: [1_500.0, 3_000.0, 1_000.0],
                    spread: [0.1; 3],
                    cpu_ns: None,
                    delayed_acks: None,
                },
                Row {
                    case: "b_1w".into(),
                    workers: 1,
                    ops: 1,
                    unit: "iter".into(),
                    median_ns: [2e6, 1e6, 4e6],
                    spread: [0.0; 3],
                    cpu_ns: None,
                    delayed_acks: None,
                },
            ],
            latency: Vec::new(),
            lateness: None,
            memory: Vec::new(),
        }
    }

    #[test]
    fn ratios_compare_against_tokio_and_the_faster_peer() {
        let r = report();
        assert_eq!(r.rows[0].vs_tokio(), 0.5);
        assert_eq!(r.rows[0].vs_best_peer(), 1.5);
        assert_eq!(r.rows[1].vs_tokio(), 2.0);
        assert_eq!(r.rows[1].vs_best_peer(), 2.0);
    }

    #[test]
    fn table_has_a_header_and_one_line_per_case_with_units() {
        let t = report().table();
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[1].starts_with("a ") && lines[1].contains("1.5 µs") && lines[1].contains("1.50")
        );
        assert!(lines[2].contains("2.00 ms") && lines[2].contains("1.00 ms"));
    }

    /// The bars of [`Report::svg`]: `<rect>`s filled with one of the two bar colours.
    fn bar_count(svg: &str) -> usize {
        svg.lines()
            .filter(|l| l.starts_with("<rect") && l.contains("height=\"12\""))
            .filter(|l| l.contains("#4878A8") || l.contains("#E0883A"))
            .count()
    }

    #[test]
    fn json_escapes_strings_and_lists_every_case_in_key_order() {
        let j = report().json();
        let v: serde_json::Value = serde_json::from_str(&j).unwrap();
        assert_eq!(v["machine"], "cpu \"x\" <2 cores>");
        assert_eq!(v["repetitions"], 5);
        let cases = v["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0]["runtime_ns"], 1500.0);
        assert_eq!(cases[0]["tokio_ns_per_op"], 3000.0);
        assert_eq!(cases[0]["smol_ops_per_s"], 1_000_000);
        assert_eq!(cases[0]["runtime_spread"], 0.1);
        assert_eq!(cases[1]["vs_best_peer"], 2.0);
        // Keys in the documented order: identity, per runtime, then the ratios.
        let keys: Vec<&str> = cases[0]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let at = |key: &str| j.find(&format!("\"{key}\"")).unwrap();
        assert!(at("case") < at("workers") && at("unit") < at("runtime_ns"));
        assert!(at("smol_spread") < at("vs_tokio") && at("vs_tokio") < at("vs_best_peer"));
        assert_eq!(keys.len(), 4 + 4 * 3 + 2);
        assert!(!j.contains("timer_lateness") && !j.contains("memory"));
        assert!(!j.contains("cpu_ns_per_op") && !j.contains("\"latency\""));
    }

    /// `report()` whose first row does 10 operations and carries CPU figures and `acks`.
    fn report_with_cpu(acks: Option<[f64; 3]>) -> Report {
        let mut r = report();
        r.rows[0].ops = 10;
        r.rows[0].cpu_ns = Some([4_000.0, 8_000.0, 5_000.0]);
        r.rows[0].delayed_acks = acks;
        r
    }

    /// The CPU table of `r`'s text table, and that table's line for row `a`.
    fn cpu_table_and_line(r: &Report) -> (String, String) {
        let t = r.table();
        let at = t.find("CPU time per operation").expect("a CPU table");
        let cpu = t[at..].to_string();
        let line = cpu
            .lines()
            .find(|l| l.starts_with("a "))
            .unwrap()
            .to_string();
        (cpu, line)
    }

    #[test]
    fn cpu_rows_get_per_op_cpu_in_json_and_a_table_that_says_how_it_was_measured() {
        let r = report_with_cpu(None);
        let (cpu, line) = cpu_table_and_line(&r);
        assert!(cpu.contains("getrusage"), "{cpu}");
        assert!(line.contains("400 ns") && line.contains("0.50") && line.contains("0.80"));
        // Only the row with a CPU figure is in the CPU table.
        assert!(!cpu.lines().any(|l| l.starts_with("b_1w")));
        let v: serde_json::Value = serde_json::from_str(&r.json()).unwrap();
        assert_eq!(v["cases"][0]["runtime_cpu_ns_per_op"], 400.0);
        assert_eq!(v["cases"][0]["cpu_vs_tokio"], 0.5);
        assert_eq!(v["cases"][0]["cpu_vs_best_peer"], 0.8);
        assert!(v["cases"][1].get("cpu_vs_tokio").is_none());
        assert!(v["cases"][0].get("runtime_delayed_acks_per_op").is_none());
        assert!(!line.contains("ACKs"));
    }

    #[test]
    fn delayed_acks_go_per_op_into_json_and_the_cpu_table() {
        let r = report_with_cpu(Some([3.0, 1.0, 0.0]));
        let (cpu, line) = cpu_table_and_line(&r);
        assert!(cpu.contains("delayed ACKs"), "{cpu}");
        assert!(line.contains("0.300") && line.contains("0.100") && line.contains("0.000"));
        let v: serde_json::Value = serde_json::from_str(&r.json()).unwrap();
        assert_eq!(v["cases"][0]["runtime_delayed_acks_per_op"], 0.3);
        assert_eq!(v["cases"][0]["tokio_delayed_acks_per_op"], 0.1);
        assert!(v["cases"][1].get("runtime_delayed_acks_per_op").is_none());
    }

    #[test]
    fn latency_rows_report_p50_and_p99_with_ratios() {
        let mut r = report();
        r.latency = vec![LatencyRow {
            case: "fanout_wake".into(),
            what: "wake latency".into(),
            samples: 2000,
            p50_ns: [10_000.0, 12_500.0, 20_000.0],
            p99_ns: [30_000.0, 22_300.0, 40_000.0],
        }];
        let t = r.table();
        let p50 = t
            .lines()
            .find(|l| l.starts_with("fanout_wake p50"))
            .unwrap();
        assert!(p50.contains("10.0 µs") && p50.contains("0.80"), "{p50}");
        let p99 = t
            .lines()
            .find(|l| l.starts_with("fanout_wake p99"))
            .unwrap();
        assert!(p99.contains("1.35"), "{p99}");
        let v: serde_json::Value = serde_json::from_str(&r.json()).unwrap();
        assert_eq!(v["latency"][0]["case"], "fanout_wake");
        assert_eq!(v["latency"][0]["samples"], 2000);
        assert_eq!(v["latency"][0]["tokio_p99_ns"], 22_300);
        assert_eq!(v["latency"][0]["p50_vs_tokio"], 0.8);
    }

    #[test]
    fn json_writes_null_for_a_rate_of_a_zero_time() {
        let mut r = report();
        r.rows[0].median_ns[2] = 0.0;
        let v: serde_json::Value = serde_json::from_str(&r.json()).unwrap();
        assert!(v["cases"][0]["smol_ops_per_s"].is_null());
    }

    #[test]
    fn svg_draws_two_bars_per_case_and_escapes_text() {
        let s = report().svg();
        assert_eq!(bar_count(&s), 4);
        assert!(s.contains("&lt;2 cores&gt;"), "{s}");
        assert!(s.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn lateness_and_memory_appear_in_table_json_and_chart() {
        let mut r = report();
        r.lateness = Some(Lateness {
            samples: 100,
            mean_ns: [1.3e6, 1.0e6, 0.3e6],
            p99_ns: [1.5e6, 1.8e6, 2.2e6],
            max_ns: [2.0e6, 2.5e6, 3.0e6],
        });
        r.memory = vec![MemoryRow {
            what: "idle task".into(),
            count: 1_000_000,
            bytes: [128.0, 320.0, 64.0],
        }];
        let t = r.table();
        let mean = t.lines().find(|l| l.starts_with("mean")).unwrap();
        assert!(mean.contains("1.30 ms") && mean.ends_with("NO"), "{mean}");
        let p99 = t.lines().find(|l| l.starts_with("p99")).unwrap();
        assert!(p99.ends_with("yes"), "{p99}");
        let mem = t.lines().find(|l| l.starts_with("idle task")).unwrap();
        assert!(mem.contains("128 B") && mem.contains("0.40") && mem.contains("2.00"));
        let v: serde_json::Value = serde_json::from_str(&r.json()).unwrap();
        assert_eq!(v["timer_lateness"]["samples"], 100);
        assert_eq!(v["timer_lateness"]["runtime"]["mean_ns"], 1_300_000);
        assert_eq!(v["timer_lateness"]["target_p99_ns"], 2_000_000);
        assert_eq!(v["memory"][0]["what"], "idle task");
        assert_eq!(v["memory"][0]["count"], 1_000_000);
        assert_eq!(v["memory"][0]["tokio_bytes"], 320.0);
        assert_eq!(v["memory"][0]["vs_tokio"], 0.4);
        let s = r.svg();
        assert_eq!(bar_count(&s), 6);
        assert!(s.contains("memory: idle task"));
    }
}
