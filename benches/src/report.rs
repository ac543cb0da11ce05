//! The `compare` report: one [`Row`] per case with the three runtimes' median times, rendered
//! as a text table, JSON and an SVG bar chart of the ratios (all hand-written, no extra
//! dependencies).

pub use crate::side_tables::{Lateness, MemoryRow, memory_json, memory_table};
use std::fmt::Write;

/// The runtimes in column order.
pub const RUNTIMES: [&str; 3] = ["runtime", "tokio", "smol"];

/// One case's result.
///
/// ```
/// use benches::report::Row;
/// let row = Row {
///     case: "x".into(), workers: 2, ops: 1, unit: "iter".into(),
///     median_ns: [50.0, 100.0, 80.0], spread: [0.0; 3],
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
///         median_ns: [1.0, 2.0, 4.0], spread: [0.0; 3],
///     }],
///     lateness: None,
///     memory: Vec::new(),
/// };
/// assert!(report.table().contains("0.50"));
/// assert!(report.json().contains("\"vs_tokio\": 0.5000"));
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

pub(crate) fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Report {
    /// Fixed-width text tables: median time per operation for each runtime and the two
    /// ratios, then the lateness and memory tables when measured.
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

    /// The same data as JSON (nanoseconds, ratios, sample spread).
    pub fn json(&self) -> String {
        let mut out = String::from("{\n");
        let _ = writeln!(out, "  \"machine\": {},", json_str(&self.machine));
        let _ = writeln!(out, "  \"repetitions\": {},", self.repetitions);
        out.push_str("  \"unit\": \"ns per iteration (median); per_op = per iteration / ops\",\n");
        out.push_str("  \"cases\": [\n");
        for (i, row) in self.rows.iter().enumerate() {
            let _ = write!(
                out,
                "    {{\"case\": {}, \"workers\": {}, \"ops\": {}, \"unit\": {}, ",
                json_str(&row.case),
                row.workers,
                row.ops,
                json_str(&row.unit)
            );
            for (k, name) in RUNTIMES.iter().enumerate() {
                let _ = write!(out, "\"{name}_ns\": {:.1}, ", row.median_ns[k]);
                let per_op = row.per_op_ns()[k];
                let _ = write!(out, "\"{name}_ns_per_op\": {per_op:.2}, ");
                let _ = write!(out, "\"{name}_ops_per_s\": {:.0}, ", 1e9 / per_op);
                let _ = write!(out, "\"{name}_spread\": {:.3}, ", row.spread[k]);
            }
            let _ = write!(
                out,
                "\"vs_tokio\": {:.4}, \"vs_best_peer\": {:.4}}}",
                row.vs_tokio(),
                row.vs_best_peer()
            );
            out.push_str(if i + 1 < self.rows.len() { ",\n" } else { "\n" });
        }
        out.push_str("  ]");
        if let Some(lateness) = &self.lateness {
            let _ = write!(out, ",\n  \"timer_lateness\": {}", lateness.json());
        }
        if !self.memory.is_empty() {
            let _ = write!(out, ",\n  \"memory\": {}", memory_json(&self.memory));
        }
        out.push_str("\n}\n");
        out
    }

    /// A horizontal bar chart of `runtime / tokio` and `runtime / min(tokio, smol)` per case
    /// (and per memory row), with reference lines at 1.0 (parity) and 0.8 (the issue's target on the core cases).
    pub fn svg(&self) -> String {
        const LEFT: f64 = 190.0;
        const PLOT: f64 = 560.0;
        const ROW: f64 = 34.0;
        const TOP: f64 = 40.0;
        // Time rows, then memory rows (bytes instead of time; same "lower is better").
        let bars: Vec<(String, f64, f64)> = self
            .rows
            .iter()
            .map(|r| (r.case.clone(), r.vs_tokio(), r.vs_best_peer()))
            .chain(self.memory.iter().map(|m| {
                (
                    format!("memory: {}", m.what),
                    m.vs_tokio(),
                    m.vs_best_peer(),
                )
            }))
            .collect();
        let max_ratio = bars
            .iter()
            .flat_map(|&(_, t, b)| [t, b])
            .filter(|r| r.is_finite())
            .fold(1.5_f64, f64::max)
            .ceil();
        let x = |ratio: f64| LEFT + PLOT * ratio / max_ratio;
        let height = TOP + ROW * bars.len() as f64 + 40.0;
        let width = LEFT + PLOT + 60.0;
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
             font-family=\"sans-serif\" font-size=\"12\">\n\
             <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
             <text x=\"{LEFT}\" y=\"16\">runtime / peer (median time or bytes; lower is better)</text>\n\
             <rect x=\"{LEFT}\" y=\"22\" width=\"10\" height=\"10\" fill=\"#4878a8\"/>\
             <text x=\"{}\" y=\"31\">vs tokio</text>\n\
             <rect x=\"{}\" y=\"22\" width=\"10\" height=\"10\" fill=\"#e0883a\"/>\
             <text x=\"{}\" y=\"31\">vs min(tokio, smol)</text>\n",
            LEFT + 14.0,
            LEFT + 90.0,
            LEFT + 104.0
        );
        for (i, (label, vs_tokio, vs_best)) in bars.iter().enumerate() {
            let y = TOP + ROW * i as f64;
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                LEFT - 8.0,
                y + 20.0,
                xml_escape(label)
            );
            for (k, (ratio, color)) in [(*vs_tokio, "#4878a8"), (*vs_best, "#e0883a")]
                .into_iter()
                .enumerate()
            {
                let by = y + 4.0 + 13.0 * k as f64;
                let _ = writeln!(
                    out,
                    "<rect class=\"bar\" x=\"{LEFT}\" y=\"{by}\" width=\"{:.1}\" height=\"12\" \
                     fill=\"{color}\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"10\">{ratio:.2}</text>",
                    x(ratio) - LEFT,
                    x(ratio) + 3.0,
                    by + 10.0
                );
            }
        }
        let bottom = TOP + ROW * bars.len() as f64;
        for (ratio, dash) in [(1.0, ""), (0.8, " stroke-dasharray=\"4 3\"")] {
            let _ = writeln!(
                out,
                "<line x1=\"{0:.1}\" y1=\"{TOP}\" x2=\"{0:.1}\" y2=\"{bottom}\" stroke=\"black\"{dash}/>\
                 <text x=\"{0:.1}\" y=\"{1}\" text-anchor=\"middle\">{ratio}</text>",
                x(ratio),
                bottom + 14.0
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{LEFT}\" y=\"{}\" font-size=\"10\">{}</text>\n</svg>",
            bottom + 32.0,
            xml_escape(&self.machine)
        );
        out
    }
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
                },
                Row {
                    case: "b_1w".into(),
                    workers: 1,
                    ops: 1,
                    unit: "iter".into(),
                    median_ns: [2e6, 1e6, 4e6],
                    spread: [0.0; 3],
                },
            ],
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

    #[test]
    fn json_escapes_strings_and_lists_every_case() {
        let j = report().json();
        assert!(j.contains(r#""machine": "cpu \"x\" <2 cores>""#));
        assert!(j.contains(
            r#""case": "a", "workers": 2, "ops": 1, "unit": "iter", "runtime_ns": 1500.0"#
        ));
        assert!(j.contains(r#""vs_best_peer": 2.0000}"#));
        assert_eq!(j.matches("\"case\"").count(), 2);
        // Exactly one separator between the two case objects, none after the last.
        assert_eq!(j.matches("},\n").count(), 1);
    }

    #[test]
    fn svg_draws_two_bars_per_case_and_escapes_text() {
        let s = report().svg();
        assert_eq!(s.matches("class=\"bar\"").count(), 4);
        assert!(s.contains("&lt;2 cores&gt;"));
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
        let j = r.json();
        assert!(j.contains(r#""timer_lateness": {"samples": 100, "runtime": {"mean_ns": 1300000"#));
        assert!(j.contains(r#""memory": [{"what": "idle task", "count": 1000000"#));
        assert!(j.trim_end().ends_with('}'));
        let s = r.svg();
        assert_eq!(s.matches("class=\"bar\"").count(), 6);
        assert!(s.contains("memory: idle task"));
    }
}
