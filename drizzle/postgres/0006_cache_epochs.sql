CREATE TABLE "cache_epochs" (
	"name" text PRIMARY KEY NOT NULL,
	"n" bigint NOT NULL
);
--> statement-breakpoint
-- The handoff epoch (packages/db/src/change-epochs.ts): moved in the transaction of any change to
-- handoffs (cascades from a project or org deleted included) or of a project renamed (handoff pages
-- show its name), so that every node validates its cached handoff pages against one number.
-- Statement-level on handoffs: a cascade deleting many handoffs moves it once.
CREATE FUNCTION baton_handoffs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO cache_epochs (name, n) VALUES ('handoffs', 1)
    ON CONFLICT (name) DO UPDATE SET n = cache_epochs.n + 1;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER handoffs_epoch AFTER INSERT OR UPDATE OR DELETE ON handoffs
  FOR EACH STATEMENT EXECUTE FUNCTION baton_handoffs_changed();
--> statement-breakpoint
CREATE TRIGGER projects_renamed_epoch AFTER UPDATE OF name ON projects FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION baton_handoffs_changed();
