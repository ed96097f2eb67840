-- A job's data is kilobytes of JSON (two forms of its description), compressed as it
-- is stored. lz4 compresses it several times faster than the default pglz, for a little
-- more space; new and rewritten rows use it. A server built without lz4 keeps pglz.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings
               WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE jobs ALTER COLUMN data SET COMPRESSION lz4;
    END IF;
END
$$;
