//! Reading loosely typed JSON without trusting its types: a wrong type in one field
//! reads as absent, and a posting without an id or title is skipped by the caller.

use jobping_core::{RawPosting, RawSalary};
use serde_json::Value;

use super::{Ctx, Page, ParseError, Skipped};

/// The body as JSON, or a parse error naming what it looked like.
pub(crate) fn body(ctx: &Ctx, body: &[u8]) -> Result<Value, ParseError> {
    serde_json::from_slice(body).map_err(|e| {
        let start = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
        let looks = if start == Some(b'<') {
            "an HTML or XML page, not JSON"
        } else {
            "invalid JSON"
        };
        ctx.error(format!("body is {looks} ({e})"))
    })
}

/// The value at a JSON pointer ("/location/name", "" for the root), as
/// `Value::pointer` finds it, without the two string replacements per step that it
/// makes to unescape `~0` and `~1`: the adapters' pointers are literals that never
/// hold them, and they are read hundreds of thousands of times a scrape.
pub(crate) fn at<'v>(v: &'v Value, pointer: &str) -> Option<&'v Value> {
    debug_assert!(!pointer.contains('~'), "pointer {pointer:?} needs unescaping");
    if pointer.is_empty() {
        return Some(v);
    }
    pointer
        .strip_prefix('/')?
        .split('/')
        .try_fold(v, |current, step| match current {
            Value::Object(map) => map.get(step),
            // As RFC 6901 and `Value::pointer`: no sign, no leading zero.
            Value::Array(items) if !step.starts_with('+') && (step == "0" || !step.starts_with('0')) => {
                items.get(step.parse::<usize>().ok()?)
            }
            _ => None,
        })
}

/// The array at `pointer` ("" for the root), or a parse error.
pub(crate) fn items<'v>(ctx: &Ctx, root: &'v Value, pointer: &str) -> Result<&'v [Value], ParseError> {
    match at(root, pointer) {
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(ctx.error(format!("expected an array at {pointer:?}, found {}", kind(other)))),
        None => Err(ctx.error(format!("expected an array at {pointer:?}, found nothing"))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads each item with `read`; an item it refuses is skipped with the reason.
pub(crate) fn read_all<'v>(
    items: impl IntoIterator<Item = &'v Value>,
    mut read: impl FnMut(&'v Value) -> Result<RawPosting, String>,
) -> Page {
    let mut page = Page::default();
    for (index, item) in items.into_iter().enumerate() {
        match read(item) {
            Ok(posting) => page.postings.push(posting),
            Err(reason) => page.skipped.push(Skipped { index, reason }),
        }
    }
    page
}

/// A non-empty trimmed string at `pointer`; numbers read as their text.
pub(crate) fn text(v: &Value, pointer: &str) -> Option<String> {
    as_text(at(v, pointer)?)
}

pub(crate) fn as_text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A string kept exactly as given (HTML bodies), if non-blank.
pub(crate) fn raw(v: &Value, pointer: &str) -> Option<String> {
    match at(v, pointer)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// A number, or a string holding one ("75000", "95.00", "25000.0").
pub(crate) fn number(v: &Value, pointer: &str) -> Option<f64> {
    match at(v, pointer)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|n| n.is_finite())
}

pub(crate) fn boolean(v: &Value, pointer: &str) -> Option<bool> {
    match at(v, pointer)? {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// Strings at `pointer`: an array of strings (or of objects with `field`), or one string.
pub(crate) fn texts(v: &Value, pointer: &str, field: Option<&str>) -> Vec<String> {
    let one = |item: &Value| match field {
        Some(f) => item.get(f).and_then(as_text),
        None => as_text(item),
    };
    match at(v, pointer) {
        Some(Value::Array(items)) => items.iter().filter_map(one).collect(),
        Some(other) => one(other).into_iter().collect(),
        None => Vec::new(),
    }
}

/// The required id, or why the posting is skipped.
pub(crate) fn required(v: &Value, pointer: &str, what: &str) -> Result<String, String> {
    match at(v, pointer) {
        None | Some(Value::Null) => Err(format!("missing {what} ({pointer})")),
        Some(value) => as_text(value).ok_or_else(|| match value {
            Value::String(_) => format!("empty {what} ({pointer})"),
            other => format!("{what} ({pointer}) is {}, not text", kind(other)),
        }),
    }
}

/// Pay from the board's numbers: zero or negative means "not stated" (RemoteOK, Reed).
pub(crate) fn salary(
    min: Option<f64>,
    max: Option<f64>,
    currency: Option<String>,
    period: Option<String>,
    text: Option<String>,
) -> Option<RawSalary> {
    let min = min.filter(|n| *n > 0.0);
    let max = max.filter(|n| *n > 0.0);
    if min.is_none() && max.is_none() && text.is_none() {
        return None;
    }
    Some(RawSalary {
        min,
        max,
        currency,
        period,
        text,
    })
}

/// Appends `value` to `list` unless it is there already.
pub(crate) fn push_unique(list: &mut Vec<String>, value: Option<String>) {
    if let Some(value) = value
        && !list.contains(&value)
    {
        list.push(value);
    }
}

/// How far an offset-paged API moves from one page to the next.
pub(crate) enum Step {
    /// By the number of items this page held (Himalayas).
    Received,
    /// By the page size asked for (SmartRecruiters).
    Limit,
}

/// The next page of an offset/limit API, while the total says there is one. Offset and
/// limit come from the body, else from the page's own URL.
pub(crate) fn next_offset_page(
    ctx: &Ctx,
    root: &Value,
    received: usize,
    total_key: &str,
    step: Step,
) -> Option<url::Url> {
    let url_number = |key: &str| ctx.query(key).and_then(|v| v.parse::<f64>().ok());
    let offset = number(root, "/offset")
        .or_else(|| url_number("offset"))
        .unwrap_or(0.0);
    let limit = number(root, "/limit")
        .or_else(|| url_number("limit"))
        .unwrap_or(received as f64);
    let total = number(root, total_key).unwrap_or(0.0);
    let next = match step {
        Step::Received => offset + received as f64,
        Step::Limit => offset + limit,
    };
    (received > 0 && limit > 0.0 && next < total)
        .then(|| ctx.with_query("offset", &(next as u64).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pointer_finds_what_value_pointer_finds() {
        let v: Value = serde_json::json!({
            "jobs": [{"id": 7, "location": {"name": "Wien"}}, {"id": "8"}],
            "": {"empty": true},
            "01": "a key that looks like an index",
        });
        for pointer in [
            "",
            "/jobs",
            "/jobs/0",
            "/jobs/1/id",
            "/jobs/0/location/name",
            "/jobs/2",
            "/jobs/01",
            "/jobs/+1",
            "/jobs/-1",
            "/jobs/x",
            "/missing",
            "/jobs/0/id/deeper",
            "//empty",
            "/01",
            "jobs",
            "/jobs/",
            "/jobs/0/",
        ] {
            assert_eq!(at(&v, pointer), v.pointer(pointer), "{pointer:?}");
        }
    }
}
