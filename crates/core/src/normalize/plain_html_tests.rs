//! The sanitizer's fast path against ammonia: wherever it answers, it must answer what
//! ammonia does, and it must answer for the plain HTML boards actually send.

use proptest::prelude::*;

use super::plain_html::sanitize_plain;
use super::text::sanitize_with_ammonia;

/// The fast path's answer, checked against ammonia's when there is one.
fn fast(html: &str) -> Option<String> {
    let answer = sanitize_plain(html);
    if let Some(answer) = &answer {
        assert_eq!(answer, &sanitize_with_ammonia(html), "for {html:?}");
    }
    answer
}

#[test]
fn plain_descriptions_take_the_fast_path_and_match_ammonia() {
    let plain = [
        "<p>We build <strong>payments</strong> for Europe.</p>\n<ul>\n<li>Rust</li>\n<li>SQL &amp; data</li>\n</ul>",
        "<h2>About the role</h2><p>You&rsquo;ll join a team of 8.&nbsp;We&#39;re remote-first.</p>",
        "<div class=\"content\"><p style=\"margin:0;font-family:&quot;Arial&quot;\"><span data-contrast=\"auto\">Hello</span></p></div>",
        "<P>Upper case <B>tags</B></P><BR><hr/>",
        "<p>Apply <a href=\"https://jobs.example/apply?id=1&amp;src=jp\" target=\"_blank\" rel=\"noopener\">here</a>.</p>",
        "<p><a href=\"/careers/42\">relative</a> and <a href='mailto:jobs@example.com'>mail</a></p>",
        "<p><a href=\"javascript:alert(1)\">a trap</a> and <a>no link</a></p>",
        "<p>a < b and c > d, R & D</p>",
        "<ol><li><p>nested</p><ul><li>deeper</li></ul></li><li>next</li></ol>",
        "<blockquote><em>quoted</em> <i>text</i> <u>under</u> <code>x = 1</code></blockquote>",
        "line one\r\nline two\rline three",
        "<p>unclosed <b>at the end",
        "<p>Skills:<ul><li>Rust</li></ul></p><p>a<p>b<h2>c</h2><hr>",
        "<p>Jobs in <a href=\"https://x.example\">Europe</a> on JobBoard</a></span></b></li></div></ul></h3>",
        "</p>",
        "<p a=>empty value</p><p a b c=d>valueless</p><p title=\"t\" lang=\"de\">dropped</p>",
        "<li>Prix: 10\u{a0}€ &euro; &#x20AC; &#8364;</li>",
        "",
    ];
    for html in plain {
        assert!(fast(html).is_some(), "no fast path for {html:?}");
    }
}

#[test]
fn what_the_parser_would_rearrange_is_left_to_ammonia() {
    let left = [
        // The tree builder closes or reopens elements of its own accord.
        "<li>a<li>b",
        "<ul><li>a<b><li>b</b></ul>",
        "<a href=\"/x\">a<a href=\"/y\">b</a></a>",
        "<b>a<i>b</b>c</i>",
        "<h1>a<h2>b</h2></h1>",
        "<p><b>a<ul><li>b</li></ul></b></p>",
        "<p>a<b>b</p>c</b>",
        "<li><ul></li></ul></li>",
        "<div>a<span>b</div>",
        "<h1>a</h2>",
        "</br>",
        "<b><b><b><b>deep</b></b></b></b>",
        // Markup this module does not read.
        "<!-- note --><p>x</p>",
        "<!DOCTYPE html><p>x</p>",
        "<?php ?>",
        "</ p>",
        "<p/>",
        "<table><tr><td>x</td></tr></table>",
        "<pre>\ncode</pre>",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<p class=\"a\"title=\"b\">x</p><p \"q>",
        "<p a=b\"c>x</p>",
        "<p a=\"unterminated>x</p>",
        "<p",
        "<a / href=\"/x\">x</a>",
        // References whose meaning needs the whole table, or that the parser changes.
        "R&D",
        "&notit; &copy",
        "&#128; &#0; &#x0D; &#xD800; &#xFFFE; &#12345678;",
        "&#39",
        "&#;",
        "<a href=\"/x?a=1&b=2\">x</a>",
        "<a href=\"/x\r\n\">x</a>",
        "\u{feff}<p>x</p>",
        "a\0b",
    ];
    for html in left {
        assert_eq!(fast(html), None, "a fast path for {html:?}");
    }
}

