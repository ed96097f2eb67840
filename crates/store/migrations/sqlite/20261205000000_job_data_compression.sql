-- PostgreSQL compresses a job's data with lz4 from this migration on. SQLite stores it
-- uncompressed and has nothing to change; the migration exists so that both backends
-- keep the same history.
SELECT 1;
