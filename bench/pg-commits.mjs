#!/usr/bin/env node
// PostgreSQL's own commit rate on the bench's server, for context beside Baton's write scenarios:
// bare node-postgres clients, each transaction one small INSERT (plus, in the "notify" variants,
// one pg_notify as Baton's event appends and job enqueues send), committed with the server's
// settings (synchronous_commit=on: each commit waits for its WAL flush). The "hot row" variant has
// every transaction upsert the same counter row instead, as the Flow Relay rate limiter does per
// key and per user on a shared database (packages/auth/src/db-limits.ts).
//
//   node bench/pg-commits.mjs <postgres URL of a scratch database> <seconds per variant>
//
// Prints one JSON line: commits/s for 10 connections and for 1, without and with a NOTIFY, and for
// 10 connections updating one row.
import pg from 'pg';

const [url, seconds = '2'] = process.argv.slice(2);
const ms = Number(seconds) * 1000;
const admin = new pg.Client({ connectionString: url, application_name: 'bench pg-commits' });
await admin.connect();
await admin.query('CREATE TABLE IF NOT EXISTS bench_commits (id bigserial PRIMARY KEY, v text NOT NULL)');
await admin.query('CREATE TABLE IF NOT EXISTS bench_counters (key text PRIMARY KEY, n bigint NOT NULL)');
// Someone listens, as every Baton node does: NOTIFY then has a queue to write to.
const listener = new pg.Client({ connectionString: url, application_name: 'bench pg-commits listen' });
await listener.connect();
await listener.query('LISTEN bench_commits');
let heard = 0;
listener.on('notification', () => heard++);

const HOT_ROW = "INSERT INTO bench_counters (key, n) VALUES ('relay-key:k', 1) ON CONFLICT (key) DO UPDATE SET n = bench_counters.n + 1 RETURNING n";

async function variant(connections, notify, hotRow = false) {
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const c = new pg.Client({ connectionString: url, application_name: 'bench pg-commits' });
      await c.connect();
      return c;
    }),
  );
  let commits = 0;
  const end = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < end) {
        await c.query('BEGIN');
        await c.query(hotRow ? HOT_ROW : "INSERT INTO bench_commits (v) VALUES ('x')");
        if (notify) await c.query("SELECT pg_notify('bench_commits', 'run 1 1')");
        await c.query('COMMIT');
        commits++;
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.end()));
  return Math.round(commits / s);
}

const out = {
  conns10: await variant(10, false),
  conns10Notify: await variant(10, true),
  conns1: await variant(1, false),
  conns1Notify: await variant(1, true),
  conns10HotRow: await variant(10, false, true),
};
await new Promise((r) => setTimeout(r, 100));
out.notificationsHeard = heard;
await listener.end();
await admin.end();
process.stdout.write(JSON.stringify(out) + '\n');
