//! Character references in text, read as the HTML tokenizer reads them, for those
//! whose reading needs no more than this module holds: a named reference with its
//! semicolon from the short list below, or a numeric one for a character the parser
//! keeps as it is.

/// The character a reference at `at` (its `&`) stands for, and where the text goes
/// on; `None` for a reference this module does not know.
pub(super) fn char_reference(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let rest = &bytes[at + 1..];
    match rest.first() {
        Some(b'#') => numeric_reference(rest, at),
        Some(b) if b.is_ascii_alphanumeric() => {
            let len = rest
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .unwrap_or(rest.len());
            if rest.get(len) != Some(&b';') {
                // Without its semicolon, a reference's meaning depends on the longest
                // name in the whole table that starts it.
                return None;
            }
            let c = named_reference(&rest[..len])?;
            Some((c, at + len + 2))
        }
        // "R & D": an ampersand that starts no reference.
        _ => Some(('&', at + 1)),
    }
}

/// `&#39;` and `&#x2019;`, with their semicolon, for characters the parser takes as
/// they are (not NUL, controls, surrogates, noncharacters or the remapped C1 range).
fn numeric_reference(rest: &[u8], at: usize) -> Option<(char, usize)> {
    let (radix, digits_at) = match rest.get(1) {
        Some(b'x' | b'X') => (16, 2),
        _ => (10, 1),
    };
    let digits = rest[digits_at..]
        .iter()
        .position(|b| !(*b as char).is_digit(radix))
        .unwrap_or(rest.len() - digits_at);
    if digits == 0 || digits > 7 || rest.get(digits_at + digits) != Some(&b';') {
        return None;
    }
    let text = std::str::from_utf8(&rest[digits_at..digits_at + digits]).ok()?;
    let code = u32::from_str_radix(text, radix).ok()?;
    let plain = matches!(code, 0x09 | 0x0A | 0x20..=0x7E | 0xA0..=0x10FFFF)
        && !(0xFDD0..=0xFDEF).contains(&code)
        && code & 0xFFFE != 0xFFFE;
    let c = char::from_u32(code).filter(|_| plain)?;
    Some((c, at + 1 + digits_at + digits + 1))
}

/// The named references descriptions use most; names as the HTML standard spells them.
fn named_reference(name: &[u8]) -> Option<char> {
    Some(match name {
        b"amp" => '&',
        b"lt" => '<',
        b"gt" => '>',
        b"quot" => '"',
        b"apos" => '\'',
        b"nbsp" => '\u{a0}',
        b"rsquo" => '\u{2019}',
        b"lsquo" => '\u{2018}',
        b"rdquo" => '\u{201d}',
        b"ldquo" => '\u{201c}',
        b"mdash" => '\u{2014}',
        b"ndash" => '\u{2013}',
        b"hellip" => '\u{2026}',
        b"bull" => '\u{2022}',
        b"middot" => '\u{b7}',
        b"euro" => '\u{20ac}',
        b"pound" => '\u{a3}',
        b"copy" => '\u{a9}',
        b"reg" => '\u{ae}',
        b"trade" => '\u{2122}',
        b"eacute" => '\u{e9}',
        b"auml" => '\u{e4}',
        b"ouml" => '\u{f6}',
        b"uuml" => '\u{fc}',
        b"szlig" => '\u{df}',
        _ => return None,
    })
}
