//! The poll-time histogram's bucket layout: linear (equal widths) or log-linear (each power of
//! two split into `2^p` equal sub-buckets, so a bucket is at most `2^-p` of its values wide).
//!
//! Only the layout lives here (which bucket a duration falls in, what range a bucket covers);
//! the counts are plain `u64`s in each worker's `Stats`, published to its `WorkerMetrics`.

use std::fmt;
use std::ops::Range;
use std::time::Duration;

/// How the poll-time histogram splits durations into buckets; see
/// [`Builder::metrics_poll_time_histogram_configuration`](crate::Builder::metrics_poll_time_histogram_configuration).
///
/// ```
/// use runtime::{HistogramConfiguration, LogHistogram};
/// use std::time::Duration;
///
/// // Ten 100 µs buckets, the last one open-ended (the default once the histogram is enabled).
/// let linear = HistogramConfiguration::linear(Duration::from_micros(100), 10);
/// // Log-linear buckets from 1 µs to 1 s, each at most 25 % wide.
/// let log = HistogramConfiguration::log(
///     LogHistogram::builder()
///         .min_value(Duration::from_micros(1))
///         .max_value(Duration::from_secs(1))
///         .max_error(0.25),
/// );
/// let rt = runtime::Builder::new_current_thread()
///     .enable_metrics_poll_time_histogram()
///     .metrics_poll_time_histogram_configuration(log)
///     .build()
///     .unwrap();
/// assert!(rt.metrics().poll_time_histogram_num_buckets() > 10);
/// # drop(linear);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistogramConfiguration {
    layout: Layout,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Linear { width_ns: u64, buckets: usize },
    Log(LogHistogram),
}

impl HistogramConfiguration {
    /// `num_buckets` buckets of `bucket_width` each, starting at zero; the last bucket also
    /// takes every longer poll.
    ///
    /// # Panics
    /// If `bucket_width` is zero or `num_buckets` is zero.
    ///
    /// ```
    /// let c = runtime::HistogramConfiguration::linear(std::time::Duration::from_millis(1), 4);
    /// # drop(c);
    /// ```
    pub fn linear(bucket_width: Duration, num_buckets: usize) -> HistogramConfiguration {
        assert!(
            !bucket_width.is_zero(),
            "histogram bucket_width must be greater than zero"
        );
        assert!(num_buckets > 0, "histogram num_buckets must be at least 1");
        HistogramConfiguration {
            layout: Layout::Linear {
                width_ns: duration_ns(bucket_width).max(1),
                buckets: num_buckets,
            },
        }
    }

    /// Log-linear buckets ([`LogHistogram`]): fine buckets for short polls, wide ones for long
    /// polls, with a bounded relative error.
    ///
    /// ```
    /// let c = runtime::HistogramConfiguration::log(runtime::LogHistogram::default());
    /// # drop(c);
    /// ```
    pub fn log(configuration: impl Into<LogHistogram>) -> HistogramConfiguration {
        HistogramConfiguration {
            layout: Layout::Log(configuration.into()),
        }
    }

    /// Number of buckets.
    pub(crate) fn num_buckets(&self) -> usize {
        match self.layout {
            Layout::Linear { buckets, .. } => buckets,
            Layout::Log(log) => log.num_buckets,
        }
    }

    /// The bucket a poll of `ns` nanoseconds falls in.
    #[inline]
    pub(crate) fn bucket_of(&self, ns: u64) -> usize {
        match self.layout {
            Layout::Linear { width_ns, buckets } => ((ns / width_ns) as usize).min(buckets - 1),
            Layout::Log(log) => log.bucket_of(ns),
        }
    }

    /// The durations bucket `bucket` counts (the last one ends at `u64::MAX` nanoseconds).
    ///
    /// # Panics
    /// If `bucket >= num_buckets()`.
    pub(crate) fn bucket_range(&self, bucket: usize) -> Range<Duration> {
        let buckets = self.num_buckets();
        assert!(
            bucket < buckets,
            "histogram bucket {bucket} out of range (the histogram has {buckets} buckets)"
        );
        let (start, end) = match self.layout {
            Layout::Linear { width_ns, .. } => {
                let start = width_ns.saturating_mul(bucket as u64);
                let end = if bucket + 1 == buckets {
                    u64::MAX
                } else {
                    start.saturating_add(width_ns)
                };
                (start, end)
            }
            Layout::Log(log) => log.bucket_bounds(bucket),
        };
        Duration::from_nanos(start)..Duration::from_nanos(end)
    }
}

impl Default for HistogramConfiguration {
    /// Tokio's default: ten linear buckets of 100 µs.
    fn default() -> HistogramConfiguration {
        HistogramConfiguration::linear(Duration::from_micros(100), 10)
    }
}

