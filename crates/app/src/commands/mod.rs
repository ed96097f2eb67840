//! One-shot operator commands: each runs to its end and prints a summary.

pub mod admin_key;
pub mod dns;
pub mod jobs;
pub mod mail_tools;
pub mod matches;
pub mod scrape;
pub mod send_due;
pub mod sources;

/// Formats rows as a left-aligned text table with a header.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = line(header.to_vec());
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

/// "3 h ago" style ages for people.
pub(crate) fn ago(at: Option<time::OffsetDateTime>, now: time::OffsetDateTime) -> String {
    let Some(at) = at else { return "never".to_owned() };
    let seconds = (now - at).whole_seconds().max(0);
    match seconds {
        0..60 => format!("{seconds} s ago"),
        60..3_600 => format!("{} min ago", seconds / 60),
        3_600..86_400 => format!("{} h ago", seconds / 3_600),
        _ => format!("{} d ago", seconds / 86_400),
    }
}
