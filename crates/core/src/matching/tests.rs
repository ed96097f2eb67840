//! Unit tests of the matching engine, and the evaluation set's hard-filter check.

mod eval;
mod filters;
mod index;
mod ranking;
mod support;
