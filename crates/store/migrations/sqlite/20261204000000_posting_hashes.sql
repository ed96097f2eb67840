-- What each board sent for a posting when it was last normalized, hashed: a re-scrape
-- that finds the same hash marks the job seen without normalizing it again.
ALTER TABLE job_sources ADD COLUMN raw_hash TEXT;
