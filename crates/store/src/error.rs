/// What a store call can go wrong with: the caller's fault (not found, conflict) kept
/// apart from the store's own trouble.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule or a lost lease: the write would break an invariant.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database could not be reached (connection refused, pool timed out, cut
    /// mid-query): worth answering 503 and trying again shortly.
    #[error("the database is unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Whether `err` (anywhere in its chain) says the database could not be reached, as
/// opposed to a query that failed: callers answer 503 with `Retry-After` for it.
pub fn is_unavailable(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<StoreError>(),
            Some(StoreError::Unavailable(_))
        ) || cause.downcast_ref::<sqlx::Error>().is_some_and(sqlx_unavailable)
    })
}

/// The sqlx errors that mean "no database to talk to" rather than "a bad query": no
/// connection to be had, or the server refusing work while it starts or stops
/// (SQLSTATE class 08, and 57P01-57P03).
fn sqlx_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

impl StoreError {
    /// Turns a unique-constraint violation into `Conflict` naming the constraint, a
    /// missing row into `NotFound`, and anything else into `Unexpected` with `context`.
    pub(crate) fn from_sqlx(err: sqlx::Error, context: &'static str) -> Self {
        match &err {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::Conflict(db.constraint().unwrap_or("unique").to_owned())
            }
            _ if sqlx_unavailable(&err) => Self::Unavailable(anyhow::Error::new(err).context(context)),
            _ => Self::Unexpected(anyhow::Error::new(err).context(context)),
        }
    }
}

impl StoreError {
    /// As [`from_sqlx`](Self::from_sqlx), but a foreign-key violation (the row names a
    /// subscriber, job or delivery that does not exist) is `NotFound`.
    pub(crate) fn from_sqlx_refs(err: sqlx::Error, context: &'static str) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Self::NotFound,
            _ => Self::from_sqlx(err, context),
        }
    }
}

/// `.db("what")` on a sqlx result: the store's one way of naming a failed call.
pub(crate) trait DbContext<T> {
    fn db(self, context: &'static str) -> Result<T, StoreError>;

    /// As [`db`](Self::db), but a foreign-key violation (the row names a subscriber, job
    /// or delivery that does not exist) is `NotFound`.
    fn db_refs(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T> DbContext<T> for Result<T, sqlx::Error> {
    fn db(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|err| StoreError::from_sqlx(err, context))
    }

    fn db_refs(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|err| StoreError::from_sqlx_refs(err, context))
    }
}

impl StoreError {
    /// Whether the database gave up on the transaction because of a concurrent one (a
    /// deadlock or a serialization failure): the same transaction run again can succeed.
    pub(crate) fn is_transient(&self) -> bool {
        let Self::Unexpected(err) = self else {
            return false;
        };
        err.chain()
            .any(|cause| match cause.downcast_ref::<sqlx::Error>() {
                Some(sqlx::Error::Database(db)) => matches!(db.code().as_deref(), Some("40P01" | "40001")),
                _ => false,
            })
    }

    /// A worker tried to finish a task whose lease it no longer holds.
    pub(crate) fn lease_lost(task: &crate::ClaimedTask) -> Self {
        Self::Conflict(format!(
            "task {} attempt {} no longer holds its lease (it expired and the task was requeued)",
            task.id, task.attempt
        ))
    }
}
