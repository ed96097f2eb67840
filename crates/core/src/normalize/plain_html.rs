//! The sanitizer's fast path for the plain HTML most boards send: paragraphs, lists,
//! headings, emphasis and links, properly nested. For such a description, ammonia's
//! result is the same markup with every attribute but a link's `href` dropped, `span`
//! tags unwrapped, text re-escaped and `rel` added to links; this module writes that
//! result in one pass instead of building and walking a DOM, which cost a quarter of
//! normalizing a posting.
//!
//! It answers only where it knows the tree the HTML parser builds: known tags, each
//! closed in order, except for the two slips boards make most (a list or heading
//! started inside a paragraph, which ends the paragraph, and an end tag with nothing
//! open to close, which is dropped); nothing else the tree builder would close or
//! reopen by itself (a block inside a paragraph's emphasis, a link inside a link, a
//! list item inside a list item); no comments, no raw-text elements, and only the
//! character references it knows. For anything else it returns `None` and ammonia sanitizes the
//! description as before. A property test checks that wherever this answers, it
//! answers exactly what ammonia does.

mod references;

use references::char_reference;

/// The `rel` ammonia adds to every link; shared with the ammonia builder.
pub(crate) const LINK_REL: &str = "nofollow noopener noreferrer";

/// The URL schemes a link may keep; shared with the ammonia builder.
pub(crate) const URL_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// The elements the fast path knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum El {
    A,
    B,
    Blockquote,
    Br,
    Code,
    Div,
    Em,
    H(u8),
    Hr,
    I,
    Li,
    Ol,
    P,
    /// Not kept by the sanitizer: its content stays, the tag goes.
    Span,
    Strong,
    U,
    Ul,
}

impl El {
    /// The element a lowercase tag name names, if it is one of ours.
    fn named(name: &[u8]) -> Option<Self> {
        Some(match name {
            b"a" => Self::A,
            b"b" => Self::B,
            b"blockquote" => Self::Blockquote,
            b"br" => Self::Br,
            b"code" => Self::Code,
            b"div" => Self::Div,
            b"em" => Self::Em,
            [b'h', level @ b'1'..=b'6'] => Self::H(level - b'0'),
            b"hr" => Self::Hr,
            b"i" => Self::I,
            b"li" => Self::Li,
            b"ol" => Self::Ol,
            b"p" => Self::P,
            b"span" => Self::Span,
            b"strong" => Self::Strong,
            b"u" => Self::U,
            b"ul" => Self::Ul,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::A => "a",
            Self::B => "b",
            Self::Blockquote => "blockquote",
            Self::Br => "br",
            Self::Code => "code",
            Self::Div => "div",
            Self::Em => "em",
            Self::H(level) => ["h1", "h2", "h3", "h4", "h5", "h6"][usize::from(level - 1)],
            Self::Hr => "hr",
            Self::I => "i",
            Self::Li => "li",
            Self::Ol => "ol",
            Self::P => "p",
            Self::Span => "span",
            Self::Strong => "strong",
            Self::U => "u",
            Self::Ul => "ul",
        }
    }

    /// Elements with no content and no end tag.
    fn is_void(self) -> bool {
        matches!(self, Self::Br | Self::Hr)
    }

    /// Start tags before which the tree builder closes an open `<p>`.
    fn closes_p(self) -> bool {
        matches!(
            self,
            Self::Blockquote | Self::Div | Self::H(_) | Self::Hr | Self::Li | Self::Ol | Self::P | Self::Ul
        )
    }

    /// Where a new list item stops looking for an open one to close: the "special"
    /// elements other than `div` and `p`.
    fn bounds_list_item(self) -> bool {
        matches!(self, Self::Blockquote | Self::H(_) | Self::Ol | Self::Ul)
    }

    /// Formatting elements, which the tree builder also tracks in its list of active
    /// formatting elements.
    fn is_formatting(self) -> bool {
        matches!(
            self,
            Self::A | Self::B | Self::Code | Self::Em | Self::I | Self::Strong | Self::U
        )
    }
}

/// Whether the tree builder would insert `el` where the open elements are `open`
/// (outermost first) and do nothing else: no implied end tags, no adoption agency.
fn inserts_plainly(open: &[El], el: El) -> bool {
    if el.closes_p() && open.contains(&El::P) {
        return false;
    }
    match el {
        El::H(_) => !open.iter().any(|e| matches!(e, El::H(_))),
        El::Li => {
            for e in open.iter().rev() {
                if *e == El::Li {
                    return false;
                }
                if e.bounds_list_item() {
                    break;
                }
            }
            true
        }
        El::A => !open.contains(&El::A),
        // The "Noah's Ark" clause starts forgetting a fourth identical element.
        el if el.is_formatting() => open.iter().filter(|e| **e == el).count() < 3,
        _ => true,
    }
}

/// The sanitized form of `html`, exactly as ammonia would write it, or `None` when the
/// HTML is not plain enough to be sure.
pub(crate) fn sanitize_plain(html: &str) -> Option<String> {
    if html.starts_with('\u{feff}') {
        // The parser drops a leading byte-order mark.
        return None;
    }
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len());
    let mut open: Vec<El> = Vec::with_capacity(8);
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if !SPECIAL_IN_TEXT[usize::from(byte)] {
            i += 1;
            continue;
        }
        out.push_str(&html[copied..i]);
        match byte {
            b'<' => i = markup(html, i, &mut open, &mut out)?,
            b'&' => {
                let (c, next) = char_reference(bytes, i)?;
                push_escaped(&mut out, c);
                i = next;
            }
            b'>' => {
                out.push_str("&gt;");
                i += 1;
            }
            b'\r' => {
                // The parser reads CR LF and a lone CR as LF.
                out.push('\n');
                i += if bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            }
            0xC2 if bytes.get(i + 1) == Some(&0xA0) => {
                out.push_str("&nbsp;");
                i += 2;
            }
            0xC2 => {
                out.push_str(&html[i..i + 2]);
                i += 2;
            }
            // NUL, which the parser drops from text.
            _ => return None,
        }
        copied = i;
    }
    out.push_str(&html[copied..]);
    // The parser leaves unclosed elements open; the serializer closes them.
    for el in open.into_iter().rev() {
        close(&mut out, el);
    }
    Some(out)
}

