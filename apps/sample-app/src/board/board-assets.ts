import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the board, read once at start. */
export interface BoardAsset {
  readonly body: Buffer;
  readonly type: string;
}

/**
 * The board's Content-Security-Policy: its own scripts, styles and fetches
 * only; no inline script or style element, no frame, no form posting
 * elsewhere, no plugin.
 */
export const BOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** A file of the board's own, next to this module once built. */
const own = (file: string): string => join(here, 'public', file);

function read(path: string, type: string): BoardAsset {
  return { body: readFileSync(path), type };
}

/**
 * The page and its assets: the board's own files (copied next to this
 * module by the build), and Chart.js from its npm package, served by the app
 * itself so that the page works offline and loads nothing from elsewhere.
 */
export function loadBoardAssets(): {
  readonly page: BoardAsset;
  readonly assets: ReadonlyMap<string, BoardAsset>;
} {
  return {
    page: read(own('index.html'), 'text/html; charset=utf-8'),
    assets: new Map([
      ['board.js', read(own('board.js'), 'text/javascript; charset=utf-8')],
      ['board.css', read(own('board.css'), 'text/css; charset=utf-8')],
      ['favicon.svg', read(own('favicon.svg'), 'image/svg+xml')],
      [
        'chart.umd.js',
        // Chart.js's exports map hides its dist/ folder, which holds the
        // browser build next to its main entry.
        read(
          join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
          'text/javascript; charset=utf-8',
        ),
      ],
    ]),
  };
}
