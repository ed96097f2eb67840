//! Small server-rendered SVG charts for the console. Each is decorative next to the
//! table or sentence that carries the same figures (its text alternative): the SVG has
//! a `role="img"` and an `aria-label` summing it up.

use std::fmt::Write;

/// Escapes text for an SVG attribute or text node.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Horizontal bars, one per named count, labelled with the name and the count.
pub fn bars(label: &str, rows: &[(String, u64)]) -> String {
    const ROW: usize = 22;
    const LABEL_W: usize = 130;
    const BAR_W: usize = 200;
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let height = (rows.len() * ROW).max(ROW);
    let mut svg = format!(
        r#"<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {height}" width="100%" preserveAspectRatio="xMinYMin meet">"#,
        escape(label),
        LABEL_W + BAR_W + 60
    );
    for (i, (name, count)) in rows.iter().enumerate() {
        let y = i * ROW;
        let width = (*count as f64 / max as f64 * BAR_W as f64).round() as usize;
        let _ = write!(
            svg,
            r##"<text x="0" y="{ty}" font-size="12" fill="#1f2933">{name}</text><rect x="{LABEL_W}" y="{ry}" width="{width}" height="14" fill="#2563eb"/><text x="{tx}" y="{ty}" font-size="12" fill="#1f2933">{count}</text>"##,
            ty = y + 15,
            ry = y + 4,
            tx = LABEL_W + width + 6,
            name = escape(&truncate(name, 20)),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical bars for a series (e.g. one per day), scaled to the largest value.
pub fn columns(label: &str, values: &[u64]) -> String {
    const W: usize = 10;
    const H: usize = 60;
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let mut svg = format!(
        r#"<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" preserveAspectRatio="none">"#,
        escape(label),
        values.len() * W,
        H + 2
    );
    for (i, value) in values.iter().enumerate() {
        let h = (*value as f64 / max as f64 * H as f64).round() as usize;
        let _ = write!(
            svg,
            r##"<rect x="{}" y="{}" width="{}" height="{h}" fill="#2563eb"/>"##,
            i * W + 1,
            H - h + 1,
            W - 2,
        );
    }
    let _ = write!(
        svg,
        r##"<line x1="0" y1="{y}" x2="{x2}" y2="{y}" stroke="#9aa5b1" stroke-width="1"/></svg>"##,
        y = H + 1,
        x2 = values.len() * W
    );
    svg
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_labels_are_escaped_and_the_largest_bar_is_full_width() {
        let svg = bars("Jobs by source", &[("<b>".into(), 4), ("lever".into(), 2)]);
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        assert!(svg.contains(r#"width="200""#) && svg.contains(r#"width="100""#));
        assert!(svg.contains(r#"aria-label="Jobs by source""#));
    }

    #[test]
    fn columns_scale_to_the_largest_value_and_survive_all_zeros() {
        let svg = columns("Signups", &[0, 3, 6]);
        assert!(svg.contains(r#"height="60""#) && svg.contains(r#"height="30""#));
        assert!(columns("Nothing", &[0, 0]).starts_with("<svg"));
    }
}