/// Bytes in text that are not copied as they are.
static SPECIAL_IN_TEXT: [bool; 256] = {
    let mut table = [false; 256];
    table[b'<' as usize] = true;
    table[b'&' as usize] = true;
    table[b'>' as usize] = true;
    table[b'\r' as usize] = true;
    table[0] = true;
    table[0xC2] = true;
    table
};

/// Reads the markup starting at the `<` at `at`; returns where the text resumes.
fn markup(html: &str, at: usize, open: &mut Vec<El>, out: &mut String) -> Option<usize> {
    let bytes = html.as_bytes();
    match bytes.get(at + 1) {
        Some(b) if b.is_ascii_alphabetic() => start_tag(html, at + 1, open, out),
        Some(b'/') if bytes.get(at + 2).is_some_and(u8::is_ascii_alphabetic) => {
            end_tag(bytes, at + 2, open, out)
        }
        // Comments, doctypes, processing instructions, bogus end tags.
        Some(b'!' | b'?' | b'/') => None,
        // "a < b": a less-than sign in text.
        _ => {
            out.push_str("&lt;");
            Some(at + 1)
        }
    }
}

/// The tokenizer's whitespace, with CR (read as LF).
fn is_space(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// Where the run of spaces from `at` ends.
fn skip_spaces(bytes: &[u8], at: usize) -> usize {
    at + bytes[at.min(bytes.len())..]
        .iter()
        .take_while(|&&b| is_space(b))
        .count()
}

/// A tag name from `at` to the first space, `/` or `>`, lowercased into `buffer`.
fn tag_name<'b>(bytes: &[u8], at: usize, buffer: &'b mut [u8; 10]) -> Option<(&'b [u8], usize)> {
    let len = bytes[at..]
        .iter()
        .position(|&b| is_space(b) || b == b'/' || b == b'>')?;
    let name = buffer.get_mut(..len)?;
    name.copy_from_slice(&bytes[at..at + len]);
    name.make_ascii_lowercase();
    Some((name, at + len))
}

fn start_tag(html: &str, at: usize, open: &mut Vec<El>, out: &mut String) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut buffer = [0u8; 10];
    let (name, mut i) = tag_name(bytes, at, &mut buffer)?;
    let el = El::named(name)?;
    let mut href: Option<&str> = None;
    let self_closing = loop {
        i = skip_spaces(bytes, i);
        match *bytes.get(i)? {
            b'>' => break false,
            b'/' if bytes.get(i + 1) == Some(&b'>') => {
                i += 1;
                break true;
            }
            b'/' | b'=' => return None,
            _ => {
                let (attribute, value, next) = attribute(html, i)?;
                // Of attributes named twice, the parser keeps the first.
                if el == El::A && href.is_none() && attribute.eq_ignore_ascii_case("href") {
                    href = Some(value);
                }
                i = next;
            }
        }
    };
    if self_closing && !el.is_void() {
        // `<p/>` is a start tag whose slash the parser ignores; rare enough to leave.
        return None;
    }
    if el.closes_p() && open.last() == Some(&El::P) {
        // `<p>Skills:<ul>`: the parser ends the paragraph where the block starts.
        open.pop();
        close(out, El::P);
    }
    if !inserts_plainly(open, el) {
        return None;
    }
    match el {
        El::Span => {}
        El::A => {
            out.push_str("<a");
            let href = match href {
                Some(raw) => Some(attribute_value(raw)?),
                None => None,
            };
            if let Some(href) = href.filter(|h| keeps_url(h)) {
                out.push_str(" href=\"");
                for c in href.chars() {
                    push_escaped_attribute(out, c);
                }
                out.push('"');
            }
            out.push_str(" rel=\"");
            out.push_str(LINK_REL);
            out.push_str("\">");
        }
        el => {
            out.push('<');
            out.push_str(el.name());
            out.push('>');
        }
    }
    if !el.is_void() {
        open.push(el);
    }
    Some(i + 1)
}

