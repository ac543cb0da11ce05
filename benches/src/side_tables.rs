//! The `compare` tables beside "time per operation": CPU time of the network rows
//! ([`cpu_table`]), latency percentiles ([`LatencyRow`]), timer lateness ([`Lateness`]) and
//! memory per idle item ([`MemoryRow`]), each rendered as text and JSON (`serde_json`).

use crate::report::{RUNTIMES, Row, human_ns, rounded, whole};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::fmt::Write;

/// Target mean lateness from issue 4, nanoseconds.
pub const MEAN_TARGET_NS: f64 = 1.2e6;
/// Target p99 lateness from issue 4, nanoseconds.
pub const P99_TARGET_NS: f64 = 2.0e6;

/// How late 1..50 ms sleeps woke on an idle runtime, per runtime in [`RUNTIMES`] order.
///
/// ```
/// use benches::report::Lateness;
/// let l = Lateness { samples: 100, mean_ns: [1e5, 1e6, 2e6], p99_ns: [3e5, 1.5e6, 3e6], max_ns: [4e5; 3] };
/// assert!(l.table().contains("p99"));
/// let json: serde_json::Value = serde_json::from_str(&l.json()).unwrap();
/// assert_eq!(json["runtime"]["mean_ns"], 100_000);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Lateness {
    /// Sleeps measured per runtime.
    pub samples: usize,
    /// Mean lateness.
    pub mean_ns: [f64; 3],
    /// 99th percentile lateness (nearest rank).
    pub p99_ns: [f64; 3],
    /// Largest lateness seen.
    pub max_ns: [f64; 3],
}

impl Lateness {
    /// Text table: one line per statistic, one column per runtime, the target and whether
    /// `runtime` meets it.
    pub fn table(&self) -> String {
        let mut out = format!(
            "timer lateness: {} sleeps of 1..50 ms per runtime, idle runtime\n\
             {:<22} {:>11} {:>11} {:>11} {:>9} {:>9}\n",
            self.samples, "statistic", "runtime", "tokio", "smol", "target", "rt meets"
        );
        let lines = [
            ("mean", self.mean_ns, Some(MEAN_TARGET_NS)),
            ("p99", self.p99_ns, Some(P99_TARGET_NS)),
            ("max", self.max_ns, None),
        ];
        for (name, values, target) in lines {
            let [r, t, s] = values.map(human_ns);
            let (target, meets) = match target {
                Some(limit) => (
                    format!("< {}", human_ns(limit)),
                    if values[0] < limit { "yes" } else { "NO" },
                ),
                None => (String::new(), ""),
            };
            let _ = writeln!(
                out,
                "{name:<22} {r:>11} {t:>11} {s:>11} {target:>9} {meets:>9}"
            );
        }
        out
    }

    /// JSON object keyed by runtime.
    pub fn json(&self) -> String {
        serde_json::to_string(self).expect("lateness is always valid JSON")
    }
}

/// `{"samples": n, "runtime": {"mean_ns", "p99_ns", "max_ns"}, "tokio": ..., "smol": ...,
/// "target_mean_ns", "target_p99_ns"}`, nanoseconds as whole numbers.
impl Serialize for Lateness {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// One runtime's three statistics.
        struct Stats([Option<i64>; 3]);
        impl Serialize for Stats {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(3))?;
                map.serialize_entry("mean_ns", &self.0[0])?;
                map.serialize_entry("p99_ns", &self.0[1])?;
                map.serialize_entry("max_ns", &self.0[2])?;
                map.end()
            }
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("samples", &self.samples)?;
        for (k, name) in RUNTIMES.iter().enumerate() {
            let stats = [self.mean_ns[k], self.p99_ns[k], self.max_ns[k]].map(whole);
            map.serialize_entry(name, &Stats(stats))?;
        }
        map.serialize_entry("target_mean_ns", &whole(MEAN_TARGET_NS))?;
        map.serialize_entry("target_p99_ns", &whole(P99_TARGET_NS))?;
        map.end()
    }
}

/// How [`cpu_table`]'s figures are measured (also the JSON's `cpu_measure`).
pub const CPU_HEADER: &str = "process CPU time (user + sys, getrusage(RUSAGE_SELF) delta around \
    each sample; the other two runtimes idle in the same process), median per operation";

