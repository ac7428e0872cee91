//! Dates for templates: Python's `strftime` (glibc, C locale) over jiff,
//! and the `now` of jinja2_time / cookiecutter's `TimeExtension`, which
//! takes a zone name as arrow does (`'utc'`, `'local'`, `'Europe/Paris'`)
//! and an optional shift (`'utc' + 'hours=2,days=-1'`).

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, Zoned};
use minijinja::{Error, ErrorKind};

/// jinja2_time's `datetime_format` default.
pub const DEFAULT_FORMAT: &str = "%Y-%m-%d";

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn time_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

/// arrow's zone names: `utc`, `local`, an IANA name or an offset.
pub fn zone(name: &str) -> Result<TimeZone, Error> {
    match name.trim() {
        n if n.eq_ignore_ascii_case("utc") || n.eq_ignore_ascii_case("z") => Ok(TimeZone::UTC),
        n if n.eq_ignore_ascii_case("local") => Ok(TimeZone::system()),
        n if n.starts_with('+') || n.starts_with('-') => {
            let digits: String = n[1..].chars().filter(char::is_ascii_digit).collect();
            let (h, m) = match digits.len() {
                1 | 2 => (digits.parse::<i32>().unwrap_or(0), 0),
                4 => (
                    digits[..2].parse::<i32>().unwrap_or(0),
                    digits[2..].parse::<i32>().unwrap_or(0),
                ),
                _ => return Err(time_error(format!("unknown time zone `{n}`"))),
            };
            let seconds = (h * 3600 + m * 60) * if n.starts_with('-') { -1 } else { 1 };
            let offset = jiff::tz::Offset::from_seconds(seconds)
                .map_err(|e| time_error(format!("unknown time zone `{n}`: {e}")))?;
            Ok(TimeZone::fixed(offset))
        }
        n => TimeZone::get(n).map_err(|e| time_error(format!("unknown time zone `{n}`: {e}"))),
    }
}

/// `arrow.now(tz)`, shifted by `offset` (`"hours=2, days=1"`) in the
/// direction of `operator` (`+` or `-`).
pub fn now_in(tz_name: &str, shift: Option<(&str, &str)>) -> Result<Zoned, Error> {
    let now = Timestamp::now().to_zoned(zone(tz_name)?);
    let Some((operator, offset)) = shift else {
        return Ok(now);
    };
    let mut shifted = now;
    for param in offset.split(',') {
        let (unit, amount) = param
            .split_once('=')
            .ok_or_else(|| time_error(format!("cannot parse time shift `{param}`")))?;
        let amount: f64 = format!("{operator}{}", amount.trim())
            .parse()
            .map_err(|_| time_error(format!("cannot parse time shift `{param}`")))?;
        let unit = unit.trim();
        let calendar = |span: jiff::Span| shifted.checked_add(span);
        shifted = match unit {
            "years" | "months" | "weeks" | "quarters" => {
                let n = amount.trunc() as i64;
                let span = match unit {
                    "years" => jiff::Span::new().try_years(n),
                    "months" => jiff::Span::new().try_months(n),
                    "quarters" => jiff::Span::new().try_months(n * 3),
                    _ => jiff::Span::new().try_weeks(n),
                }
                .map_err(|e| time_error(e.to_string()))?;
                calendar(span).map_err(|e| time_error(e.to_string()))?
            }
            "days" | "hours" | "minutes" | "seconds" | "microseconds" => {
                let seconds = amount
                    * match unit {
                        "days" => 86_400.0,
                        "hours" => 3_600.0,
                        "minutes" => 60.0,
                        "seconds" => 1.0,
                        _ => 1e-6,
                    };
                let duration = SignedDuration::try_from_secs_f64(seconds)
                    .map_err(|e| time_error(e.to_string()))?;
                shifted
                    .checked_add(duration)
                    .map_err(|e| time_error(e.to_string()))?
            }
            other => return Err(time_error(format!("unknown time unit `{other}`"))),
        };
    }
    Ok(shifted)
}

/// Python's `strftime` with glibc in the C locale, including glibc's
/// `-`, `_` and `0` padding flags.
pub fn strftime(zoned: &Zoned, format: &str) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let flag = match chars.peek() {
            Some(&f @ ('-' | '_' | '0')) => {
                chars.next();
                Some(f)
            }
            _ => None,
        };
        let Some(spec) = chars.next() else {
            out.push('%');
            break;
        };
        if let Some((value, width, pad)) = numeric_field(zoned, spec) {
            push_number(&mut out, value, width, pad, flag);
        } else if let Some(text) = text_field(zoned, spec) {
            out.push_str(&text);
        } else {
            // glibc writes an unknown directive back as it was given.
            out.push('%');
            if let Some(f) = flag {
                out.push(f);
            }
            out.push(spec);
        }
    }
    out
}

/// Writes `value` at least `width` digits wide, padded with `pad` unless a
/// glibc flag says otherwise: `-` no padding, `_` spaces, `0` zeros.
fn push_number(out: &mut String, value: i64, width: usize, pad: char, flag: Option<char>) {
    let (width, pad) = match flag {
        Some('-') => (0, pad),
        Some('_') => (width, ' '),
        Some('0') => (width, '0'),
        _ => (width, pad),
    };
    let digits = value.abs().to_string();
    if value < 0 {
        out.push('-');
    }
    for _ in digits.len()..width {
        out.push(pad);
    }
    out.push_str(&digits);
}

