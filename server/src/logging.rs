//! Logging through `tracing`, in Redis's log line format, to stdout or `logfile`.
//!
//! Lines are formatted on the thread that logs and handed to one writer thread over a channel,
//! so a shard never blocks on a slow terminal or disk. `loglevel` maps onto tracing levels:
//! debug → TRACE, verbose → DEBUG, notice → INFO, warning → WARN; it can change at runtime
//! (CONFIG SET loglevel).

use std::fmt;
use std::io::Write;
use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{reload, Registry};

use crate::config::{Config, LogLevel};

type ReloadHandle = reload::Handle<LevelFilter, Registry>;

static RELOAD: OnceLock<ReloadHandle> = OnceLock::new();
static SINK: OnceLock<Mutex<Sender<Vec<u8>>>> = OnceLock::new();

fn level_filter(l: LogLevel) -> LevelFilter {
    match l {
        LogLevel::Debug => LevelFilter::TRACE,
        LogLevel::Verbose => LevelFilter::DEBUG,
        LogLevel::Notice => LevelFilter::INFO,
        LogLevel::Warning => LevelFilter::WARN,
    }
}

/// Installs the global subscriber. Call once, before the shards start.
pub fn init(config: &Config) -> Result<(), String> {
    let mut out: Box<dyn Write + Send> = if config.logfile.is_empty() {
        Box::new(std::io::stdout())
    } else {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&config.logfile)
            .map_err(|e| format!("Can't open the log file: {e}"))?;
        Box::new(f)
    };
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::Builder::new()
        .name("log-writer".into())
        .spawn(move || {
            for line in rx {
                let _ = out.write_all(&line);
                let _ = out.flush();
            }
        })
        .map_err(|e| format!("Can't start the log writer: {e}"))?;
    let _ = SINK.set(Mutex::new(tx));
    let (filter, handle) = reload::Layer::new(level_filter(config.loglevel));
    let _ = RELOAD.set(handle);
    let subscriber = Registry::default().with(filter).with(
        tracing_subscriber::fmt::layer()
            .event_format(RedisFormat)
            .with_writer(ChannelWriter),
    );
    tracing::subscriber::set_global_default(subscriber).map_err(|e| e.to_string())
}

/// Applies a changed `loglevel`.
pub fn apply(config: &Config) {
    if let Some(h) = RELOAD.get() {
        let _ = h.modify(|f| *f = level_filter(config.loglevel));
    }
}

/// Buffers one formatted line and sends it to the writer thread when dropped.
struct LineBuf(Vec<u8>);

impl Write for LineBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LineBuf {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        if let Some(sink) = SINK.get() {
            if let Ok(tx) = sink.lock() {
                let _ = tx.send(std::mem::take(&mut self.0));
            }
        }
    }
}

struct ChannelWriter;

impl<'a> MakeWriter<'a> for ChannelWriter {
    type Writer = LineBuf;

    fn make_writer(&'a self) -> LineBuf {
        LineBuf(Vec::with_capacity(128))
    }
}

/// `pid:M 24 Nov 2026 02:53:47.123 * message`
struct RedisFormat;

impl<S, N> FormatEvent<S, N> for RedisFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mark = match *event.metadata().level() {
            Level::TRACE => '.',
            Level::DEBUG => '-',
            Level::INFO => '*',
            Level::WARN | Level::ERROR => '#',
        };
        write!(writer, "{}:M {} {} ", std::process::id(), timestamp(), mark)?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// `24 Nov 2026 02:53:47.123` (UTC).
fn timestamp() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let (y, m, d) = civil_from_days(secs.div_euclid(86400));
    let sod = secs.rem_euclid(86400);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        d,
        MONTHS[(m - 1) as usize],
        y,
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        now.subsec_millis()
    )
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_416), (2025, 11, 24));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
