//! The `<script>` elements of an HTML page, found without building its DOM.
//!
//! A career page is mostly markup around one large JSON-LD block, and a full HTML parse
//! reads that block a character at a time. This scanner reads the page as the HTML
//! tokenizer would (comments, tags with their quoted attributes, and the elements whose
//! content is raw text), but only for the pages where that reading is certain to agree
//! with the full parser. On anything that depends on more (foreign SVG or MathML
//! content, templates, framesets, `<select>`, `<plaintext>`, script content that opens
//! a comment, a NUL, an unfinished tag or comment, an entity in a script's `type`) it
//! gives up and returns `None`, and the caller parses the page properly.

use std::borrow::Cow;

/// A script element: its `type` attribute and its content, as the parser gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Script<'a> {
    pub kind: Option<&'a str>,
    pub content: Cow<'a, str>,
}

/// Every script element in document order, or `None` when the page needs a full parse.
pub(crate) fn scripts(html: &str) -> Option<Vec<Script<'_>>> {
    if html.contains('\0') {
        return None;
    }
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(lt) = memchr::memchr(b'<', &bytes[i..]) {
        let at = i + lt + 1;
        match bytes.get(at) {
            Some(b'!') => i = declaration_end(html, at + 1)?,
            Some(b'?') => i = past_next_gt(bytes, at)?,
            Some(b'/') => i = end_tag_end(html, at + 1)?,
            Some(letter) if letter.is_ascii_alphabetic() => {
                let name_end = at + len_until(&bytes[at..], ends_name);
                let name = &html[at..name_end];
                let tag = start_tag(html, name_end)?;
                let content_start = tag.end;
                i = match RawText::of(name)? {
                    RawText::No => content_start,
                    RawText::Yes => raw_text_end(html, content_start, name),
                    RawText::Script => {
                        let content_end = raw_text_end(html, content_start, "script");
                        let content = &html[content_start..content_end];
                        if content.contains("<!--") {
                            return None;
                        }
                        let kind = match tag.kind {
                            Some(kind) if kind.contains('&') => return None,
                            kind => kind,
                        };
                        found.push(Script {
                            kind,
                            content: newlines_as_parsed(content),
                        });
                        content_end
                    }
                };
            }
            // A "<" that starts no tag is text.
            _ => i = at,
        }
        if i >= bytes.len() {
            break;
        }
    }
    Some(found)
}

/// How an element's content is read, by its (any-case) name; `None` to give up.
enum RawText {
    No,
    Yes,
    Script,
}

impl RawText {
    fn of(name: &str) -> Option<Self> {
        let is = |other: &str| name.eq_ignore_ascii_case(other);
        if is("script") {
            Some(Self::Script)
        } else if [
            "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
        ]
        .into_iter()
        .any(is)
        {
            // Raw text or RCDATA: nothing inside is a tag until the element's end tag.
            // (`noscript` too: the parser runs with scripting enabled.)
            Some(Self::Yes)
        } else if ["svg", "math", "template", "frameset", "select", "plaintext"]
            .into_iter()
            .any(is)
        {
            None
        } else {
            Some(Self::No)
        }
    }
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Whether a byte ends a tag name: a space, "/" or ">".
fn ends_name(byte: u8) -> bool {
    is_space(byte) || byte == b'/' || byte == b'>'
}

/// How many bytes come before the first that `stop` accepts (all of them if none does).
fn len_until(bytes: &[u8], stop: impl Fn(u8) -> bool) -> usize {
    bytes.iter().position(|&b| stop(b)).unwrap_or(bytes.len())
}

/// The first byte from `i` on that is not a space.
fn skip_spaces(bytes: &[u8], i: usize) -> usize {
    i + len_until(&bytes[i..], |b| !is_space(b))
}

/// Just past the first ">" from `i` on: where a bogus comment ends.
fn past_next_gt(bytes: &[u8], i: usize) -> Option<usize> {
    memchr::memchr(b'>', &bytes[i..]).map(|gt| i + gt + 1)
}

struct StartTag<'a> {
    /// Just past its ">".
    end: usize,
    /// The first `type` attribute's value.
    kind: Option<&'a str>,
}

