//! Descriptions: third-party HTML becomes plain text (for matching and email) and
//! sanitized HTML (for display). Also the small text repairs every field needs.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::encoding::{TextOut, decode_entities, decode_entities_into};
use super::plain_html;
use std::sync::LazyLock;

/// A description in both forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Description {
    pub text: String,
    pub html: String,
}

/// Plain text and safe HTML from what the board sent. The text form falls back to the
/// board's own plain text when the HTML holds none.
pub(crate) fn describe(html: Option<&str>, text: Option<&str>) -> Description {
    let fallback = text
        .map(|t| collapse_lines(&decode_entities(t)))
        .filter(|t| !t.is_empty());
    match html.map(str::trim).filter(|h| !h.is_empty()) {
        Some(html) => {
            let html = unescape_if_escaped(html);
            let plain = html_to_text(&html);
            let text = if plain.is_empty() {
                fallback.unwrap_or_default()
            } else {
                plain
            };
            Description {
                html: sanitize(&html),
                text,
            }
        }
        None => {
            let text = fallback.unwrap_or_default();
            Description {
                html: text_to_html(&text),
                text,
            }
        }
    }
}

/// A text with its lowercase form, made once for the several readers that search it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Folded<'a> {
    pub original: &'a str,
    pub lower: String,
}

impl<'a> Folded<'a> {
    pub fn new(original: &'a str) -> Self {
        Self {
            original,
            lower: original.to_lowercase(),
        }
    }
}

/// Greenhouse and others send their HTML entity-escaped (`&lt;div&gt;`). When there
/// is no real markup but escaped markup, decode once; never twice, or a posting that
/// shows code (`&amp;lt;`) would turn into markup.
fn unescape_if_escaped(html: &str) -> Cow<'_, str> {
    static TAG: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"<[a-zA-Z/!]").expect("valid regex"));
    static ESCAPED_TAG: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"&lt;/?[a-zA-Z]").expect("valid regex"));
    if !TAG.is_match(html) && ESCAPED_TAG.is_match(html) {
        Cow::Owned(decode_entities(html))
    } else {
        Cow::Borrowed(html)
    }
}

/// Keeps basic formatting, lists and links; links get `rel="nofollow noopener
/// noreferrer"`. Scripts, styles, iframes, images and every attribute but `href` go.
/// Plain HTML takes a fast path that writes what ammonia would; the rest goes through
/// ammonia.
pub(crate) fn sanitize(html: &str) -> String {
    let mut clean = plain_html::sanitize_plain(html).unwrap_or_else(|| sanitize_with_ammonia(html));
    clean.truncate(clean.trim_end().len());
    clean.drain(..clean.len() - clean.trim_start().len());
    clean
}

/// What ammonia makes of `html`, untrimmed.
pub(crate) fn sanitize_with_ammonia(html: &str) -> String {
    static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
        let tags: HashSet<&str> = [
            "a",
            "b",
            "blockquote",
            "br",
            "code",
            "div",
            "em",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "hr",
            "i",
            "li",
            "ol",
            "p",
            "pre",
            "strong",
            "u",
            "ul",
        ]
        .into();
        let mut builder = ammonia::Builder::empty();
        builder
            .tags(tags)
            .clean_content_tags(["script", "style", "iframe", "noscript", "template", "object"].into())
            // Not even ammonia's default `lang` and `title` on every element.
            .generic_attributes(HashSet::new())
            .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
            .url_schemes(plain_html::URL_SCHEMES.into())
            .link_rel(Some(plain_html::LINK_REL));
        builder
    });
    // Written straight into one buffer: `to_string` would serialize, check and copy it twice.
    let mut bytes = Vec::with_capacity(html.len());
    if CLEANER.clean(html).write_to(&mut bytes).is_err() {
        return String::new();
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// What an element is to the text form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagKind {
    /// Its start and end are line breaks.
    Block,
    /// A table cell: a space.
    Cell,
    /// Its content is not text for a reader.
    Skipped,
    Inline,
}

/// The kind of the element named `name`, in any case. Descriptions hold dozens of
/// tags, so this is one `match`, not a search through lists of names.
fn tag_kind(name: &str) -> TagKind {
    let mut buffer = [0u8; 10];
    let Some(lower) = buffer.get_mut(..name.len()) else {
        return TagKind::Inline;
    };
    lower.copy_from_slice(name.as_bytes());
    lower.make_ascii_lowercase();
    match &*lower {
        b"address" | b"article" | b"aside" | b"blockquote" | b"br" | b"dd" | b"div" | b"dl" | b"dt"
        | b"footer" | b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" | b"header" | b"hr" | b"li" | b"main"
        | b"nav" | b"ol" | b"p" | b"pre" | b"section" | b"table" | b"tr" | b"ul" => TagKind::Block,
        b"td" | b"th" => TagKind::Cell,
        b"script" | b"style" | b"head" | b"title" | b"noscript" | b"template" | b"iframe" | b"object" => {
            TagKind::Skipped
        }
        _ => TagKind::Inline,
    }
}

