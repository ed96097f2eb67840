//! Cities and countries as bits, by their position in the taxonomy, so that the
//! location and visa rules cost a few AND operations per job instead of string look-ups.
//! Anything the taxonomy does not know shares the last bit, which no subscriber holds:
//! an unknown place never counts as one they chose or may work in.

use crate::taxonomy::Taxonomy;

pub(crate) type Bits = u128;

const UNKNOWN: Bits = 1 << 127;

fn bit(position: Option<usize>) -> Bits {
    match position {
        Some(p) if p < 127 => 1 << p,
        _ => UNKNOWN,
    }
}

pub(crate) fn country(code: &str, taxonomy: &Taxonomy) -> Bits {
    bit(taxonomy
        .countries
        .iter()
        .position(|c| c.code.eq_ignore_ascii_case(code)))
}

pub(crate) fn city(slug: &str, taxonomy: &Taxonomy) -> Bits {
    bit(taxonomy.cities.iter().position(|c| c.slug == slug))
}

/// The union of `bit_of` over `items`.
pub(crate) fn all<'a>(items: impl IntoIterator<Item = &'a str>, bit_of: impl Fn(&str) -> Bits) -> Bits {
    items.into_iter().fold(0, |bits, item| bits | bit_of(item))
}

/// Drops the unknown bit: for what a subscriber holds.
pub(crate) fn known(bits: Bits) -> Bits {
    bits & !UNKNOWN
}
