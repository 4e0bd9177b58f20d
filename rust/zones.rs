//! The local date of each start in its row's IANA time zone: the fuzzy blocking key.
//!
//! Zones come from the system's tz database (as Python's `zoneinfo` reads it), with
//! jiff's bundled copy as the fallback. A row without a zone gets its UTC date.

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::error::{CoreError, CoreResult};
use crate::keys::StrMap;

const SECONDS_PER_DAY: i64 = 86_400;
const MICROS_PER_SECOND: i64 = 1_000_000;

/// Zones looked up so far, by name: a frame names a handful of zones many times over.
#[derive(Default)]
pub struct ZoneCache<'a> {
    seen: Vec<(&'a str, TimeZone)>,
    /// A zone's name -> its index in `seen`.
    index: StrMap<'a, usize>,
    /// Index in `seen` of the last zone used: rows of one source come in runs.
    last: usize,
}

impl<'a> ZoneCache<'a> {
    fn zone(&mut self, name: &'a str) -> CoreResult<&TimeZone> {
        if self.seen.get(self.last).is_none_or(|(n, _)| *n != name) {
            self.last = match self.index.get(name) {
                Some(&i) => i,
                None => {
                    let tz = TimeZone::get(name).map_err(|_| CoreError::Invalid {
                        what: "column \"timezone\"".into(),
                        reason: format!("holds an unknown zone {name:?}"),
                    })?;
                    self.seen.push((name, tz));
                    self.index.insert(name, self.seen.len() - 1);
                    self.seen.len() - 1
                }
            };
        }
        Ok(&self.seen[self.last].1)
    }

    /// Days since 1970-01-01 of the local date of `micros` (UTC) in `zone`.
    pub fn local_day(&mut self, zone: Option<&'a str>, micros: i64) -> CoreResult<i64> {
        let seconds = micros.div_euclid(MICROS_PER_SECOND);
        let offset = match zone {
            None => 0,
            Some(name) => {
                let tz = self.zone(name)?;
                // Beyond jiff's range (years ±9999) no zone rule is known: keep UTC.
                Timestamp::from_second(seconds)
                    .map_or(0, |ts| i64::from(tz.to_offset(ts).seconds()))
            }
        };
        Ok((seconds + offset).div_euclid(SECONDS_PER_DAY))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600 * MICROS_PER_SECOND;

    #[test]
    fn evenings_west_of_utc_fall_on_the_previous_local_day() {
        let mut zones = ZoneCache::default();
        // 2026-03-28T02:15Z is 19:15 on 27 March in Vancouver (PDT, UTC-7).
        let t = 1_774_664_100 * MICROS_PER_SECOND;
        let utc_day = t.div_euclid(SECONDS_PER_DAY * MICROS_PER_SECOND);
        assert_eq!(zones.local_day(None, t).unwrap(), utc_day);
        assert_eq!(
            zones.local_day(Some("America/Vancouver"), t).unwrap(),
            utc_day - 1
        );
        assert_eq!(zones.local_day(Some("Europe/Berlin"), t).unwrap(), utc_day);
    }

    #[test]
    fn dst_changes_the_offset() {
        let mut zones = ZoneCache::default();
        // 23:30Z on 28 March 2026 is 00:30 on the 29th in Berlin (CET, UTC+1); a day
        // later, with CEST (UTC+2), 22:30Z is already past midnight.
        let before = 1_774_740_600 * MICROS_PER_SECOND;
        let day = before.div_euclid(SECONDS_PER_DAY * MICROS_PER_SECOND);
        assert_eq!(
            zones.local_day(Some("Europe/Berlin"), before).unwrap(),
            day + 1
        );
        let after = before + 23 * HOUR;
        assert_eq!(
            zones.local_day(Some("Europe/Berlin"), after).unwrap(),
            day + 2
        );
        assert_eq!(
            zones
                .local_day(Some("Europe/Berlin"), after - HOUR)
                .unwrap(),
            day + 1
        );
    }

    #[test]
    fn unknown_zone_names_the_column_and_the_zone() {
        let err = ZoneCache::default()
            .local_day(Some("Mars/Olympus"), 0)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"timezone\"") && err.contains("Mars/Olympus"),
            "{err}"
        );
    }

    #[test]
    fn extreme_timestamps_keep_their_utc_date() {
        let mut zones = ZoneCache::default();
        for t in [i64::MIN, i64::MAX] {
            let day = t.div_euclid(MICROS_PER_SECOND).div_euclid(SECONDS_PER_DAY);
            assert_eq!(zones.local_day(Some("Asia/Tokyo"), t).unwrap(), day);
        }
    }
}