/// Text table of the rows that carry CPU time (`Row::cpu_ns`): CPU per operation for each
/// runtime, the ratios, and the runtime's CPU / wall time (how many of the 2 cores it kept
/// busy); then, where measured (`Row::delayed_acks`), the TCP delayed ACKs per operation for
/// each runtime, in the same order. A reply written after the delayed-ACK timeout costs a
/// segment of its own, so a row whose runtimes differ there differs in kernel work, not only in
/// scheduling (`docs/benchmarks.md`, issue 22, "Session 19").
///
/// ```
/// use benches::report::{Row, cpu_table};
/// let row = Row {
///     case: "echo".into(), workers: 2, ops: 2, unit: "msg".into(),
///     median_ns: [1_000.0, 1_000.0, 1_000.0], spread: [0.0; 3],
///     cpu_ns: Some([1_800.0, 2_000.0, 1_500.0]), delayed_acks: Some([1.0, 0.5, 0.0]),
/// };
/// let t = cpu_table(&[row]);
/// assert!(t.contains("getrusage") && t.contains("900 ns") && t.contains("0.90") && t.contains("1.80"));
/// assert!(t.contains("0.500") && t.contains("0.250"));
/// ```
pub fn cpu_table(rows: &[Row]) -> String {
    let mut out = format!(
        "CPU time per operation: {CPU_HEADER}\n\
         {:<22} {:>7} {:>11} {:>11} {:>11} {:>9} {:>9} {:>9}  {}\n",
        "case",
        "per",
        "runtime",
        "tokio",
        "smol",
        "rt/tokio",
        "rt/best",
        "rt cores",
        "delayed ACKs per op (rt tokio smol)"
    );
    for row in rows {
        let (Some(cpu), Some(per_op)) = (row.cpu_ns, row.cpu_per_op_ns()) else {
            continue;
        };
        let [r, t, s] = per_op.map(human_ns);
        let _ = write!(
            out,
            "{:<22} {:>7} {r:>11} {t:>11} {s:>11} {:>9.2} {:>9.2} {:>9.2}",
            row.case,
            row.unit,
            cpu[0] / cpu[1],
            cpu[0] / cpu[1].min(cpu[2]),
            cpu[0] / row.median_ns[0],
        );
        if let Some([r, t, s]) = row.delayed_acks_per_op() {
            let _ = write!(out, "  {r:.3} {t:.3} {s:.3}");
        }
        out.push('\n');
    }
    out
}

/// Latency percentiles of one workload (`Workload::latencies`), per runtime in [`RUNTIMES`]
/// order, pooled over all of `compare`'s iterations.
///
/// ```
/// use benches::report::{LatencyRow, latency_table};
/// let row = LatencyRow {
///     case: "fanout_wake".into(), what: "wake latency".into(), samples: 100,
///     p50_ns: [10e3, 12.5e3, 20e3], p99_ns: [20e3, 22e3, 30e3],
/// };
/// assert_eq!(row.vs_tokio(), [0.8, 20e3 / 22e3]);
/// assert!(latency_table(&[row]).contains("fanout_wake p50"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyRow {
    /// Case name.
    pub case: String,
    /// What one sample is (`Workload::LATENCY`).
    pub what: String,
    /// Samples per runtime.
    pub samples: usize,
    /// Median (nearest rank).
    pub p50_ns: [f64; 3],
    /// 99th percentile (nearest rank).
    pub p99_ns: [f64; 3],
}

impl LatencyRow {
    /// `[p50, p99]` of `runtime / tokio`.
    pub fn vs_tokio(&self) -> [f64; 2] {
        [
            self.p50_ns[0] / self.p50_ns[1],
            self.p99_ns[0] / self.p99_ns[1],
        ]
    }

    /// `[p50, p99]` of `runtime / min(tokio, smol)`.
    pub fn vs_best_peer(&self) -> [f64; 2] {
        [
            self.p50_ns[0] / self.p50_ns[1].min(self.p50_ns[2]),
            self.p99_ns[0] / self.p99_ns[1].min(self.p99_ns[2]),
        ]
    }
}

/// Text table of latency rows: a p50 and a p99 line per workload.
pub fn latency_table(rows: &[LatencyRow]) -> String {
    let mut out = format!(
        "latency percentiles (nearest rank, all samples of all iterations pooled)\n\
         {:<22} {:>11} {:>11} {:>11} {:>9} {:>9}\n",
        "case statistic", "runtime", "tokio", "smol", "rt/tokio", "rt/best"
    );
    for row in rows {
        let _ = writeln!(out, "  {}: {} samples per runtime", row.what, row.samples);
        let (tokio, best) = (row.vs_tokio(), row.vs_best_peer());
        for (k, (stat, values)) in [("p50", row.p50_ns), ("p99", row.p99_ns)]
            .into_iter()
            .enumerate()
        {
            let [r, t, s] = values.map(human_ns);
            let _ = writeln!(
                out,
                "{:<22} {r:>11} {t:>11} {s:>11} {:>9.2} {:>9.2}",
                format!("{} {stat}", row.case),
                tokio[k],
                best[k]
            );
        }
    }
    out
}