/// Pieces of the plain descriptions the fast path should read, with the quirks it reads.
const PLAIN: &[&str] = &[
    "<p>",
    "</p>",
    "<P class=\"x\">",
    "<div>",
    "</div>",
    "<ul>",
    "</ul>",
    "<ol>",
    "</ol>",
    "<li>",
    "</li>",
    "<li style='a:b'>",
    "<h2>",
    "</h2>",
    "<h3 id=x>",
    "</h3>",
    "<b>",
    "</b>",
    "<strong>",
    "</strong>",
    "<em>",
    "</em>",
    "<i>",
    "</i>",
    "<u>",
    "</u>",
    "<code>",
    "</code>",
    "<span style=\"font:&quot;A&quot;\">",
    "</span>",
    "<br>",
    "<br/>",
    "<br />",
    "<hr>",
    "<blockquote>",
    "</blockquote>",
    "<h1>",
    "</h1>",
    "<a href=\"https://x.example/a?b=1&amp;c=2\">",
    "<a href='javascript:alert(1)'>",
    "<a href=/jobs/1 target=_blank>",
    "<a>",
    "<a href=\"http://[bad\">",
    "<a HREF=\"b\" href=\"c\">",
    "<a href=\" https://x.example \" title=t>",
    "</a>",
    "<A HREF=\"HTTPS://X.EXAMPLE/\u{e9}\">",
    "<p title=t>",
    "<p lang=de>",
    "<p a=>",
    "<p a b>",
    "<p\na\n=\n\"b\"\n>",
    "<p\ta='>'>",
    "<li\r>",
    "Hello",
    " world ",
    "\n",
    "\r\n",
    "\r",
    "a < b",
    "x > y",
    "R & D",
    "&amp;",
    "&nbsp;",
    "\u{a0}",
    "&rsquo;",
    "&#39;",
    "&#x26;",
    "&#60;",
    "&#x1F600;",
    "&",
    "<",
    "\u{e9}t\u{e9}",
    "\u{c2}",
    "\u{a3}",
    "\u{85}",
];

/// Pieces the fast path leaves to ammonia, or that set the tree builder to work.
const TRICKY: &[&str] = &[
    "</br>",
    "R&D",
    "&#0;",
    "&#128;",
    "&notit;",
    "&#",
    "</",
    "<!-- c -->",
    "<script>x</script>",
    "<img src=x>",
    "<p/>",
    "<b\"x>",
    "<a href=\"x\"title=y>",
    "<td>",
    "</td>",
    "<pre>",
    "\u{0}",
    "<section>",
    "</section>",
    "<textarea>",
    "\u{feff}",
];

/// Descriptions put together from the pieces, mostly plain ones.
fn descriptions() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        12 => proptest::sample::select(PLAIN),
        1 => proptest::sample::select(TRICKY),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// Elements as start and end tags, in the spellings boards use.
const ELEMENTS: &[(&str, &str)] = &[
    ("<p>", "</p>"),
    ("<P class=\"x\">", "</P>"),
    ("<p title=t>", "</p >"),
    ("<div>", "</div>"),
    ("<ul>", "</ul>"),
    ("<ol>", "</ol>"),
    ("<li>", "</li>"),
    ("<li style='a:b'>", "</LI>"),
    ("<h2>", "</h2>"),
    ("<h3 id=x>", "</h3>"),
    ("<b>", "</b>"),
    ("<strong>", "</strong>"),
    ("<em>", "</em>"),
    ("<i>", "</i>"),
    ("<u>", "</u>"),
    ("<code>", "</code>"),
    ("<span style=\"font:&quot;A&quot;\">", "</span>"),
    ("<blockquote>", "</blockquote>"),
    ("<a href=\"https://x.example/a?b=1&amp;c=2\">", "</a>"),
    ("<a href='javascript:x'>", "</a>"),
    ("<a href=/jobs/1 target=_blank>", "</A>"),
    ("<a>", "</a>"),
    ("<A HREF=\"mailto:a@b.example\">", "</a>"),
];

/// Descriptions whose tags are nested as written (each element closed, or left open).
fn nested_descriptions() -> impl Strategy<Value = String> {
    // Text, references and line breaks: the pieces that open no element.
    let leaves: Vec<&str> = PLAIN
        .iter()
        .copied()
        .filter(|p| {
            !p.starts_with('<') || p.starts_with("<br") || p.starts_with("<hr") || p.starts_with("< ")
        })
        .collect();
    let leaf = proptest::sample::select(leaves).prop_map(str::to_owned);
    leaf.prop_recursive(5, 60, 6, |inner| {
        (
            proptest::sample::select(ELEMENTS),
            proptest::collection::vec(inner, 0..6),
            proptest::bool::weighted(0.9),
        )
            .prop_map(|((start, end), children, closed)| {
                format!("{start}{}{}", children.concat(), if closed { end } else { "" })
            })
    })
}

#[test]
fn wherever_the_fast_path_answers_it_answers_what_ammonia_does() {
    check_against_ammonia(descriptions(), 300);
}

#[test]
fn wherever_the_fast_path_answers_nested_html_it_answers_what_ammonia_does() {
    check_against_ammonia(nested_descriptions(), 1_000);
}

/// Runs 3,000 descriptions through both; at least `least` must take the fast path.
fn check_against_ammonia(descriptions: impl Strategy<Value = String>, least: usize) {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 3_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let answered = std::cell::Cell::new(0);
    runner
        .run(&descriptions, |html| {
            if let Some(answer) = sanitize_plain(&html) {
                answered.set(answered.get() + 1);
                prop_assert_eq!(answer, sanitize_with_ammonia(&html), "for {:?}", html);
            }
            Ok(())
        })
        .unwrap();
    // Not a vacuous property: the fast path answers a fair share of what it is given.
    assert!(
        answered.get() >= least,
        "the fast path answered only {} of 3,000",
        answered.get()
    );
}
