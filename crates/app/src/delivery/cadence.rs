//! When a subscriber's digest is due: on their tier's days, at the configured hour on
//! their own clock (time zone and daylight saving included), and how pages and emails
//! put that rhythm into words. Pure: the caller passes the time.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// One tier's rhythm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cadence {
    /// The weekdays an email goes out.
    pub days: Vec<Weekday>,
    /// The local hour (0-23) it goes out at.
    pub hour: u32,
}

/// A slot a digest fills: one per subscriber, kind and period, so a slot is sent once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The period key stored with the delivery: ISO week and weekday, e.g. `2026-W49-thu`.
    pub period: String,
    /// When the slot opened, in UTC.
    pub opens_at: DateTime<Utc>,
}

/// The slot `cadence` has open at `now` for someone in `tz`: the latest slot time at or
/// before `now`, provided it opened less than `grace` ago (a slot missed for longer, say
/// while the service was down, is skipped rather than sent days late).
pub fn due_slot(cadence: &Cadence, tz: Tz, now: DateTime<Utc>, grace: Duration) -> Option<Slot> {
    let today = now.with_timezone(&tz).date_naive();
    // Today and the few days before cover any grace shorter than a week.
    (0..8)
        .filter_map(|back| today.checked_sub_signed(Duration::days(back)))
        .filter(|day| cadence.days.contains(&day.weekday()))
        .filter_map(|day| slot_on(day, cadence.hour, tz))
        .find(|slot| slot.opens_at <= now)
        .filter(|slot| now - slot.opens_at < grace)
}

/// The slot on `day` at `hour` local time. On a day when that hour does not exist (the
/// clocks jumped forward over it) the slot opens at the first instant after the jump;
/// when it exists twice (the clocks went back), at the first of the two.
fn slot_on(day: NaiveDate, hour: u32, tz: Tz) -> Option<Slot> {
    let local = day.and_hms_opt(hour, 0, 0)?;
    let opens_at = match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => at,
        LocalResult::Ambiguous(first, _) => first,
        LocalResult::None => (1..=3)
            .filter_map(|h| tz.from_local_datetime(&(local + Duration::hours(h))).earliest())
            .next()?,
    };
    let week = day.iso_week();
    Some(Slot {
        period: format!(
            "{}-W{:02}-{}",
            week.year(),
            week.week(),
            day.weekday().to_string().to_lowercase()
        ),
        opens_at: opens_at.with_timezone(&Utc),
    })
}

/// A tier's rhythm in words, for pages and emails: they say what the settings say, so
/// changing `delivery.*` changes the promise with the sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rhythm {
    /// Monday first, whatever order the settings gave.
    days: Vec<Weekday>,
    hour: u32,
    jobs_per_email: usize,
}

impl Rhythm {
    /// `tier`'s rhythm as the delivery settings set it.
    pub fn of(settings: &crate::settings::DeliverySettings, tier: jobping_core::Tier) -> Self {
        let (cadence, jobs_per_email) = super::cadence_for(settings, tier);
        Self::new(cadence, jobs_per_email)
    }

    pub fn new(cadence: &Cadence, jobs_per_email: usize) -> Self {
        let mut days = cadence.days.clone();
        days.sort_by_key(Weekday::num_days_from_monday);
        days.dedup();
        Self {
            days,
            hour: cadence.hour,
            jobs_per_email,
        }
    }

    /// At most this many jobs in one email.
    pub fn jobs_per_email(&self) -> usize {
        self.jobs_per_email
    }

    /// At most this many jobs in a week: one email on each of the days.
    pub fn jobs_per_week(&self) -> usize {
        self.jobs_per_email * self.days.len()
    }

    /// "Thursday", "Monday and Thursday", "Monday, Wednesday and Friday".
    pub fn days(&self) -> String {
        join(&self.days, "and")
    }

    /// When the next email comes: "Thursday morning", "Monday, Wednesday or Friday morning".
    pub fn next_email(&self) -> String {
        format!("{} {}", join(&self.days, "or"), self.part_of_day())
    }

