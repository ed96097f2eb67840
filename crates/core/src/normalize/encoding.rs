//! Character-level repairs: HTML entities and UTF-8 that was misread as Latin-1.

use std::borrow::Cow;

/// Decodes numeric and the common named HTML entities; anything else stays as written.
pub(crate) fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    decode_entities_into(text, &mut out);
    out
}

/// Where decoded text goes: a `String`, or a writer that collapses whitespace as it
/// comes (`text::Collapsed`).
pub(crate) trait TextOut {
    fn push_str(&mut self, text: &str);
    fn push(&mut self, c: char);
}

impl TextOut for String {
    fn push_str(&mut self, text: &str) {
        String::push_str(self, text);
    }

    fn push(&mut self, c: char) {
        String::push(self, c);
    }
}

/// As [`decode_entities`], appending to `out`.
pub(crate) fn decode_entities_into(text: &str, out: &mut impl TextOut) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after
            .char_indices()
            .take(12)
            .find(|&(_, c)| c == ';')
            .and_then(|(semi, _)| entity(&after[..semi]).map(|c| (c, semi)));
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).filter(|&c| c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "bull" => '•',
        "middot" => '·',
        "euro" => '€',
        "pound" => '£',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        "eacute" => 'é',
        "egrave" => 'è',
        "ecirc" => 'ê',
        "Eacute" => 'É',
        "agrave" => 'à',
        "acirc" => 'â',
        "ccedil" => 'ç',
        "icirc" => 'î',
        "ocirc" => 'ô',
        "ucirc" => 'û',
        "oslash" => 'ø',
        "aring" => 'å',
        "aelig" => 'æ',
        "ntilde" => 'ñ',
        _ => return None,
    })
}

/// Repairs UTF-8 that was decoded as Latin-1/Windows-1252 somewhere upstream
/// ("ZÃ¼rich" → "Zürich", "GdaÅ\u{84}sk" → "Gdańsk"). The repair is kept only when the
/// re-encoded bytes are valid UTF-8, which correctly written accents ("Zürich",
/// "Årsta") never are, so clean text is left alone.
pub(crate) fn repair_mojibake(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let bytes: Option<Vec<u8>> = text.chars().map(latin1_byte).collect();
    match bytes.and_then(|b| String::from_utf8(b).ok()) {
        Some(repaired) if repaired != text => Cow::Owned(repaired),
        _ => Cow::Borrowed(text),
    }
}

/// The byte a character came from when UTF-8 was misread as Windows-1252 (or Latin-1).
fn latin1_byte(c: char) -> Option<u8> {
    const CP1252: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8A),
        ('‹', 0x8B),
        ('Œ', 0x8C),
        ('Ž', 0x8E),
        ('‘', 0x91),
        ('’', 0x92),
        ('“', 0x93),
        ('”', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9A),
        ('›', 0x9B),
        ('œ', 0x9C),
        ('ž', 0x9E),
        ('Ÿ', 0x9F),
    ];
    match u32::from(c) {
        code @ 0..=0xFF => Some(code as u8),
        _ => CP1252.iter().find(|(ch, _)| *ch == c).map(|&(_, b)| b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mojibake_is_repaired_and_clean_text_left_alone() {
        assert_eq!(repair_mojibake("ZÃ¼rich"), "Zürich");
        assert_eq!(repair_mojibake("GdaÅ\u{84}sk"), "Gdańsk");
        assert_eq!(repair_mojibake("MÃ¼nchen, Deutschland"), "München, Deutschland");
        for clean in ["Zürich", "København", "Årsta", "Île-de-France", "London"] {
            assert_eq!(repair_mojibake(clean), clean);
        }
    }

    #[test]
    fn unknown_or_broken_entities_stay_as_written() {
        assert_eq!(
            decode_entities("R&D &bogus; &#xZZ; &amp"),
            "R&D &bogus; &#xZZ; &amp"
        );
        assert_eq!(decode_entities("&#0; &#55296;"), "&#0; &#55296;");
    }
}
