#!/usr/bin/env node
// Baseline (b) on Postgres: a bare Express 5 route doing exactly what baseline-http-pg.mjs does
// (same row from the same database, same JSON, a node-postgres Pool of Baton's default size), with
// the same settings as Baton's app (no x-powered-by, no etag).
//   node bench/baseline-express-pg.mjs <postgres URL> <port> [pool size]
import http from 'node:http';
import express from 'express';
import pg from 'pg';

const [url, port = '0', poolSize = '10'] = process.argv.slice(2);
// Read 64-bit integers and numerics as JS numbers, as Baton does (packages/db/src/postgres.ts).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
const pool = new pg.Pool({ connectionString: url, max: Number(poolSize), application_name: 'bench baseline-express' });
pool.on('error', () => {});
const byId = (id) => pool.query({ name: 'run_by_id', text: 'SELECT * FROM runs WHERE id = $1', values: [id] });
// Not a baseline the targets use: the same 50 handoffs GET /relay/api/v1/handoffs?limit=50 returns,
// as bare Express serves them, to show what that payload costs on its own (jsonb arrives parsed).
const handoffPage = (org, limit) =>
  pool.query({
    name: 'handoff_page',
    text: "SELECT h.*, p.name AS project_name FROM handoffs h JOIN projects p ON p.id = h.project_id WHERE h.org_id = $1 AND h.status = 'active' ORDER BY h.created_at DESC, h.id DESC LIMIT $2",
    values: [org, limit],
  });
const renderHandoff = (h) => ({
  id: h.id,
  project_id: h.project_id,
  title: h.title,
  summary: h.summary,
  status: h.status,
  sources: h.sources,
  key_changes: h.key_changes,
  decisions: h.decisions,
  open_questions: h.open_questions,
  next_steps: h.next_steps,
  related_event_ids: h.related_event_ids,
  scope_type: h.scope_type,
  project_name: h.project_name,
  created_at: h.created_at,
  updated_at: h.updated_at,
});

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/runs/:id', async (req, res) => {
  const {
    rows: [row],
  } = await byId(req.params.id);
  if (!row) {
    res.status(404).json({ error: 'Not found' });
    return;
  }
  res.json(row);
});
app.get('/handoffs', async (req, res) => {
  const { rows } = await handoffPage(String(req.query.org), Number(req.query.limit ?? 50));
  res.json({ handoffs: rows.map(renderHandoff) });
});

const server = http.createServer(app);
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