/// The numeric directives as `(value, width, padding)`, which the padding
/// flags apply to; `None` for any other directive.
fn numeric_field(zoned: &Zoned, spec: char) -> Option<(i64, usize, char)> {
    let weekday_monday0 = i64::from(zoned.weekday().to_monday_zero_offset());
    let weekday_sunday0 = i64::from(zoned.weekday().to_sunday_zero_offset());
    let yday0 = i64::from(zoned.day_of_year()) - 1;
    let hour12 = match zoned.hour() % 12 {
        0 => 12,
        h => h,
    };
    let iso_week = zoned.date().iso_week_date();
    Some(match spec {
        'C' => (i64::from(zoned.year()) / 100, 2, '0'),
        'd' => (i64::from(zoned.day()), 2, '0'),
        'e' => (i64::from(zoned.day()), 2, ' '),
        'f' => (i64::from(zoned.subsec_nanosecond()) / 1000, 6, '0'),
        'G' => (i64::from(iso_week.year()), 4, '0'),
        'g' => (i64::from(iso_week.year()) % 100, 2, '0'),
        'H' => (i64::from(zoned.hour()), 2, '0'),
        'I' => (i64::from(hour12), 2, '0'),
        'j' => (yday0 + 1, 3, '0'),
        'k' => (i64::from(zoned.hour()), 2, ' '),
        'l' => (i64::from(hour12), 2, ' '),
        'm' => (i64::from(zoned.month()), 2, '0'),
        'M' => (i64::from(zoned.minute()), 2, '0'),
        'S' => (i64::from(zoned.second()), 2, '0'),
        'u' => (weekday_monday0 + 1, 1, '0'),
        'U' => ((yday0 + 7 - weekday_sunday0) / 7, 2, '0'),
        'V' => (i64::from(iso_week.week()), 2, '0'),
        'w' => (weekday_sunday0, 1, '0'),
        'W' => ((yday0 + 7 - weekday_monday0) / 7, 2, '0'),
        'y' => (i64::from(zoned.year()) % 100, 2, '0'),
        'Y' => (i64::from(zoned.year()), 1, '0'),
        _ => return None,
    })
}

/// The names, composites and literals among the directives, which the
/// padding flags leave alone; `None` for a directive glibc does not know.
fn text_field(zoned: &Zoned, spec: char) -> Option<String> {
    let weekday_monday0 = zoned.weekday().to_monday_zero_offset() as usize;
    let month0 = zoned.month() as usize - 1;
    let am = zoned.hour() < 12;
    Some(match spec {
        'a' => DAYS[weekday_monday0][..3].to_owned(),
        'A' => DAYS[weekday_monday0].to_owned(),
        'b' | 'h' => MONTHS[month0][..3].to_owned(),
        'B' => MONTHS[month0].to_owned(),
        'c' => strftime(zoned, "%a %b %e %H:%M:%S %Y"),
        'D' | 'x' => strftime(zoned, "%m/%d/%y"),
        'F' => strftime(zoned, "%Y-%m-%d"),
        'n' => "\n".to_owned(),
        'p' => (if am { "AM" } else { "PM" }).to_owned(),
        'P' => (if am { "am" } else { "pm" }).to_owned(),
        'r' => strftime(zoned, "%I:%M:%S %p"),
        'R' => strftime(zoned, "%H:%M"),
        's' => zoned.timestamp().as_second().to_string(),
        't' => "\t".to_owned(),
        'T' | 'X' => strftime(zoned, "%H:%M:%S"),
        'z' => {
            let seconds = zoned.offset().seconds();
            let sign = if seconds < 0 { '-' } else { '+' };
            let seconds = seconds.abs();
            format!("{sign}{:02}{:02}", seconds / 3600, seconds / 60 % 60)
        }
        'Z' => {
            let info = zoned.time_zone().to_offset_info(zoned.timestamp());
            info.abbreviation().to_owned()
        }
        '%' => "%".to_owned(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(iso: &str, tz: &str) -> Zoned {
        iso.parse::<Timestamp>()
            .unwrap()
            .to_zoned(zone(tz).unwrap())
    }

    #[test]
    fn strftime_matches_python() {
        // datetime(2024, 3, 5, 7, 8, 9, 123456, tzinfo=timezone.utc).strftime(...)
        let t = at("2024-03-05T07:08:09.123456Z", "utc");
        assert_eq!(
            strftime(&t, "%Y-%m-%d %H:%M:%S.%f %a %A %b %B %j %p %I %y %z %Z %U %W %w %u %V %G %e %-d %%"),
            "2024-03-05 07:08:09.123456 Tue Tuesday Mar March 065 AM 07 24 +0000 UTC 09 10 2 2 10 2024  5 5 %"
        );
        assert_eq!(
            strftime(&t, "%c|%x|%X|%D|%F|%T"),
            "Tue Mar  5 07:08:09 2024|03/05/24|07:08:09|03/05/24|2024-03-05|07:08:09"
        );
    }

    #[test]
    fn zones_and_shifts() {
        let t = at("2024-01-01T23:30:00Z", "+02:00");
        assert_eq!(strftime(&t, "%Y-%m-%d %H:%M %z"), "2024-01-02 01:30 +0200");
        assert!(zone("Mars/Olympus").is_err());
        let base = now_in("utc", None).unwrap();
        let shifted = now_in("utc", Some(("+", "days=1, hours=2"))).unwrap();
        let hours = (shifted.timestamp().as_second() - base.timestamp().as_second()) / 3600;
        assert_eq!(hours, 26);
        let back = now_in("utc", Some(("-", "years=1"))).unwrap();
        assert_eq!(back.year(), base.year() - 1);
    }
}
