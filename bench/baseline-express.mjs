#!/usr/bin/env node
// Baseline (b): a bare Express 5 route doing exactly what baseline (a) does (same row, same JSON),
// with the same settings as Baton's app (no x-powered-by, no etag).
//   node bench/baseline-express.mjs <database file> <port>
import http from 'node:http';
import express from 'express';
import Database from 'better-sqlite3';

const [file, port = '0'] = process.argv.slice(2);
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const byId = db.prepare('SELECT * FROM runs WHERE id = ?');
// Not a baseline the targets use: the same 50 handoffs GET /relay/api/v1/handoffs?limit=50 returns,
// as bare Express serves them, to show what that payload costs on its own.
const handoffPage = db.prepare(
  "SELECT h.*, p.name AS project_name FROM handoffs h JOIN projects p ON p.id = h.project_id WHERE h.org_id = ? AND h.status = 'active' ORDER BY h.created_at DESC, h.id DESC LIMIT ?",
);
const renderHandoff = (h) => ({
  id: h.id,
  project_id: h.project_id,
  title: h.title,
  summary: h.summary,
  status: h.status,
  sources: JSON.parse(h.sources),
  key_changes: JSON.parse(h.key_changes),
  decisions: JSON.parse(h.decisions),
  open_questions: JSON.parse(h.open_questions),
  next_steps: JSON.parse(h.next_steps),
  related_event_ids: JSON.parse(h.related_event_ids),
  scope_type: h.scope_type,
  project_name: h.project_name,
  created_at: h.created_at,
  updated_at: h.updated_at,
});

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/runs/:id', (req, res) => {
  const row = byId.get(req.params.id);
  if (!row) {
    res.status(404).json({ error: 'Not found' });
    return;
  }
  res.json(row);
});
app.get('/handoffs', (req, res) => {
  res.json({ handoffs: handoffPage.all(String(req.query.org), Number(req.query.limit ?? 50)).map(renderHandoff) });
});

const server = http.createServer(app);
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
