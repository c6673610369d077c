/**
 * Files the server serves itself: the demo (`demo/` at `/`), the build (`dist/` at `/dist/*`,
 * plus the two script-tag bundles at the root, where the demo pages load them) and the operator
 * console (`dist/console/` at `/console/`, under a strict CSP: its own scripts, styles and API only).
 *
 * Traversal-proof by construction: the URL path is decoded once, any segment that is empty, `.`,
 * `..`, hidden (`.git`), or holds a backslash or NUL is refused, and the resolved real path must
 * still lie inside the root's real path (which also defeats symlinks pointing out).
 */
import { realpathSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Larger files are not something this server should be serving. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;

export interface StaticDirs {
  /** served at `/`; `index.html` answers `/` and any directory */
  demo: string;
  /** served at `/dist/*`; the script-tag bundles (core, net, widgets) also at `/` */
  dist: string;
  /** served at `/console/*` @default `<dist>/console` */
  console?: string;
}

export interface StaticFile {
  body: Buffer;
  type: string;
  /** response headers the file needs beyond its type (the console's CSP) */
  headers?: Record<string, string>;
}

/**
 * The console's policy: nothing inline, nothing from elsewhere; it talks to its own origin only
 * (`/admin/v1/`), may not be framed (clickjacking a publish button), and submits no form anywhere.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The repository root: the nearest ancestor of this module holding package.json (works from the
 * TypeScript sources and from dist/server/main.js alike); falls back to the working directory. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      realpathSync(join(dir, 'package.json'));
      return dir;
    } catch {
      const up = dirname(dir);
      if (up === dir) return process.cwd();
      dir = up;
    }
  }
}

export const defaultStaticDirs = (root = projectRoot()): StaticDirs => ({
  demo: join(root, 'demo'),
  dist: join(root, 'dist'),
});

const ROOT_BUNDLES = new Set(['/slotwise.min.js', '/slotwise-net.min.js', '/slotwise-widgets.min.js']);

/** Maps a request path to a file, or undefined when nothing (safe) is there. */
export function createStatic(dirs: StaticDirs): (path: string) => Promise<StaticFile | undefined> {
  return async (urlPath) => {
    if (ROOT_BUNDLES.has(urlPath)) return load(dirs.dist, urlPath.slice(1));
    if (urlPath === '/dist' || urlPath.startsWith('/dist/')) return load(dirs.dist, urlPath.slice('/dist'.length));
    if (urlPath === '/console' || urlPath.startsWith('/console/')) {
      const file = await load(dirs.console ?? join(dirs.dist, 'console'), urlPath.slice('/console'.length));
      return file && { ...file, headers: { 'content-security-policy': CONSOLE_CSP, 'x-frame-options': 'DENY' } };
    }
    return load(dirs.demo, urlPath);
  };
}

async function load(root: string, urlPath: string): Promise<StaticFile | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const segments = decoded.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)));
  if (segments.some((s) => s === '' || s.startsWith('.') || s.includes('\\') || s.includes('\0'))) return undefined;
  try {
    const base = await realpath(root);
    let file = await realpath(resolve(base, ...segments));
    if (file !== base && !file.startsWith(base + sep)) return undefined;
    let info = await stat(file);
    if (info.isDirectory()) {
      file = await realpath(join(file, 'index.html'));
      if (!file.startsWith(base + sep)) return undefined;
      info = await stat(file);
    }
    if (!info.isFile() || info.size > MAX_FILE_BYTES) return undefined;
    return { body: await readFile(file), type: TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' };
  } catch {
    return undefined;
  }
}
