ALTER TABLE "run_counts" ADD COLUMN "shard" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "run_counts" DROP CONSTRAINT "run_counts_org_id_project_key_status_pk";--> statement-breakpoint
ALTER TABLE "run_counts" ADD CONSTRAINT "run_counts_org_id_project_key_status_shard_pk" PRIMARY KEY("org_id","project_key","status","shard");--> statement-breakpoint
-- Each change lands on a random one of 16 shards of its count (an upsert of +1 or -1), so concurrent
-- run creations and stage changes in one project do not queue on one row lock until they commit.
-- A count is the sum over its shards (a shard may hold a negative part).
CREATE OR REPLACE FUNCTION baton_run_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s bigint := floor(random() * 16);
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO run_counts (org_id, project_key, status, shard, n)
      VALUES (OLD.org_id, COALESCE(OLD.project_id, ''), OLD.status, s, -1)
      ON CONFLICT (org_id, project_key, status, shard) DO UPDATE SET n = run_counts.n - 1;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO run_counts (org_id, project_key, status, shard, n)
      VALUES (NEW.org_id, COALESCE(NEW.project_id, ''), NEW.status, s, 1)
      ON CONFLICT (org_id, project_key, status, shard) DO UPDATE SET n = run_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;
