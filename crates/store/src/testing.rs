//! A fresh, migrated database per test, on SQLite or PostgreSQL.
//!
//! PostgreSQL comes from `TEST_DATABASE_URL` (default: the local server's `test`
//! database, used only to create and drop per-test databases). When it cannot be
//! reached the PostgreSQL half of a test is skipped with a note, unless `CI` is set:
//! then it fails, so a missing server never passes silently.

use std::sync::Arc;

use crate::{Backend, Store};

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A database that exists for one test and is dropped with it.
pub struct TestDb {
    /// The URL the app or store under test should use.
    pub url: String,
    backend: Backend,
    // Keeps the SQLite file's folder alive; PostgreSQL databases are dropped in `Drop`.
    _dir: Option<tempfile::TempDir>,
    pg_cleanup: Option<(String, String)>,
}

impl TestDb {
    /// A database of `backend`, or `None` when PostgreSQL is unreachable outside CI.
    pub async fn new(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite()),
            Backend::Postgres => Self::postgres().await,
        }
    }

    /// A SQLite file in a temporary folder.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("creating a temporary folder for SQLite");
        let url = format!("sqlite://{}", dir.path().join("jobping.db").display());
        Self {
            url,
            backend: Backend::Sqlite,
            _dir: Some(dir),
            pg_cleanup: None,
        }
    }

    /// A new, empty PostgreSQL database on the test server.
    pub async fn postgres() -> Option<Self> {
        use sqlx::Connection;
        let admin_url = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned());
        let mut admin = match sqlx::PgConnection::connect(&admin_url).await {
            Ok(conn) => conn,
            Err(err) if std::env::var_os("CI").is_some() => {
                panic!("CI is set but PostgreSQL at TEST_DATABASE_URL ({admin_url}) is unreachable: {err}")
            }
            Err(err) => {
                eprintln!("skipping the PostgreSQL half of this test: {admin_url} is unreachable ({err})");
                return None;
            }
        };
        let name = format!("jobping_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("creating a test database");
        let _ = admin.close().await;
        let url = replace_database(&admin_url, &name);
        Some(Self {
            url,
            backend: Backend::Postgres,
            _dir: None,
            pg_cleanup: Some((admin_url, name)),
        })
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A store connected to this database (each call opens a pool of its own, as a
    /// second process would).
    pub async fn store(&self) -> Arc<dyn Store> {
        crate::connect(&self.url)
            .await
            .expect("connecting to the test database")
    }
}

impl TestDb {
    /// Runs raw SQL (one or more statements) on this database, for tests that need rows
    /// no store method writes yet.
    pub async fn execute(&self, sql: &str) {
        use sqlx::Connection;
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.url)
                    .await
                    .expect("connecting to the test database");
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .expect("running test SQL");
                let _ = conn.close().await;
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.url)
                    .await
                    .expect("connecting to the test database");
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .expect("running test SQL");
                let _ = conn.close().await;
            }
        }
    }

    /// Runs a query that returns one integer (a `COUNT(*)`), for tests that check rows no
    /// store method reads.
    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Connection;
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.url)
                    .await
                    .expect("connecting to the test database");
                let n = sqlx::query_scalar(sql)
                    .fetch_one(&mut conn)
                    .await
                    .expect("counting rows");
                let _ = conn.close().await;
                n
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.url)
                    .await
                    .expect("connecting to the test database");
                let n = sqlx::query_scalar(sql)
                    .fetch_one(&mut conn)
                    .await
                    .expect("counting rows");
                let _ = conn.close().await;
                n
            }
        }
    }

    /// A time as a SQL literal of this backend's type, for [`execute`](Self::execute).
    pub fn time_literal(&self, at: time::OffsetDateTime) -> String {
        match self.backend {
            Backend::Sqlite => (at.unix_timestamp_nanos() / 1_000).to_string(),
            Backend::Postgres => {
                let text = at
                    .format(&time::format_description::well_known::Rfc3339)
                    .expect("formatting a time");
                format!("'{text}'::timestamptz")
            }
        }
    }
}

/// Swaps the database name in a PostgreSQL URL, keeping any query string.
fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

impl TestDb {
    /// Drops the PostgreSQL database now, under whatever still uses it (to test how the
    /// app copes with its database going away). A no-op on SQLite.
    pub fn drop_database_now(&mut self) {
        self.drop_postgres();
    }

    fn drop_postgres(&mut self) {
        let Some((admin_url, name)) = self.pg_cleanup.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread
        // with a runtime of its own. FORCE ends the pools the test left open.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    use sqlx::Connection;
                    if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await;
                    }
                });
            }
        })
        .join();
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.drop_postgres();
    }
}

/// Runs a store test once per backend: `store_test!(name, |db: TestDb| async move { … })`
/// makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! store_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::TestDb::sqlite();
                ($body)(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::testing::TestDb::postgres().await {
                    ($body)(db).await;
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn the_database_name_is_replaced_and_the_query_kept() {
        assert_eq!(
            replace_database("postgres://u@h:5432/test", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            replace_database("postgres://u@h/test?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