/// A log-linear bucket layout: each power-of-two range of durations is split into `2^p` equal
/// buckets, so every bucket is at most `2^-p` of its values wide (the relative error). The
/// first bucket covers everything below `min_value`, the last everything from `max_value` up.
///
/// Build one with [`LogHistogram::builder`]; the default is `min_value` 100 ns, `max_value`
/// 60 s, `p = 2` (25 % error).
///
/// ```
/// let log = runtime::LogHistogram::default();
/// // The last bucket holds 60 s; it starts at most 25 % below it.
/// assert!((48_000_000_000..=60_000_000_000).contains(&log.max_value()));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogHistogram {
    /// Sub-buckets per power of two: `2^p`.
    p: u32,
    /// Raw bucket indices up to this one all go to bucket 0.
    offset: usize,
    num_buckets: usize,
}

impl LogHistogram {
    /// A builder with the default settings.
    ///
    /// ```
    /// let log = runtime::LogHistogram::builder().precision_exact(0).build();
    /// # drop(log);
    /// ```
    pub fn builder() -> LogHistogramBuilder {
        LogHistogramBuilder::default()
    }

    /// Where the last, open-ended bucket starts, in nanoseconds.
    ///
    /// ```
    /// let log = runtime::LogHistogram::builder()
    ///     .max_value(std::time::Duration::from_millis(1))
    ///     .build();
    /// assert!(log.max_value() <= 1_000_000);
    /// ```
    pub fn max_value(&self) -> u64 {
        self.bucket_bounds(self.num_buckets - 1).0
    }

    /// Raw (untruncated) index of `ns`: values below `2^p` get one bucket each, then each
    /// power of two `2^h` (`h >= p`) gets `2^p` buckets of width `2^(h-p)`.
    fn raw_index(p: u32, ns: u64) -> usize {
        let sub = 1u64 << p;
        if ns < sub {
            return ns as usize;
        }
        let h = 63 - ns.leading_zeros();
        let shift = h - p;
        ((shift as u64) * sub + (ns >> shift)) as usize
    }

    /// Lowest value of raw index `index` (inverse of [`LogHistogram::raw_index`]).
    fn raw_lower(p: u32, index: usize) -> u64 {
        let sub = 1usize << p;
        if index < sub {
            return index as u64;
        }
        let shift = (index / sub - 1) as u32;
        let mantissa = (sub + index % sub) as u64;
        mantissa
            .checked_shl(shift)
            .filter(|v| v >> shift == mantissa)
            .unwrap_or(u64::MAX)
    }

    fn bucket_of(&self, ns: u64) -> usize {
        Self::raw_index(self.p, ns)
            .saturating_sub(self.offset)
            .min(self.num_buckets - 1)
    }

    fn bucket_bounds(&self, bucket: usize) -> (u64, u64) {
        let start = if bucket == 0 {
            0
        } else {
            Self::raw_lower(self.p, self.offset + bucket)
        };
        let end = if bucket + 1 == self.num_buckets {
            u64::MAX
        } else {
            Self::raw_lower(self.p, self.offset + bucket + 1)
        };
        (start, end)
    }
}

impl Default for LogHistogram {
    fn default() -> LogHistogram {
        LogHistogram::builder().build()
    }
}

/// Settings of a [`LogHistogram`]: precision, and the range given fine buckets.
///
/// ```
/// use std::time::Duration;
/// let log = runtime::LogHistogram::builder()
///     .min_value(Duration::from_micros(10))
///     .max_value(Duration::from_millis(100))
///     .max_error(0.1)
///     .max_buckets(250)
///     .expect("fits in 250 buckets");
/// # drop(log);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LogHistogramBuilder {
    p: u32,
    min_ns: u64,
    max_ns: u64,
}

/// The most sub-bucket bits: 2^10 buckets per power of two (0.1 % error).
const MAX_PRECISION: u32 = 10;

impl Default for LogHistogramBuilder {
    fn default() -> LogHistogramBuilder {
        LogHistogramBuilder {
            p: 2,
            min_ns: 100,
            max_ns: 60_000_000_000,
        }
    }
}

impl LogHistogramBuilder {
    /// The largest relative error (bucket width over its values) allowed: picks the smallest
    /// `p` with `2^-p <= max_error`.
    ///
    /// # Panics
    /// If `max_error` is not in `(0, 1)`, or needs more than 10 bits of precision.
    pub fn max_error(mut self, max_error: f64) -> LogHistogramBuilder {
        assert!(
            max_error > 0.0 && max_error < 1.0,
            "max_error must be between 0 and 1 (exclusive), got {max_error}"
        );
        let p = (0..=MAX_PRECISION)
            .find(|&p| 1.0 / f64::from(1u32 << p) <= max_error)
            .unwrap_or_else(|| {
                panic!("max_error {max_error} needs more than 10 bits of precision")
            });
        self.p = p;
        self
    }

