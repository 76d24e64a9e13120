// Serves the built LocalUI (ui/dist). Hashed assets are cached forever; index.html never is.
// Page paths that the UI routes itself fall back to index.html.
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import { OutpostError } from '../lib/errors.ts';

export const UI_PAGES = ['/', '/overview', '/workloads', '/upgrades', '/audit', '/settings', '/kiosk', '/setup', '/login'];

export function uiIsBuilt(dist: string): boolean {
  return existsSync(path.join(dist, 'index.html'));
}

export function staticUi(dist: string): Router {
  const router = express.Router();
  router.use(
    '/assets',
    express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: true }),
  );
  router.use(express.static(dist, { index: false, maxAge: 0 }));
  const page: RequestHandler = (req, res, next) => {
    if (!uiIsBuilt(dist)) {
      return next(new OutpostError('ui_not_built', `the LocalUI is not built (${dist} has no index.html); run \`npm run build\``));
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(dist, 'index.html'));
  };
  // Top-level pages and their sub-paths (/workloads/ns/kind/name) but never /api or files with a dot.
  router.get(/^\/(?!api\/|metrics$|healthz$|readyz$)[^.]*$/, page);
  return router;
}
