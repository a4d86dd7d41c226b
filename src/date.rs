//! Partial calendar dates: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, and `--MM-DD`.
//!
//! A news text often gives only a year, or a day without its year ("On July
//! 24, ..."). An [`EventDate`] keeps exactly the precision the text gives, so
//! that the corpus never states more than its source. `--MM-DD` is the ISO
//! 8601 form for a month and day whose year is not stated.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A date at year, month or day precision, possibly without its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventDate {
    year: Option<u16>,
    month: Option<u8>,
    day: Option<u8>,
}

/// Why a date string was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError(String);

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DateError {}

impl EventDate {
    /// The year, when the text states it.
    pub fn year(&self) -> Option<u16> {
        self.year
    }

    /// The month, when known.
    pub fn month(&self) -> Option<u8> {
        self.month
    }

    /// The day of the month, when known.
    pub fn day(&self) -> Option<u8> {
        self.day
    }

    /// `YYYYMMDD` of the first day the date can denote (`2020` gives
    /// 20200101), or `None` when the year is unknown. This is the value
    /// indexed for `--since`/`--until`.
    pub fn first_day_key(&self) -> Option<u64> {
        let y = u64::from(self.year?);
        Some(
            y * 10_000
                + u64::from(self.month.unwrap_or(1)) * 100
                + u64::from(self.day.unwrap_or(1)),
        )
    }

    /// `YYYYMMDD` of the last day the date can denote (`2020` gives 20201231).
    pub fn last_day_key(&self) -> Option<u64> {
        let y = self.year?;
        let m = self.month.unwrap_or(12);
        let d = self.day.unwrap_or_else(|| days_in_month(y, m));
        Some(u64::from(y) * 10_000 + u64::from(m) * 100 + u64::from(d))
    }

    /// Sort key for timelines: dated events by first day, then yearless
    /// ones by month and day.
    pub fn timeline_key(&self) -> (u8, u64) {
        match self.first_day_key() {
            Some(k) => (0, k),
            None => (
                1,
                u64::from(self.month.unwrap_or(0)) * 100 + u64::from(self.day.unwrap_or(0)),
            ),
        }
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn parse_num<T: FromStr>(s: &str, width: usize, what: &str, whole: &str) -> Result<T, DateError> {
    if s.len() != width || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateError(format!(
            "bad date `{whole}`: the {what} must be {width} digits (use YYYY, YYYY-MM, YYYY-MM-DD or --MM-DD)"
        )));
    }
    s.parse()
        .map_err(|_| DateError(format!("bad date `{whole}`")))
}

impl FromStr for EventDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, DateError> {
        let (year, rest) = match s.strip_prefix("--") {
            Some(rest) => (None, Some(rest)),
            None => {
                let mut it = s.splitn(2, '-');
                let y = it.next().unwrap_or_default();
                (Some(parse_num::<u16>(y, 4, "year", s)?), it.next())
            }
        };
        let (month, day) = match rest {
            None => (None, None),
            Some(rest) => {
                let mut it = rest.splitn(2, '-');
                let m = parse_num::<u8>(it.next().unwrap_or_default(), 2, "month", s)?;
                let d = it
                    .next()
                    .map(|d| parse_num::<u8>(d, 2, "day", s))
                    .transpose()?;
                (Some(m), d)
            }
        };
        if year.is_none() && day.is_none() {
            return Err(DateError(format!(
                "bad date `{s}`: a date without a year needs month and day (--MM-DD)"
            )));
        }
        if let Some(m) = month {
            if !(1..=12).contains(&m) {
                return Err(DateError(format!("bad date `{s}`: month {m} is not 01-12")));
            }
            if let Some(d) = day {
                // Without a year, allow Feb 29: some year had it.
                let max = days_in_month(year.unwrap_or(2000), m);
                if d == 0 || d > max {
                    return Err(DateError(format!(
                        "bad date `{s}`: day {d} is not in month {m:02}"
                    )));
                }
            }
        }
        Ok(EventDate { year, month, day })
    }
}

impl fmt::Display for EventDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.year {
            Some(y) => write!(f, "{y:04}")?,
            None => f.write_str("-")?,
        }
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl Serialize for EventDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EventDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_precision_and_round_trips() {
        for s in [
            "2020",
            "2020-07",
            "2020-07-24",
            "--07-24",
            "2024-02-29",
            "--02-29",
        ] {
            let d: EventDate = s.parse().unwrap();
            assert_eq!(d.to_string(), s);
        }
    }

    #[test]
    fn rejects_bad_dates() {
        for s in [
            "",
            "20",
            "2020-13",
            "2020-00",
            "2021-02-29",
            "2020-04-31",
            "2020-7",
            "--07",
            "July 24",
            "2020-07-24x",
            "-2020",
            "2020-",
        ] {
            assert!(s.parse::<EventDate>().is_err(), "{s} should be rejected");
        }
    }

    #[test]
    fn day_keys_bound_the_precision() {
        let d: EventDate = "2020".parse().unwrap();
        assert_eq!(
            (d.first_day_key(), d.last_day_key()),
            (Some(20200101), Some(20201231))
        );
        let d: EventDate = "2023-02".parse().unwrap();
        assert_eq!(d.last_day_key(), Some(20230228));
        let d: EventDate = "--07-24".parse().unwrap();
        assert_eq!(d.first_day_key(), None);
        assert!(d.timeline_key() > "2099-12-31".parse::<EventDate>().unwrap().timeline_key());
    }
}
