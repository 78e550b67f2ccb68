-- run_counts keeps exact per-(org, project, status) run counts, as on SQLite (0002_run_counts.sql there),
-- so counting a list never scans the runs. Same triggers, in PL/pgSQL.
CREATE FUNCTION baton_run_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE run_counts SET n = n - 1
      WHERE org_id = OLD.org_id AND project_key = COALESCE(OLD.project_id, '') AND status = OLD.status;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO run_counts (org_id, project_key, status, n)
      VALUES (NEW.org_id, COALESCE(NEW.project_id, ''), NEW.status, 1)
      ON CONFLICT (org_id, project_key, status) DO UPDATE SET n = run_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER runs_count_insert AFTER INSERT ON runs FOR EACH ROW EXECUTE FUNCTION baton_run_counts();
--> statement-breakpoint
CREATE TRIGGER runs_count_update AFTER UPDATE OF org_id, project_id, status ON runs FOR EACH ROW
  WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.project_id IS DISTINCT FROM NEW.project_id OR OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION baton_run_counts();
--> statement-breakpoint
CREATE TRIGGER runs_count_delete AFTER DELETE ON runs FOR EACH ROW EXECUTE FUNCTION baton_run_counts();
