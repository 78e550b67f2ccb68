#!/usr/bin/env node
// Baseline (a), the physical limit: bare node:http + better-sqlite3 answering GET /runs/:id with
// the run's row as JSON. No framework, no auth, one prepared statement.
//   node bench/baseline-http.mjs <database file> <port>
import http from 'node:http';
import Database from 'better-sqlite3';

const [file, port = '0'] = process.argv.slice(2);
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const byId = db.prepare('SELECT * FROM runs WHERE id = ?');

const server = http.createServer((req, res) => {
  const url = req.url ?? '';
  if (req.method === 'GET' && url.startsWith('/runs/')) {
    const row = byId.get(decodeURIComponent(url.slice(6)));
    if (row) {
      const body = JSON.stringify(row);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":"Not found"}');
});
server.keepAliveTimeout = 65_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
