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

const server = http.createServer(app);
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
