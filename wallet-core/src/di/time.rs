//! Time in proofs: the XML Schema `dateTimeStamp` of `created` and `expires`
//! ([VC Data Integrity § 2.1]), the [`Clock`] a verifier reads, and the validity-period check.
//!
//! A verifier never reads the system clock itself: the entry points take a [`Clock`], and the
//! simple API passes [`SystemClock`], the one place in `di` that calls [`SystemTime::now`].
//! Tests and audits pass a fixed [`DateTime`] instead (a `DateTime` is a clock that stands
//! still).
//!
//! [VC Data Integrity § 2.1]: https://www.w3.org/TR/vc-data-integrity/#proofs
//! [XMLSCHEMA11-2 § 3.4.28]: https://www.w3.org/TR/xmlschema11-2/#dateTimeStamp

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::ProofError;

/// How far in the future a proof's `created` may lie and still verify: the signer's and the
/// verifier's clocks disagree by a few seconds to minutes in practice.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 5 * 60;

/// The most year digits accepted. XML Schema allows any number; nine keep every instant within
/// `i64` seconds with room to spare.
const MAX_YEAR_DIGITS: usize = 9;

const SECONDS_PER_DAY: i64 = 86_400;

/// An instant, parsed from an XML Schema `dateTimeStamp` ([XMLSCHEMA11-2 § 3.4.28]: a
/// `dateTime` with a mandatory time zone) and held as UTC seconds since the Unix epoch plus
/// nanoseconds. Ordering is by instant: `2026-01-01T01:00:00+01:00` equals
/// `2026-01-01T00:00:00Z`.
///
/// [XMLSCHEMA11-2 § 3.4.28]: https://www.w3.org/TR/xmlschema11-2/#dateTimeStamp
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    // Invariant: `nanos < 1_000_000_000`.
    seconds: i64,
    nanos: u32,
}

/// Why a string is not an XML Schema `dateTimeStamp`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateTimeError {
    /// Not of the form `YYYY-MM-DDThh:mm:ss[.f…](Z|±hh:mm)`.
    #[error("not an XML Schema dateTimeStamp (YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm))")]
    Syntax,
    /// A field is outside its range (month 13, 30 February, minute 60, offset beyond ±14:00, a
    /// year of more than nine digits).
    #[error("the {0} of the dateTimeStamp is out of range")]
    OutOfRange(&'static str),
}

/// Whether `year` is a leap year of the proleptic Gregorian calendar. XML Schema 1.1 numbers
/// years astronomically (year 0 is 1 BCE, a leap year).
fn is_leap(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the "days from civil" computation over
/// 400-year eras, valid for every `i64` year this module accepts).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let m = i64::from(month);
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Both are small by construction: month in 1..=12, day in 1..=31.
    (year, month as u32, day as u32)
}

/// A cursor over the ASCII bytes of a lexical form.
struct Lexer<'a> {
    b: &'a [u8],
    i: usize,
}

impl Lexer<'_> {
    fn expect(&mut self, c: u8) -> Result<(), DateTimeError> {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            Ok(())
        } else {
            Err(DateTimeError::Syntax)
        }
    }

    /// Exactly `n` digits (`n` ≤ 2 here, or the year's ≤ 9) as a number.
    fn digits(&mut self, n: usize) -> Result<u32, DateTimeError> {
        let s = self
            .b
            .get(self.i..self.i + n)
            .filter(|s| s.iter().all(u8::is_ascii_digit))
            .ok_or(DateTimeError::Syntax)?;
        self.i += n;
        Ok(s.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
    }

    /// A run of digits, at least one.
    fn digit_run(&mut self) -> Result<&[u8], DateTimeError> {
        let start = self.i;
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        if self.i == start {
            return Err(DateTimeError::Syntax);
        }
        Ok(&self.b[start..self.i])
    }
}

impl DateTime {
    /// The Unix epoch, `1970-01-01T00:00:00Z`.
    pub const UNIX_EPOCH: DateTime = DateTime {
        seconds: 0,
        nanos: 0,
    };