/// Reads the attributes of a start tag from `i` (just past its name) as the tokenizer
/// does; `None` if the page ends inside it.
fn start_tag(html: &str, mut i: usize) -> Option<StartTag<'_>> {
    let bytes = html.as_bytes();
    let mut kind = None;
    loop {
        i += len_until(&bytes[i..], |b| !is_space(b) && b != b'/');
        match bytes.get(i)? {
            b'>' => return Some(StartTag { end: i + 1, kind }),
            // An attribute name may start with "=".
            _ => {
                let name_start = i;
                i += 1 + len_until(&bytes[i + 1..], |b| ends_name(b) || b == b'=');
                let name = &html[name_start..i];
                i = skip_spaces(bytes, i);
                let mut value = "";
                if bytes.get(i) == Some(&b'=') {
                    i = skip_spaces(bytes, i + 1);
                    match *bytes.get(i)? {
                        quote @ (b'"' | b'\'') => {
                            let close = i + 1 + memchr::memchr(quote, &bytes[i + 1..])?;
                            value = &html[i + 1..close];
                            i = close + 1;
                        }
                        b'>' => {}
                        _ => {
                            let start = i;
                            i += len_until(&bytes[i..], |b| is_space(b) || b == b'>');
                            value = &html[start..i];
                        }
                    }
                }
                if kind.is_none() && name.eq_ignore_ascii_case("type") {
                    kind = Some(value);
                }
            }
        }
    }
}

/// Just past an end tag whose "</" ends at `i`.
fn end_tag_end(html: &str, i: usize) -> Option<usize> {
    let bytes = html.as_bytes();
    match bytes.get(i)? {
        b'>' => Some(i + 1),
        letter if letter.is_ascii_alphabetic() => {
            let name_end = i + len_until(&bytes[i..], ends_name);
            start_tag(html, name_end).map(|tag| tag.end)
        }
        // "</" and anything else: a bogus comment, to the next ">".
        _ => past_next_gt(bytes, i),
    }
}

/// Just past a comment or declaration whose "<!" ends at `i`.
fn declaration_end(html: &str, i: usize) -> Option<usize> {
    let rest = &html[i..];
    if let Some(comment) = rest.strip_prefix("--") {
        // "<!-->", "<!--->" and "--!>" end comments in ways not worth following.
        if comment.starts_with('>') || comment.starts_with("->") {
            return None;
        }
        let end = comment.find("-->")?;
        if comment[..end].contains("--!") {
            return None;
        }
        return Some(i + 2 + end + 3);
    }
    let gt = rest.find('>')?;
    // A doctype's quoted identifiers may hold a ">".
    if rest[..gt].contains(['"', '\'']) {
        return None;
    }
    Some(i + gt + 1)
}

/// Where the raw text of element `name`, starting at `i`, ends: at its end tag
/// ("</name" in any case, then a space, "/" or ">"), or at the end of the page.
fn raw_text_end(html: &str, i: usize, name: &str) -> usize {
    let bytes = html.as_bytes();
    let mut from = i;
    while let Some(lt) = memchr::memchr(b'<', &bytes[from..]) {
        let at = from + lt;
        let after = at + 2 + name.len();
        if bytes.get(at + 1) == Some(&b'/')
            && bytes
                .get(at + 2..after)
                .is_some_and(|candidate| candidate.eq_ignore_ascii_case(name.as_bytes()))
            && bytes.get(after).copied().is_some_and(ends_name)
        {
            return at;
        }
        from = at + 1;
    }
    bytes.len()
}

