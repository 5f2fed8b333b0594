// A static file server for the built page, bound to 127.0.0.1 (a secure context, so navigator.gpu exists).
// Usage: tsx harness/web/server.ts   (npm run web; PORT from the environment, default 8080). Builds first.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWeb, DIST_DIR } from './build.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.png': 'image/png',
  '.safetensors': 'application/octet-stream',
};

/** Serves `dir` on http://127.0.0.1:port (0 = any free port); resolves once listening. */
export function serveDir(dir: string, port: number): Promise<Server> {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

/** The port a server listens on. */
export function portOf(server: Server): number {
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`web: PORT=${process.env.PORT} is not a port number`);
    process.exit(1);
  }
  await buildWeb();
  try {
    const server = await serveDir(DIST_DIR, port);
    console.log(`topo-shapr web page: http://127.0.0.1:${portOf(server)}/  (Ctrl-C stops)`);
  } catch (e) {
    console.error(`web: cannot listen on 127.0.0.1:${port} (${(e as Error).message}); set PORT to a free port`);
    process.exit(1);
  }
}