    /// Parses an XML Schema 1.1 `dateTimeStamp` (§ 3.4.28): `-?YYYY-MM-DDThh:mm:ss(.s+)?`
    /// followed by `Z` or `±hh:mm` (at most ±14:00). The year has four or more digits (no
    /// leading zero beyond four; at most nine here); `24:00:00` is the first instant of the next
    /// day; fractional seconds beyond nanoseconds are truncated. A leap second (`:60`) is not a
    /// valid XML Schema time.
    ///
    /// # Errors
    /// [`DateTimeError::Syntax`] for another lexical form, [`DateTimeError::OutOfRange`] naming
    /// the field that is out of range.
    pub fn parse(s: &str) -> Result<Self, DateTimeError> {
        let mut lx = Lexer {
            b: s.as_bytes(),
            i: 0,
        };
        let negative = lx.b.first() == Some(&b'-');
        if negative {
            lx.i += 1;
        }
        let year_digits = lx.digit_run()?;
        if year_digits.len() < 4 || (year_digits.len() > 4 && year_digits[0] == b'0') {
            return Err(DateTimeError::Syntax);
        }
        if year_digits.len() > MAX_YEAR_DIGITS {
            return Err(DateTimeError::OutOfRange("year"));
        }
        let year = year_digits
            .iter()
            .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'));
        let year = if negative { -year } else { year };
        lx.expect(b'-')?;
        let month = lx.digits(2)?;
        lx.expect(b'-')?;
        let day = lx.digits(2)?;
        lx.expect(b'T')?;
        let hour = lx.digits(2)?;
        lx.expect(b':')?;
        let minute = lx.digits(2)?;
        lx.expect(b':')?;
        let second = lx.digits(2)?;
        let mut nanos = 0u32;
        let mut fraction_is_zero = true;
        if lx.b.get(lx.i) == Some(&b'.') {
            lx.i += 1;
            let fraction = lx.digit_run()?;
            fraction_is_zero = fraction.iter().all(|&d| d == b'0');
            for k in 0..9 {
                nanos = nanos * 10 + fraction.get(k).map_or(0, |d| u32::from(d - b'0'));
            }
        }
        let offset_minutes: i64 = match &lx.b[lx.i..] {
            b"Z" => 0,
            [sign @ (b'+' | b'-'), ..] => {
                let sign = if *sign == b'-' { -1 } else { 1 };
                lx.i += 1;
                let oh = lx.digits(2)?;
                lx.expect(b':')?;
                let om = lx.digits(2)?;
                if lx.i != lx.b.len() {
                    return Err(DateTimeError::Syntax);
                }
                if om > 59 || oh > 14 || (oh == 14 && om != 0) {
                    return Err(DateTimeError::OutOfRange("time zone offset"));
                }
                sign * i64::from(oh * 60 + om)
            }
            _ => return Err(DateTimeError::Syntax),
        };
        if !(1..=12).contains(&month) {
            return Err(DateTimeError::OutOfRange("month"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateTimeError::OutOfRange("day"));
        }
        // 24:00:00 (with a zero fraction) is end of day, the next day's midnight (§ 3.3.7).
        let end_of_day = hour == 24 && minute == 0 && second == 0 && fraction_is_zero;
        if hour > 23 && !end_of_day {
            return Err(DateTimeError::OutOfRange("hour"));
        }
        if minute > 59 {
            return Err(DateTimeError::OutOfRange("minute"));
        }
        if second > 59 {
            return Err(DateTimeError::OutOfRange("second"));
        }
        let local = days_from_civil(year, month, day) * SECONDS_PER_DAY
            + i64::from(hour * 3600 + minute * 60 + second);
        Ok(DateTime {
            seconds: local - offset_minutes * 60,
            nanos,
        })
    }

    /// The instant `seconds` after the Unix epoch (before it, if negative).
    pub const fn from_unix_seconds(seconds: i64) -> Self {
        DateTime { seconds, nanos: 0 }
    }

    /// Whole seconds since the Unix epoch (rounded down).
    pub const fn unix_seconds(self) -> i64 {
        self.seconds
    }

    /// This instant moved by `seconds` (saturating at the ends of the range).
    pub const fn saturating_add_seconds(self, seconds: i64) -> Self {
        DateTime {
            seconds: self.seconds.saturating_add(seconds),
            nanos: self.nanos,
        }
    }
}

impl std::str::FromStr for DateTime {
    type Err = DateTimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The canonical UTC form, `YYYY-MM-DDThh:mm:ss[.fffffffff]Z` (fraction without trailing zeros).
impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.seconds.div_euclid(SECONDS_PER_DAY);
        let secs = self.seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        if year < 0 {
            write!(f, "-{:04}", -year)?;
        } else {
            write!(f, "{year:04}")?;
        }
        write!(
            f,
            "-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )?;
        if self.nanos != 0 {
            let fraction = format!("{:09}", self.nanos);
            write!(f, ".{}", fraction.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

/// Where a verifier gets "now" from. The verification entry points take one; see the module
/// documentation.
pub trait Clock {
    /// The current instant.
    fn now(&self) -> DateTime;
}

/// The operating system's clock (`SystemTime::now`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime {
        // The only read of the system clock in `di`.
        let (seconds, nanos) = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => (
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                d.subsec_nanos(),
            ),
            // A clock set before 1970: whole seconds before the epoch, rounded down.
            Err(e) => {
                let d = e.duration();
                let s = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                match d.subsec_nanos() {
                    0 => (s.saturating_neg(), 0),
                    n => (s.saturating_neg().saturating_sub(1), 1_000_000_000 - n),
                }
            }
        };
        DateTime { seconds, nanos }
    }
}

/// A fixed instant is a clock that stands still: verification "as of" that time.
impl Clock for DateTime {
    fn now(&self) -> DateTime {
        *self
    }
}

/// Checks `created` and `expires` of a proof at `now` (VC Data Integrity § 2.1): an `expires`
/// at or before `now` means the proof has expired; a `created` more than
/// [`MAX_CLOCK_SKEW_SECONDS`] after `now` means it is not valid yet. Both must be
/// `dateTimeStamp`s when present.
///
/// # Errors
/// [`ProofError::Expired`], [`ProofError::NotYetValid`], or [`ProofError::Malformed`] for a
/// value that is not a `dateTimeStamp`.
pub(crate) fn check_validity_period(
    proof: &Map<String, Value>,
    now: DateTime,
) -> Result<(), ProofError> {
    let read = |name: &str| -> Result<Option<DateTime>, ProofError> {
        proof
            .get(name)
            .map(|v| {
                v.as_str()
                    .ok_or(DateTimeError::Syntax)
                    .and_then(DateTime::parse)
                    .map_err(|e| ProofError::Malformed(format!("the proof's {name}: {e}")))
            })
            .transpose()
    };
    if let Some(expires) = read("expires")?
        && now >= expires
    {
        return Err(ProofError::Expired { expires, now });
    }
    if let Some(created) = read("created")?
        && created > now.saturating_add_seconds(MAX_CLOCK_SKEW_SECONDS)
    {
        return Err(ProofError::NotYetValid { created, now });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime {
        DateTime::parse(s).unwrap()
    }

    #[test]
    fn valid_forms() {
        assert_eq!(at("1970-01-01T00:00:00Z"), DateTime::UNIX_EPOCH);
        assert_eq!(at("2023-02-24T23:36:38Z").unix_seconds(), 1_677_281_798);
        // Offsets name the same instant.
        assert_eq!(at("2026-01-01T01:30:00+01:30"), at("2026-01-01T00:00:00Z"));
        assert_eq!(at("2025-12-31T10:00:00-14:00"), at("2026-01-01T00:00:00Z"));
        // Fractions order instants and are truncated at nanoseconds.
        assert!(at("2026-01-01T00:00:00.5Z") > at("2026-01-01T00:00:00Z"));
        assert_eq!(
            at("2026-01-01T00:00:00.1234567899Z"),
            at("2026-01-01T00:00:00.123456789Z")
        );
        // End of day is the next midnight.
        assert_eq!(at("2026-02-28T24:00:00Z"), at("2026-03-01T00:00:00Z"));
        assert_eq!(at("2024-02-29T12:00:00Z").unix_seconds(), 1_709_208_000);
        assert_eq!(at("2000-02-29T00:00:00Z").unix_seconds(), 951_782_400);
        // Years beyond four digits, year zero (a leap year) and negative years.
        assert_eq!(at("10000-01-01T00:00:00Z").unix_seconds(), 253_402_300_800);
        assert_eq!(at("0000-02-29T00:00:00Z").unix_seconds(), -62_162_121_600);
        assert!(at("-0001-01-01T00:00:00Z") < at("0000-01-01T00:00:00Z"));
    }

    #[test]
    fn invalid_forms_are_named() {
        use DateTimeError::{OutOfRange, Syntax};
        for (s, e) in [
            ("2023-02-24", Syntax),
            ("2023-02-24T23:36:38", Syntax), // a dateTime, but no time zone
            ("2023-02-24 23:36:38Z", Syntax),
            ("2023-02-24T23:36:38.Z", Syntax),
            ("2023-02-24T23:36:38z", Syntax),
            ("2023-02-24T23:36:38+0100", Syntax),
            ("2023-02-24T23:36:38Z ", Syntax),
            ("023-02-24T23:36:38Z", Syntax),
            ("02023-02-24T23:36:38Z", Syntax),
            ("+2023-02-24T23:36:38Z", Syntax),
            ("2023-2-24T23:36:38Z", Syntax),
            ("２０２３-02-24T23:36:38Z", Syntax),
            ("x", Syntax),
            ("", Syntax),
            ("2023-13-01T00:00:00Z", OutOfRange("month")),
            ("2023-00-01T00:00:00Z", OutOfRange("month")),
            ("2023-02-29T00:00:00Z", OutOfRange("day")),
            ("1900-02-29T00:00:00Z", OutOfRange("day")),
            ("2023-04-31T00:00:00Z", OutOfRange("day")),
            ("2023-04-00T00:00:00Z", OutOfRange("day")),
            ("2023-04-01T25:00:00Z", OutOfRange("hour")),
            ("2023-04-01T24:00:01Z", OutOfRange("hour")),
            ("2023-04-01T24:00:00.1Z", OutOfRange("hour")),
            ("2023-04-01T23:60:00Z", OutOfRange("minute")),
            ("2016-12-31T23:59:60Z", OutOfRange("second")),
            ("2023-04-01T00:00:00+14:01", OutOfRange("time zone offset")),
            ("2023-04-01T00:00:00+15:00", OutOfRange("time zone offset")),
            ("2023-04-01T00:00:00+01:60", OutOfRange("time zone offset")),
            ("1000000000-01-01T00:00:00Z", OutOfRange("year")),
        ] {
            assert_eq!(DateTime::parse(s), Err(e), "{s:?}");
        }
    }

    #[test]
    fn display_is_canonical_utc() {
        assert_eq!(
            at("2026-01-01T01:30:00.250+01:30").to_string(),
            "2026-01-01T00:00:00.25Z"
        );
        assert_eq!(
            at("-0044-03-15T12:00:00Z").to_string(),
            "-0044-03-15T12:00:00Z"
        );
        assert_eq!(
            DateTime::from_unix_seconds(-1).to_string(),
            "1969-12-31T23:59:59Z"
        );
    }

    #[test]
    fn system_clock_is_after_this_code_was_written() {
        assert!(SystemClock.now() > at("2026-01-01T00:00:00Z"));
        let fixed = at("2030-01-01T00:00:00Z");
        assert_eq!(fixed.now(), fixed);
    }

    fn proof(created: Option<&str>, expires: Option<&str>) -> Map<String, Value> {
        let mut m = Map::new();
        if let Some(c) = created {
            m.insert("created".into(), c.into());
        }
        if let Some(e) = expires {
            m.insert("expires".into(), e.into());
        }
        m
    }

    #[test]
    fn validity_period_bounds() {
        let p = proof(Some("2026-11-25T12:00:00Z"), Some("2026-12-25T12:00:00Z"));
        let ok = |now: &str| check_validity_period(&p, at(now));
        // created + skew: the last second accepted, the first refused.
        assert!(ok("2026-11-25T11:55:00Z").is_ok());
        assert!(matches!(
            ok("2026-11-25T11:54:59Z"),
            Err(ProofError::NotYetValid { created, now })
                if created == at("2026-11-25T12:00:00Z") && now == at("2026-11-25T11:54:59Z")
        ));
        // expires: valid up to the instant before, expired from that instant on.
        assert!(ok("2026-12-25T11:59:59.999Z").is_ok());
        for now in ["2026-12-25T12:00:00Z", "2026-12-25T12:00:01Z"] {
            assert!(matches!(
                ok(now),
                Err(ProofError::Expired { expires, .. }) if expires == at("2026-12-25T12:00:00Z")
            ));
        }
        assert!(check_validity_period(&proof(None, None), DateTime::UNIX_EPOCH).is_ok());
        for bad in [
            proof(None, Some("2026-12-25")),
            proof(Some("2026-02-30T00:00:00Z"), None),
        ] {
            assert!(matches!(
                check_validity_period(&bad, at("2026-01-01T00:00:00Z")),
                Err(ProofError::Malformed(_))
            ));
        }
        let mut not_text = Map::new();
        not_text.insert("expires".into(), 1.into());
        assert!(matches!(
            check_validity_period(&not_text, DateTime::UNIX_EPOCH),
            Err(ProofError::Malformed(_))
        ));
    }

    proptest! {
        #[test]
        fn display_round_trips(seconds in -100_000_000_000i64..100_000_000_000, nanos in 0u32..1_000_000_000) {
            let t = DateTime { seconds, nanos };
            prop_assert_eq!(DateTime::parse(&t.to_string()).unwrap(), t);
        }

        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,40}") {
            let _ = DateTime::parse(&s);
        }

        #[test]
        fn near_misses_never_panic(s in "-?[0-9]{0,6}-[0-9]{1,3}-[0-9]{1,3}T[0-9]{1,3}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?(Z|[+-][0-9]{2}:[0-9]{2})?") {
            let _ = DateTime::parse(&s);
        }
    }
}
