//! Timestamps as the API server writes them (RFC 3339, UTC, seconds) and ages as kubectl prints them.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

/// Nanoseconds since the epoch (event names use them).
pub fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or(0)
}

/// Now, as `2025-01-02T03:04:05Z`.
pub fn now() -> String {
    timestamp(now_seconds())
}

/// Now with microseconds (`MicroTime`), as `2025-01-02T03:04:05.123456Z`.
pub fn now_micro() -> String {
    let nanos = now_nanos();
    let seconds = (nanos / 1_000_000_000) as u64;
    let micros = (nanos / 1000) % 1_000_000;
    let text = timestamp(seconds);
    format!("{}.{micros:06}Z", text.trim_end_matches('Z'))
}

pub fn timestamp(seconds: u64) -> String {
    let days = seconds / 86_400;
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

pub fn parse_timestamp(text: &str) -> Option<u64> {
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let days = days_from_civil(number(0..4)?, number(5..7)?, number(8..10)?);
    let seconds = days * 86_400 + number(11..13)? * 3600 + number(14..16)? * 60 + number(17..19)?;
    u64::try_from(seconds).ok()
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An age as kubectl prints it (`5s`, `3m10s`, `2h`, `4d`), from
/// apimachinery's `HumanDuration`.
pub fn age(seconds: u64) -> String {
    let minutes = seconds / 60;
    let hours = seconds / 3600;
    match seconds {
        0..=119 => format!("{seconds}s"),
        120..=599 => {
            let rest = seconds % 60;
            if rest == 0 {
                format!("{minutes}m")
            } else {
                format!("{minutes}m{rest}s")
            }
        }
        600..=10_799 => format!("{minutes}m"),
        10_800..=28_799 => {
            let rest = minutes % 60;
            if rest == 0 {
                format!("{hours}h")
            } else {
                format!("{hours}h{rest}m")
            }
        }
        28_800..=172_799 => format!("{hours}h"),
        172_800..=691_199 => {
            let rest = hours % 24;
            if rest == 0 {
                format!("{}d", hours / 24)
            } else {
                format!("{}d{rest}h", hours / 24)
            }
        }
        _ if hours < 24 * 365 * 2 => format!("{}d", hours / 24),
        _ => format!("{}y", hours / 24 / 365),
    }
}

/// The age of an RFC 3339 timestamp, `<unknown>` when there is none.
pub fn age_of(timestamp: &serde_json::Value) -> String {
    match timestamp.as_str().and_then(parse_timestamp) {
        Some(then) => age(now_seconds().saturating_sub(then)),
        None => "<unknown>".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_and_ages_read_like_kubectl() {
        let text = timestamp(1_700_000_000);
        assert_eq!(text, "2023-11-14T22:13:20Z");
        assert_eq!(parse_timestamp(&text), Some(1_700_000_000));
        assert_eq!(age(42), "42s");
        assert_eq!(age(190), "3m10s");
        assert_eq!(age(4000), "66m");
        assert_eq!(age(90_000), "25h");
        assert_eq!(age(500_000), "5d18h");
        assert_eq!(age(1_000_000), "11d");
    }
}