/// Plain text from HTML: block elements become line breaks, entities are decoded,
/// whitespace collapsed, empty lines dropped.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = Collapsed::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        decode_entities_into(&rest[..lt], &mut out);
        let after = &rest[lt + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let closing = after.starts_with('/');
        let named = after.trim_start_matches('/');
        let name = &named[..named
            .bytes()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(named.len())];
        let kind = tag_kind(name);
        let Some(gt) = tag_end(after).filter(|_| !name.is_empty() || after.starts_with('!')) else {
            // A bare "<" in text ("a < b"), not a tag.
            out.push('<');
            rest = after;
            continue;
        };
        rest = &after[gt + 1..];
        if kind == TagKind::Skipped && !closing {
            let end = format!("</{}", name.to_ascii_lowercase());
            rest = rest.to_ascii_lowercase().find(&end).map_or("", |at| {
                let tail = &rest[at..];
                tail.find('>').map_or("", |gt| &tail[gt + 1..])
            });
        } else if kind == TagKind::Block {
            out.end_line();
        } else if kind == TagKind::Cell {
            out.push(' ');
        }
    }
    decode_entities_into(rest, &mut out);
    out.finish()
}

/// Where the tag whose text `tag` starts (just after its `<`) ends: its first `>`
/// outside a quoted attribute value, so that `<a title="a > b">` is one tag. A quote
/// left open falls back to the first `>`, as the tag would otherwise swallow the rest.
fn tag_end(tag: &str) -> Option<usize> {
    let bytes = tag.as_bytes();
    let mut after_equals = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return Some(i),
            b'=' => after_equals = true,
            quote @ (b'"' | b'\'') if after_equals => {
                match memchr::memchr(quote, &bytes[i + 1..]) {
                    Some(close) => i += close + 1,
                    None => return memchr::memchr(b'>', bytes),
                }
                after_equals = false;
            }
            byte if byte.is_ascii_whitespace() => {}
            _ => after_equals = false,
        }
        i += 1;
    }
    None
}

/// Collapses whitespace within each line and drops empty lines.
pub(crate) fn collapse_lines(text: &str) -> String {
    let mut out = Collapsed::with_capacity(text.len());
    out.push_str(text);
    out.finish()
}

/// Text written in pieces and collapsed as it comes, so that a description is not
/// copied once more to be tidied: within a line, any run of whitespace (Unicode's, so
/// no-break spaces too) is one space, none at either end; `\n` ends a line; empty lines
/// are dropped. The same result as splitting the whole text into lines and words.
pub(crate) struct Collapsed {
    out: String,
    /// The current line has a word on it.
    line_open: bool,
    /// Whitespace came after the last word of the current line.
    space: bool,
}

impl Collapsed {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            out: String::with_capacity(capacity),
            line_open: false,
            space: false,
        }
    }

    /// Ends the current line; the next word starts a new one.
    pub fn end_line(&mut self) {
        self.line_open = false;
        self.space = false;
    }

    fn word(&mut self, word: &str) {
        if !self.line_open {
            if !self.out.is_empty() {
                self.out.push('\n');
            }
            self.line_open = true;
        } else if self.space {
            self.out.push(' ');
        }
        self.space = false;
        self.out.push_str(word);
    }

    fn white(&mut self, c: char) {
        if c == '\n' {
            self.end_line();
        } else if self.line_open {
            self.space = true;
        }
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// The character starting at byte `i` of `text`, and its length in bytes.
fn char_at(text: &str, i: usize) -> (char, usize) {
    text[i..].chars().next().map_or((' ', 1), |c| (c, c.len_utf8()))
}

impl TextOut for Collapsed {
    /// Copies each stretch of words that needs no collapsing (single spaces between
    /// them) at once. Descriptions are mostly ASCII: a printable ASCII byte is one
    /// comparison, and only other characters are decoded.
    fn push_str(&mut self, text: &str) {
        let printable = |byte: u8| byte.wrapping_sub(b'!') < 0x7f - b'!';
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            while let Some(&byte) = bytes.get(i) {
                if printable(byte) {
                    i += 1;
                } else if byte == b' ' && i > start && bytes.get(i + 1).is_some_and(|&next| printable(next)) {
                    i += 2;
                } else {
                    match char_at(text, i) {
                        (c, _) if c.is_whitespace() => break,
                        (_, width) => i += width,
                    }
                }
            }
            if i > start {
                self.word(&text[start..i]);
            }
            while i < bytes.len() {
                match char_at(text, i) {
                    (c, width) if c.is_whitespace() => {
                        self.white(c);
                        i += width;
                    }
                    _ => break,
                }
            }
        }
    }

    fn push(&mut self, c: char) {
        if c.is_whitespace() {
            self.white(c);
        } else {
            self.word(c.encode_utf8(&mut [0; 4]));
        }
    }
}

