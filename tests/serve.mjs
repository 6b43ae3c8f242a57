// A minimal static file server for the built page (dist/), bound to 127.0.0.1.
// Used by `./x serve` and by the end-to-end tests. Usage: node tests/serve.mjs DIR PORT
// A file with a NAME.gz beside it (tools/ship.mjs writes them) goes as that gzip to a browser
// that accepts gzip, as nginx's gzip_static serves it.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'dist');
const port = Number(process.argv[3] ?? 8080);
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
};

createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
  if (!file.startsWith(root)) { res.writeHead(403).end('forbidden'); return; }
  const type = { 'content-type': types[extname(file)] ?? 'application/octet-stream', vary: 'accept-encoding' };
  try {
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      const zipped = await readFile(`${file}.gz`).catch(() => null);
      if (zipped) {
        res.writeHead(200, { ...type, 'content-encoding': 'gzip', 'content-length': zipped.length }).end(zipped);
        return;
      }
    }
    const body = await readFile(file);
    res.writeHead(200, type).end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}).listen(port, '127.0.0.1', () => console.log(`serving ${root} on http://127.0.0.1:${port}`));