/// `{"case", "what", "samples", "runtime_p50_ns", "runtime_p99_ns", ..., "p50_vs_tokio",
/// "p99_vs_tokio", "p50_vs_best_peer", "p99_vs_best_peer"}`.
impl Serialize for LatencyRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("case", &self.case)?;
        map.serialize_entry("what", &self.what)?;
        map.serialize_entry("samples", &self.samples)?;
        for (k, name) in RUNTIMES.iter().enumerate() {
            map.serialize_entry(&format!("{name}_p50_ns"), &whole(self.p50_ns[k]))?;
            map.serialize_entry(&format!("{name}_p99_ns"), &whole(self.p99_ns[k]))?;
        }
        let (tokio, best) = (self.vs_tokio(), self.vs_best_peer());
        map.serialize_entry("p50_vs_tokio", &rounded(tokio[0], 4))?;
        map.serialize_entry("p99_vs_tokio", &rounded(tokio[1], 4))?;
        map.serialize_entry("p50_vs_best_peer", &rounded(best[0], 4))?;
        map.serialize_entry("p99_vs_best_peer", &rounded(best[1], 4))?;
        map.end()
    }
}

/// Resident memory per idle item, per runtime in [`RUNTIMES`] order.
///
/// ```
/// use benches::report::{MemoryRow, memory_table};
/// let row = MemoryRow { what: "idle task".into(), count: 10, bytes: [100.0, 200.0, 150.0] };
/// assert_eq!(row.vs_tokio(), 0.5);
/// assert!(memory_table(&[row]).contains("0.50"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryRow {
    /// What was counted ("idle task", "idle TCP connection").
    pub what: String,
    /// How many were alive when RSS was sampled.
    pub count: u64,
    /// RSS growth divided by `count`, bytes.
    pub bytes: [f64; 3],
}

impl MemoryRow {
    /// `runtime / tokio` bytes.
    pub fn vs_tokio(&self) -> f64 {
        self.bytes[0] / self.bytes[1]
    }

    /// `runtime / min(tokio, smol)` bytes.
    pub fn vs_best_peer(&self) -> f64 {
        self.bytes[0] / self.bytes[1].min(self.bytes[2])
    }
}

/// Text table of memory rows.
pub fn memory_table(rows: &[MemoryRow]) -> String {
    let mut out = format!(
        "memory per idle item (RSS growth / count, fresh process each)\n\
         {:<22} {:>7} {:>11} {:>11} {:>11} {:>9} {:>9}\n",
        "item", "count", "runtime", "tokio", "smol", "rt/tokio", "rt/best"
    );
    for row in rows {
        let [r, t, s] = row.bytes.map(|b| format!("{b:.0} B"));
        let _ = writeln!(
            out,
            "{:<22} {:>7} {r:>11} {t:>11} {s:>11} {:>9.2} {:>9.2}",
            row.what,
            row.count,
            row.vs_tokio(),
            row.vs_best_peer()
        );
    }
    out
}

/// JSON array of memory rows.
///
/// ```
/// use benches::report::{MemoryRow, memory_json};
/// let row = MemoryRow { what: "t".into(), count: 1, bytes: [1.0, 2.0, 3.0] };
/// let json: serde_json::Value = serde_json::from_str(&memory_json(&[row])).unwrap();
/// assert_eq!(json[0]["tokio_bytes"], 2.0);
/// ```
pub fn memory_json(rows: &[MemoryRow]) -> String {
    serde_json::to_string(rows).expect("memory rows are always valid JSON")
}

/// `{"what", "count", "runtime_bytes", "tokio_bytes", "smol_bytes", "vs_tokio",
/// "vs_best_peer"}`.
impl Serialize for MemoryRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("what", &self.what)?;
        map.serialize_entry("count", &self.count)?;
        for (k, name) in RUNTIMES.iter().enumerate() {
            map.serialize_entry(&format!("{name}_bytes"), &rounded(self.bytes[k], 1))?;
        }
        map.serialize_entry("vs_tokio", &rounded(self.vs_tokio(), 4))?;
        map.serialize_entry("vs_best_peer", &rounded(self.vs_best_peer(), 4))?;
        map.end()
    }
}