    /// Sets `p` directly: `2^p` buckets per power of two.
    ///
    /// # Panics
    /// If `p > 10`.
    pub fn precision_exact(mut self, p: u32) -> LogHistogramBuilder {
        assert!(p <= MAX_PRECISION, "precision must be at most 10, got {p}");
        self.p = p;
        self
    }

    /// Polls shorter than this all go to the first bucket.
    pub fn min_value(mut self, min_value: Duration) -> LogHistogramBuilder {
        self.min_ns = duration_ns(min_value);
        self
    }

    /// Polls at least this long all go to the last bucket.
    pub fn max_value(mut self, max_value: Duration) -> LogHistogramBuilder {
        self.max_ns = duration_ns(max_value);
        self
    }

    /// Builds the layout, or fails if it needs more than `max_buckets` buckets.
    pub fn max_buckets(
        self,
        max_buckets: usize,
    ) -> Result<LogHistogram, InvalidHistogramConfiguration> {
        let histogram = self.build();
        if histogram.num_buckets > max_buckets {
            return Err(InvalidHistogramConfiguration {
                required_buckets: histogram.num_buckets,
                max_buckets,
            });
        }
        Ok(histogram)
    }

    /// Builds the layout.
    ///
    /// # Panics
    /// If `min_value` is above `max_value`.
    pub fn build(self) -> LogHistogram {
        assert!(
            self.min_ns <= self.max_ns,
            "min_value must not be above max_value"
        );
        let offset = LogHistogram::raw_index(self.p, self.min_ns);
        let last = LogHistogram::raw_index(self.p, self.max_ns);
        LogHistogram {
            p: self.p,
            offset,
            num_buckets: last - offset + 1,
        }
    }
}

impl From<LogHistogramBuilder> for LogHistogram {
    fn from(builder: LogHistogramBuilder) -> LogHistogram {
        builder.build()
    }
}

/// A [`LogHistogram`] needs more buckets than [`LogHistogramBuilder::max_buckets`] allows.
///
/// ```
/// let err = runtime::LogHistogram::builder().max_error(0.001).max_buckets(10).unwrap_err();
/// assert!(err.to_string().contains("buckets"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidHistogramConfiguration {
    required_buckets: usize,
    max_buckets: usize,
}

impl fmt::Display for InvalidHistogramConfiguration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the histogram needs {} buckets, more than the {} allowed",
            self.required_buckets, self.max_buckets
        )
    }
}

impl std::error::Error for InvalidHistogramConfiguration {}

/// A duration in nanoseconds, saturating at `u64::MAX` (584 years).
pub(crate) fn duration_ns(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn log_buckets_are_contiguous_and_within_the_error_bound() {
        let log = LogHistogram::builder()
            .min_value(Duration::from_nanos(100))
            .max_value(Duration::from_secs(1))
            .precision_exact(2)
            .build();
        let mut previous_end = 0;
        for bucket in 0..log.num_buckets {
            let (start, end) = log.bucket_bounds(bucket);
            assert_eq!(
                start, previous_end,
                "bucket {bucket} starts where the last ended"
            );
            assert!(end > start);
            if bucket > 0 && bucket + 1 < log.num_buckets {
                assert!(
                    (end - start) * 4 <= start,
                    "bucket {bucket} is at most 25 % wide"
                );
            }
            assert_eq!(log.bucket_of(start), bucket);
            assert_eq!(log.bucket_of(end - 1), bucket);
            previous_end = end;
        }
        assert_eq!(previous_end, u64::MAX);
        assert_eq!(log.bucket_of(0), 0);
        assert_eq!(log.bucket_of(u64::MAX), log.num_buckets - 1);
    }

    #[test]
    fn linear_buckets_split_at_multiples_of_the_width() {
        let c = HistogramConfiguration::linear(Duration::from_micros(100), 3);
        assert_eq!(c.bucket_of(99_999), 0);
        assert_eq!(c.bucket_of(100_000), 1);
        assert_eq!(c.bucket_of(10_000_000), 2, "the last bucket is open-ended");
        assert_eq!(
            c.bucket_range(1),
            Duration::from_micros(100)..Duration::from_micros(200)
        );
        assert_eq!(c.bucket_range(2).end, Duration::from_nanos(u64::MAX));
    }

    #[test]
    fn max_error_picks_the_smallest_sufficient_precision() {
        assert_eq!(LogHistogram::builder().max_error(0.25).p, 2);
        assert_eq!(LogHistogram::builder().max_error(0.2).p, 3);
        assert_eq!(LogHistogram::builder().max_error(0.5).p, 1);
    }
}
