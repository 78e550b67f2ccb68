/**
 * Small engine-neutral helpers for tests that look at what the database said, on SQLite or on
 * Postgres (the test project's engine).
 */

/** The error either engine gives for a table that is not there: SQLite's "no such table: x", Postgres's `relation "x" does not exist`. */
export const MISSING_TABLE = /no such table|relation \\?"[^"\\]+\\?" does not exist/; // quotes may come JSON-escaped

/** Words that would leak the database's own diagnosis of a missing table, on either engine. */
export const MISSING_TABLE_WORDS = /no such table|does not exist|relation|sqlite|postgres/i;
