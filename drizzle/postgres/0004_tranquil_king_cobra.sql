ALTER TABLE "run_counts" ADD COLUMN "shard" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "run_counts" DROP CONSTRAINT "run_counts_org_id_project_key_status_pk";--> statement-breakpoint
ALTER TABLE "run_counts" ADD CONSTRAINT "run_counts_org_id_project_key_status_shard_pk" PRIMARY KEY("org_id","project_key","status","shard");--> statement-breakpoint
-- Each change lands on a random one of 16 shards of its count, so concurrent
-- run creations and stage changes in one project do not queue on one row lock until they commit.
-- A count is the sum over its shards (a shard may hold a negative part).
CREATE OR REPLACE FUNCTION baton_run_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s bigint := floor(random() * 16);
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    -- A decrement only updates (never inserts: while an org is deleted, its counts and its runs go
    -- in one cascade, and an insert would name an org that is gone). The random shard if it has a
    -- row, else any shard that has one (the run was counted in some shard).
    UPDATE run_counts SET n = n - 1
      WHERE org_id = OLD.org_id AND project_key = COALESCE(OLD.project_id, '') AND status = OLD.status AND shard = s;
    IF NOT FOUND THEN
      UPDATE run_counts SET n = n - 1
        WHERE (org_id, project_key, status, shard) IN (
          SELECT org_id, project_key, status, shard FROM run_counts
            WHERE org_id = OLD.org_id AND project_key = COALESCE(OLD.project_id, '') AND status = OLD.status
            LIMIT 1);
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO run_counts (org_id, project_key, status, shard, n)
      VALUES (NEW.org_id, COALESCE(NEW.project_id, ''), NEW.status, s, 1)
      ON CONFLICT (org_id, project_key, status, shard) DO UPDATE SET n = run_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;