/// One attribute from `at`: its name, its raw value (empty when it has none) and where
/// the tag goes on. Refuses the shapes the tokenizer reads with a parse error.
fn attribute(html: &str, at: usize) -> Option<(&str, &str, usize)> {
    let bytes = html.as_bytes();
    let mut i = at;
    while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=') {
        if matches!(bytes[i], b'"' | b'\'' | b'<' | 0) {
            return None;
        }
        i += 1;
    }
    let name = &html[at..i];
    let mut j = skip_spaces(bytes, i);
    if bytes.get(j) != Some(&b'=') {
        return Some((name, "", i));
    }
    j = skip_spaces(bytes, j + 1);
    match *bytes.get(j)? {
        quote @ (b'"' | b'\'') => {
            let len = memchr::memchr(quote, &bytes[j + 1..])?;
            let value = &html[j + 1..j + 1 + len];
            if value.bytes().any(|b| b == 0) {
                return None;
            }
            Some((name, value, j + 2 + len))
        }
        // `<p a=>`: an empty value, and the tag ends.
        b'>' => Some((name, "", j)),
        _ => {
            let end = j + bytes[j..].iter().position(|&b| is_space(b) || b == b'>')?;
            let value = &html[j..end];
            if value
                .bytes()
                .any(|b| matches!(b, b'"' | b'\'' | b'<' | b'=' | b'`' | 0))
            {
                return None;
            }
            Some((name, value, end))
        }
    }
}

/// An attribute value as the parser reads it, for the one value kept (a link's
/// `href`): `&amp;` is `&`; any other reference or a CR is left to ammonia.
fn attribute_value(raw: &str) -> Option<String> {
    if raw.contains('\r') {
        return None;
    }
    let mut value = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        value.push_str(&rest[..amp]);
        rest = rest[amp..].strip_prefix("&amp;")?;
        value.push('&');
    }
    value.push_str(rest);
    Some(value)
}

/// Ammonia's test for a link's URL: an allowed scheme, or relative.
fn keeps_url(href: &str) -> bool {
    match url::Url::parse(href) {
        Ok(url) => URL_SCHEMES.contains(&url.scheme()),
        Err(e) => e == url::ParseError::RelativeUrlWithoutBase,
    }
}

fn end_tag(bytes: &[u8], at: usize, open: &mut Vec<El>, out: &mut String) -> Option<usize> {
    let mut buffer = [0u8; 10];
    let (name, i) = tag_name(bytes, at, &mut buffer)?;
    let el = El::named(name)?;
    let i = skip_spaces(bytes, i);
    if bytes.get(i) != Some(&b'>') {
        return None;
    }
    if open.last() == Some(&el) {
        open.pop();
        close(out, el);
        return Some(i + 1);
    }
    let heading_open = open.iter().any(|e| matches!(e, El::H(_)));
    match el {
        // `</p>` with no paragraph open makes an empty one.
        El::P if !open.contains(&El::P) => out.push_str("<p></p>"),
        // An end tag for no open element ("</a> on Arbeitnow</a>"): the parser drops
        // it. `</br>` is read as `<br>`, and `</h2>` closes any open heading.
        El::H(_) if !heading_open => {}
        El::Br | El::P | El::H(_) => return None,
        el if !open.contains(&el) => {}
        // One open further out: the parser would close those in between, or reopen
        // formatting after it.
        _ => return None,
    }
    Some(i + 1)
}

fn close(out: &mut String, el: El) {
    if el != El::Span {
        out.push_str("</");
        out.push_str(el.name());
        out.push('>');
    }
}

/// A text character as the serializer writes it.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '\u{a0}' => out.push_str("&nbsp;"),
        c => out.push(c),
    }
}

/// An attribute value's character as the serializer writes it.
fn push_escaped_attribute(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("&quot;"),
        c => push_escaped(out, c),
    }
}