/// Collapses all whitespace, line breaks included, into single spaces.
pub(crate) fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Plain text as safe HTML: escaped, one paragraph a line.
fn text_to_html(text: &str) -> String {
    text.lines()
        .map(|line| format!("<p>{}</p>", escape(line)))
        .collect()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_lines_of_plain_text_with_entities_decoded() {
        let html = "<h2>About&nbsp;us</h2><p>We build   tools for <b>R&amp;D</b>.</p><ul><li>SQL</li><li>Python</li></ul>\
            <script>alert(1)</script><style>p{}</style><!-- hidden -->Caf&eacute; &#8211; &#x2019;";
        assert_eq!(
            html_to_text(html),
            "About us\nWe build tools for R&D.\nSQL\nPython\nCafé – ’"
        );
    }

    #[test]
    fn entity_escaped_html_is_unescaped_once() {
        let escaped = "&lt;div class=&quot;content-intro&quot;&gt;&lt;p&gt;Fictional Labs builds maps.&lt;/p&gt;&lt;/div&gt;\
            &lt;p&gt;Write &amp;amp;lt;code&amp;amp;gt;&lt;/p&gt;";
        let description = describe(Some(escaped), None);
        assert_eq!(
            description.text,
            "Fictional Labs builds maps.\nWrite &lt;code&gt;"
        );
        assert!(
            description
                .html
                .starts_with("<div><p>Fictional Labs builds maps.</p></div>"),
            "{}",
            description.html
        );
    }

    #[test]
    fn sanitized_html_keeps_formatting_and_links_but_not_scripts_or_handlers() {
        let html = r#"<p onclick="x()">Hi <strong>there</strong> <a href="https://example.com/jobs" target="_blank">apply</a></p>
            <script>steal()</script><iframe src="https://evil.example"></iframe><img src=x onerror="alert(1)">
            <a href="javascript:alert(1)">bad</a><style>body{}</style>"#;
        let clean = sanitize(html);
        assert!(clean.contains("<p>Hi <strong>there</strong>"), "{clean}");
        assert!(
            clean.contains(
                r#"<a href="https://example.com/jobs" rel="nofollow noopener noreferrer">apply</a>"#
            ),
            "{clean}"
        );
        for bad in [
            "script",
            "steal",
            "iframe",
            "img",
            "onerror",
            "onclick",
            "javascript",
            "style",
            "target",
        ] {
            assert!(!clean.contains(bad), "{bad} in {clean}");
        }
    }

    #[test]
    fn a_greater_than_sign_in_a_quoted_attribute_does_not_end_the_tag() {
        assert_eq!(
            html_to_text(r#"<p title="a > b">Hello</p><a href='/jobs?x>1' class=x>Apply</a>"#),
            "Hello\nApply"
        );
        // Quotes outside attribute values are text or names, not quoting.
        assert_eq!(html_to_text(r#"<p data-x"y>It's "here"</p>"#), r#"It's "here""#);
        // A quote never closed: the tag ends at its first ">" as before.
        assert_eq!(html_to_text(r#"<p title="open>Text"#), "Text");
    }

    #[test]
    fn tags_are_read_in_any_case() {
        assert_eq!(tag_kind("P"), TagKind::Block);
        assert_eq!(tag_kind("blockQuote"), TagKind::Block);
        assert_eq!(tag_kind("TD"), TagKind::Cell);
        assert_eq!(tag_kind("Script"), TagKind::Skipped);
        assert_eq!(tag_kind("span"), TagKind::Inline);
        assert_eq!(tag_kind("averyveryverylongname"), TagKind::Inline);
        assert_eq!(
            html_to_text("<P>one</P><DIV>two</DIV><SCRIPT>x()</SCRIPT>three"),
            "one\ntwo\nthree"
        );
    }

    /// The reading `Collapsed` replaced: split into lines, then each line into words.
    fn collapse_by_splitting(text: &str) -> String {
        text.lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn collapsing_as_text_comes_equals_splitting_into_lines_and_words() {
        let texts = [
            "",
            "   ",
            "\n\n",
            "one",
            "  one  two\t\tthree  ",
            "one\n\n\n  two \n three\r\nfour\r",
            "no\u{a0}break\u{a0}\u{a0}spaces \u{2003}em\u{2028}separator",
            "Café – “quoted” 日本語 テスト\n  Zürich\u{85}next",
            "a\x0bvertical\x0cfeed",
            "\u{a0}\n\u{a0}lead",
        ];
        for text in texts {
            assert_eq!(collapse_lines(text), collapse_by_splitting(text), "{text:?}");
        }
        // Written in pieces that cut words, spaces and lines anywhere.
        for text in texts {
            for cut in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                let mut out = Collapsed::with_capacity(0);
                out.push_str(&text[..cut]);
                out.push_str(&text[cut..]);
                assert_eq!(out.finish(), collapse_by_splitting(text), "{text:?} cut at {cut}");
            }
        }
        let mut out = Collapsed::with_capacity(0);
        for c in "x \u{a0}y\n\nz".chars() {
            out.push(c);
        }
        out.end_line();
        out.push_str("  w");
        assert_eq!(out.finish(), "x y\nz\nw");
    }

    #[test]
    fn plain_text_is_used_when_there_is_no_html() {
        let description = describe(None, Some("First line\n\n  Second   <line>  "));
        assert_eq!(description.text, "First line\nSecond <line>");
        assert_eq!(description.html, "<p>First line</p><p>Second &lt;line&gt;</p>");
        assert_eq!(describe(Some("  "), None).text, "");
    }
}
