//! JobPing's domain: the types every other crate speaks, with no I/O.
//!
//! Raw input becomes one of these types at the edge (a form, an API body, a row);
//! past the edge, code takes the type and never re-checks it.
#![forbid(unsafe_code)]

mod email;
mod job;
pub mod matching;
pub mod normalize;
mod posting;
mod preferences;
mod subscriber;
pub mod taxonomy;
mod text_enum;
mod vocab;

pub use email::{AuditKey, EmailAddress, EmailError};
pub use job::{EmploymentType, Job, JobLevel, JobLocation, RemoteScope, Salary, SalaryPeriod, VisaSignal};
pub use posting::{RawPosting, RawSalary};
pub use preferences::{FieldError, Preferences, RawPreferences, SalaryFloor};
pub use subscriber::{SubscriberStatus, Tier};
pub use taxonomy::Taxonomy;
pub use text_enum::UnknownVariant;
pub use vocab::{CareerPath, EntryLevel, Experience, Visa, WorkEnvironment};
