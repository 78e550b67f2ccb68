#!/usr/bin/env node
// Baseline (a) on Postgres: bare node:http + a node-postgres Pool answering GET /runs/:id with the
// run's row as JSON, from the same database Baton reads in the same bench run. No framework, no
// auth, one named (prepared) statement; the pool has as many connections as Baton's (10 by default).
//   node bench/baseline-http-pg.mjs <postgres URL> <port> [pool size]
import http from 'node:http';
import pg from 'pg';

const [url, port = '0', poolSize = '10'] = process.argv.slice(2);
// Read 64-bit integers and numerics as JS numbers, as Baton does (packages/db/src/postgres.ts).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
const pool = new pg.Pool({ connectionString: url, max: Number(poolSize), application_name: 'bench baseline-http' });
pool.on('error', () => {});
const byId = (id) => pool.query({ name: 'run_by_id', text: 'SELECT * FROM runs WHERE id = $1', values: [id] });

const server = http.createServer((req, res) => {
  const url = req.url ?? '';
  const notFound = () => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"Not found"}');
  };
  if (req.method !== 'GET' || !url.startsWith('/runs/')) return notFound();
  byId(decodeURIComponent(url.slice(6))).then(
    ({ rows: [row] }) => {
      if (!row) return notFound();
      const body = JSON.stringify(row);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
    () => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"database"}');
    },
  );
});
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
