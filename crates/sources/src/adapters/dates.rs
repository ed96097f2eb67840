//! Dates as boards write them, read without guessing.

use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// RFC 3339, RFC 2822, or one of the plain forms boards use, read as UTC when no
/// offset is given: "2026-08-05 09:41:37 UTC", "2024-03-15T10:12:44", "2026-08-05".
pub(crate) fn parse(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc2822) {
        return Some(t);
    }
    let s = s
        .strip_suffix(" UTC")
        .or_else(|| s.strip_suffix('Z'))
        .unwrap_or(s);
    let spaced = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let t_form = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let t_frac = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond]");
    for form in [spaced, t_form, t_frac] {
        if let Ok(t) = PrimitiveDateTime::parse(s, form) {
            return Some(t.assume_offset(UtcOffset::UTC));
        }
    }
    let day = Date::parse(s, format_description!("[year]-[month]-[day]")).ok()?;
    Some(day.midnight().assume_offset(UtcOffset::UTC))
}

/// Reed's "18/03/2024".
pub(crate) fn day_month_year(s: &str) -> Option<OffsetDateTime> {
    let day = Date::parse(s.trim(), format_description!("[day]/[month]/[year]")).ok()?;
    Some(day.midnight().assume_offset(UtcOffset::UTC))
}

/// Seconds since the epoch, within the dates `time` can hold.
pub(crate) fn epoch_seconds(secs: f64) -> Option<OffsetDateTime> {
    if !(0.0..1.0e11).contains(&secs) {
        return None;
    }
    OffsetDateTime::from_unix_timestamp(secs as i64).ok()
}

/// Milliseconds since the epoch (Lever's `createdAt`).
pub(crate) fn epoch_millis(millis: f64) -> Option<OffsetDateTime> {
    epoch_seconds(millis / 1000.0)
}
