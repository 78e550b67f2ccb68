-- run_counts shards by connection instead of at random. Each change lands on shard
-- pg_backend_pid() % 16, so two units running at once on different connections write different
-- rows: they do not wait on each other's row locks until commit, and cannot deadlock by taking
-- random shards in opposite orders (seen with two batches of POST /runs in flight: one-second
-- deadlock_timeout stalls). A count is still the sum over its shards; a shard may hold a negative part.
CREATE OR REPLACE FUNCTION baton_run_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s bigint := pg_backend_pid() % 16;
BEGIN
  IF TG_OP = 'DELETE' THEN
    -- A delete only updates (never inserts: while an org is deleted, its counts and its runs go
    -- in one cascade, and an insert would name an org that is gone). This connection's shard if it
    -- has a row, else any shard that has one (the run was counted in some shard).
    UPDATE run_counts SET n = n - 1
      WHERE org_id = OLD.org_id AND project_key = COALESCE(OLD.project_id, '') AND status = OLD.status AND shard = s;
    IF NOT FOUND THEN
      UPDATE run_counts SET n = n - 1
        WHERE (org_id, project_key, status, shard) IN (
          SELECT org_id, project_key, status, shard FROM run_counts
            WHERE org_id = OLD.org_id AND project_key = COALESCE(OLD.project_id, '') AND status = OLD.status
            LIMIT 1);
    END IF;
  ELSE
    -- A stage change: out of the old count and into the new one, both in this connection's shard.
    INSERT INTO run_counts (org_id, project_key, status, shard, n)
      VALUES (OLD.org_id, COALESCE(OLD.project_id, ''), OLD.status, s, -1)
      ON CONFLICT (org_id, project_key, status, shard) DO UPDATE SET n = run_counts.n - 1;
    INSERT INTO run_counts (org_id, project_key, status, shard, n)
      VALUES (NEW.org_id, COALESCE(NEW.project_id, ''), NEW.status, s, 1)
      ON CONFLICT (org_id, project_key, status, shard) DO UPDATE SET n = run_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- New runs are counted once per statement, not once per row: a batch of POST /runs adds its runs
-- to each count in one upsert (in key order, so concurrent batches lock rows in the same order).
CREATE FUNCTION baton_run_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_counts (org_id, project_key, status, shard, n)
    SELECT org_id, COALESCE(project_id, ''), status, pg_backend_pid() % 16, count(*)
      FROM inserted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (org_id, project_key, status, shard) DO UPDATE SET n = run_counts.n + EXCLUDED.n;
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER runs_count_insert ON runs;
--> statement-breakpoint
CREATE TRIGGER runs_count_insert AFTER INSERT ON runs REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION baton_run_counts_inserted();
