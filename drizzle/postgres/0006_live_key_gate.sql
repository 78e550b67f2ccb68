-- baton_require(ok, message) raises (SQLSTATE BK001) unless ok is true. On Postgres a batch of
-- POST /runs checks its callers' API keys inside the one statement that writes their runs
-- (packages/db/src/query.ts requireLiveKeys): one round trip instead of a lookup and then the
-- write. Plain SQL has no way to fail a statement on a condition without leaning on evaluation
-- order; this function does it plainly, and the statement then writes nothing.
CREATE FUNCTION baton_require(ok boolean, message text) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION USING ERRCODE = 'BK001', MESSAGE = message;
  END IF;
  RETURN true;
END
$$;