    /// When emails come: "every Monday, Wednesday and Friday morning".
    pub fn every(&self) -> String {
        format!("every {} {}", self.days(), self.part_of_day())
    }

    fn part_of_day(&self) -> &'static str {
        match self.hour {
            0..=11 => "morning",
            12..=17 => "afternoon",
            _ => "evening",
        }
    }

    /// "5 jobs every week, on Thursday", "15 jobs a week: 5 on Monday, Wednesday and Friday".
    pub fn summary(&self) -> String {
        match self.days.len() {
            1 => format!("{} every week, on {}", jobs(self.jobs_per_email), self.days()),
            _ => format!(
                "{} a week: {} on {}",
                jobs(self.jobs_per_week()),
                self.jobs_per_email,
                self.days()
            ),
        }
    }
}

/// "1 job", "5 jobs".
fn jobs(n: usize) -> String {
    if n == 1 {
        "1 job".to_owned()
    } else {
        format!("{n} jobs")
    }
}

/// Weekday names as a sentence lists them: "Monday, Wednesday and Friday".
fn join(days: &[Weekday], conjunction: &str) -> String {
    let names: Vec<&str> = days.iter().map(|day| day_name(*day)).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} {conjunction} {last}", rest.join(", ")),
    }
}

fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Parses a weekday as settings write it (`mon`, `Monday`).
pub fn weekday(text: &str) -> Option<Weekday> {
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn thursdays_at_8() -> Cadence {
        Cadence {
            days: vec![Weekday::Thu],
            hour: 8,
        }
    }

    const GRACE: Duration = Duration::hours(12);

    #[test]
    fn a_slot_opens_at_the_local_hour_on_the_tiers_day() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // Thursday 3 December 2026: Berlin is UTC+1, so 08:00 local is 07:00 UTC.
        assert_eq!(
            due_slot(&thursdays_at_8(), berlin, utc("2026-12-03T06:59:59Z"), GRACE),
            None
        );
        let slot = due_slot(&thursdays_at_8(), berlin, utc("2026-12-03T07:00:00Z"), GRACE).unwrap();
        assert_eq!(slot.period, "2026-W49-thu");
        assert_eq!(slot.opens_at, utc("2026-12-03T07:00:00Z"));
        // Still due later that day, then no longer once the grace has passed.
        assert!(due_slot(&thursdays_at_8(), berlin, utc("2026-12-03T18:59:00Z"), GRACE).is_some());
        assert_eq!(
            due_slot(&thursdays_at_8(), berlin, utc("2026-12-03T19:00:00Z"), GRACE),
            None
        );
        // Not on a Wednesday.
        assert_eq!(
            due_slot(&thursdays_at_8(), berlin, utc("2026-12-02T09:00:00Z"), GRACE),
            None
        );
    }

    #[test]
    fn the_same_utc_instant_is_due_in_one_zone_and_not_yet_in_another() {
        let now = utc("2026-12-03T07:30:00Z");
        let london: Tz = "Europe/London".parse().unwrap();
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        assert!(due_slot(&thursdays_at_8(), berlin, now, GRACE).is_some());
        assert_eq!(due_slot(&thursdays_at_8(), london, now, GRACE), None);
    }

    #[test]
    fn summer_time_moves_the_slot_by_an_hour_in_utc() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        // Thursday 2 July 2026: Paris is UTC+2, so 08:00 local is 06:00 UTC.
        let slot = due_slot(&thursdays_at_8(), paris, utc("2026-07-02T06:00:00Z"), GRACE).unwrap();
        assert_eq!(slot.opens_at, utc("2026-07-02T06:00:00Z"));
        assert_eq!(slot.period, "2026-W27-thu");
    }

    #[test]
    fn an_hour_the_clocks_skip_opens_right_after_the_jump() {
        // Sunday 29 March 2026, Europe/London: 01:00 local does not exist.
        let london: Tz = "Europe/London".parse().unwrap();
        let sundays_at_1 = Cadence {
            days: vec![Weekday::Sun],
            hour: 1,
        };
        let slot = due_slot(&sundays_at_1, london, utc("2026-03-29T01:30:00Z"), GRACE).unwrap();
        assert_eq!(
            slot.opens_at,
            utc("2026-03-29T01:00:00Z"),
            "02:00 BST is 01:00 UTC"
        );
    }

    #[test]
    fn an_hour_that_happens_twice_opens_the_first_time() {
        // Sunday 25 October 2026, Europe/London: 01:00 local happens twice.
        let london: Tz = "Europe/London".parse().unwrap();
        let sundays_at_1 = Cadence {
            days: vec![Weekday::Sun],
            hour: 1,
        };
        let slot = due_slot(&sundays_at_1, london, utc("2026-10-25T00:30:00Z"), GRACE).unwrap();
        assert_eq!(slot.opens_at, utc("2026-10-25T00:00:00Z"));
        // The second 01:00 is the same slot, not a new one.
        let later = due_slot(&sundays_at_1, london, utc("2026-10-25T01:30:00Z"), GRACE).unwrap();
        assert_eq!(later.period, slot.period);
    }

    #[test]
    fn premium_days_each_have_their_own_period() {
        let premium = Cadence {
            days: vec![Weekday::Mon, Weekday::Wed, Weekday::Fri],
            hour: 8,
        };
        let dublin: Tz = "Europe/Dublin".parse().unwrap();
        let monday = due_slot(&premium, dublin, utc("2026-11-30T09:00:00Z"), GRACE).unwrap();
        let wednesday = due_slot(&premium, dublin, utc("2026-12-02T09:00:00Z"), GRACE).unwrap();
        let friday = due_slot(&premium, dublin, utc("2026-12-04T09:00:00Z"), GRACE).unwrap();
        assert_eq!(
            [monday.period, wednesday.period, friday.period],
            ["2026-W49-mon", "2026-W49-wed", "2026-W49-fri"]
        );
        assert_eq!(
            due_slot(&premium, dublin, utc("2026-12-03T09:00:00Z"), GRACE),
            None
        );
    }

    #[test]
    fn the_iso_week_year_is_used_around_new_year() {
        // Thursday 31 December 2026 is in ISO week 53 of 2026; Friday 1 January 2027 too.
        let utc_zone: Tz = "UTC".parse().unwrap();
        let friday = Cadence {
            days: vec![Weekday::Fri],
            hour: 8,
        };
        let slot = due_slot(&friday, utc_zone, utc("2027-01-01T09:00:00Z"), GRACE).unwrap();
        assert_eq!(slot.period, "2026-W53-fri");
    }

    #[test]
    fn a_rhythm_reads_as_its_days_and_counts() {
        let free = Rhythm::new(&thursdays_at_8(), 5);
        assert_eq!(free.summary(), "5 jobs every week, on Thursday");
        assert_eq!(free.next_email(), "Thursday morning");
        let premium = Rhythm::new(
            &Cadence {
                days: vec![Weekday::Fri, Weekday::Mon, Weekday::Wed],
                hour: 8,
            },
            5,
        );
        assert_eq!(premium.days(), "Monday, Wednesday and Friday");
        assert_eq!(premium.jobs_per_week(), 15);
        assert_eq!(
            premium.summary(),
            "15 jobs a week: 5 on Monday, Wednesday and Friday"
        );
        assert_eq!(premium.next_email(), "Monday, Wednesday or Friday morning");
        assert_eq!(premium.every(), "every Monday, Wednesday and Friday morning");
        let evenings = Rhythm::new(
            &Cadence {
                days: vec![Weekday::Sun, Weekday::Tue],
                hour: 19,
            },
            1,
        );
        assert_eq!(evenings.summary(), "2 jobs a week: 1 on Tuesday and Sunday");
        assert_eq!(evenings.next_email(), "Tuesday or Sunday evening");
        assert_eq!(
            Rhythm::new(&thursdays_at_8(), 1).summary(),
            "1 job every week, on Thursday"
        );
    }

    #[test]
    fn weekdays_are_read_short_or_long() {
        assert_eq!(weekday("thu"), Some(Weekday::Thu));
        assert_eq!(weekday(" Monday "), Some(Weekday::Mon));
        assert_eq!(weekday("someday"), None);
    }
}