/// The parser reads "\r\n" and a lone "\r" as "\n".
fn newlines_as_parsed(content: &str) -> Cow<'_, str> {
    if content.contains('\r') {
        Cow::Owned(content.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(content)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(html: &str) -> Option<Vec<(Option<String>, String)>> {
        scripts(html).map(|found| {
            found
                .into_iter()
                .map(|s| (s.kind.map(str::to_owned), s.content.into_owned()))
                .collect()
        })
    }

    fn one(kind: &str, content: &str) -> (Option<String>, String) {
        (Some(kind.to_owned()), content.to_owned())
    }

    #[test]
    fn scripts_are_found_with_their_type_and_raw_content() {
        let html = r#"<!DOCTYPE html><html><head><title>a <script> in a title</title>
            <script type="application/ld+json">{"a": "<b>&amp;</b>"}</script>
            <SCRIPT Type='text/javascript' src=x.js></SCRIPT >
            <script>var s = "</scripts>";</script/></head><body>
            <!-- <script type="application/ld+json">{}</script> -->
            <p title="x > <script>">text < more</p><style>p::before { content: "<script>" }</style>
            <textarea><script>no</script></textarea><script type=application/ld+json data-x="1">[1]</script>"#;
        assert_eq!(
            contents(html).unwrap(),
            vec![
                one("application/ld+json", r#"{"a": "<b>&amp;</b>"}"#),
                one("text/javascript", ""),
                (None, r#"var s = "</scripts>";"#.to_owned()),
                one("application/ld+json", "[1]"),
            ]
        );
    }

    #[test]
    fn a_script_left_open_runs_to_the_end_of_the_page() {
        assert_eq!(
            contents("<script type=x>{\"a\":1}\r\n").unwrap(),
            vec![one("x", "{\"a\":1}\n")]
        );
    }

    #[test]
    fn pages_the_scanner_cannot_be_sure_of_are_left_to_the_parser() {
        for html in [
            "<svg><script>x</script></svg>",
            "<template><script type=application/ld+json>{}</script></template>",
            "<script><!-- <script></script> --></script>",
            "<script type=\"application/ld&#x2B;json\">{}</script>",
            "<p title=\"open",
            "<!-- never closed",
            "<!DOCTYPE html PUBLIC \"a>b\">",
            "<select><script>x</script></select>",
            "<plaintext><script>",
            "<script>\0</script>",
        ] {
            assert_eq!(contents(html), None, "{html}");
        }
    }

    /// What the full parser finds: each script element's `type` and text.
    fn parsed(html: &str) -> Vec<(Option<String>, String)> {
        let document = scraper::Html::parse_document(html);
        let scripts = scraper::Selector::parse("script").expect("a valid selector");
        document
            .select(&scripts)
            .map(|s| (s.value().attr("type").map(str::to_owned), s.text().collect()))
            .collect()
    }

    const PIECES: &[&str] = &[
        "<script type=application/ld+json>",
        "<script type='application/ld+json' id=\"a\">",
        "<SCRIPT TYPE=\"text/javascript\">",
        "<script>",
        "<script=x>",
        "<script/>",
        "</script>",
        "</SCRIPT >",
        "</script/x>",
        "</scripts>",
        "{\"@type\": \"JobPosting\", \"title\": \"Intern\"}",
        "<!--",
        "-->",
        "<!-- c -->",
        "<!DOCTYPE html>",
        "<?xml x?>",
        "<title>",
        "</title>",
        "<style>",
        "</style>",
        "<textarea>",
        "</textarea>",
        "<noscript>",
        "</noscript>",
        "<iframe>",
        "</iframe>",
        "<p class=\"a > b\">",
        "<p title='",
        "\"",
        "'",
        "<",
        ">",
        "</",
        "</>",
        "</ x>",
        "<br/>",
        "<div a=b c = d e>",
        "<table><tr><td>",
        "</table>",
        "text",
        " ",
        "\r\n",
        "\r",
        "=",
        "/",
        "&amp;",
        "<head>",
        "<body>",
        "</body>",
        "</html>",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Wherever the scanner answers, it answers as the full parser does.
        #[test]
        fn the_scanner_agrees_with_the_parser_wherever_it_answers(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..24)
        ) {
            let html = pieces.concat();
            if let Some(found) = contents(&html) {
                proptest::prop_assert_eq!(found, parsed(&html), "{}", html);
            }
        }
    }
}
