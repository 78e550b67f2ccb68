import type { Request, Response, NextFunction } from 'express';

/**
 * Documented operations whose issue has not landed yet. They answer 501 so a client learns the
 * operation is known but unavailable, rather than a misleading 404. Each line goes when its route lands.
 */
const PENDING: Record<'mk' | 'relay', Array<[string, RegExp]>> = {
  mk: [
    ['GET', /^\/billing\/(balance|usage)\/?$/],
    ['POST', /^\/billing\/credits\/?$/],
    ['GET', /^\/webhooks\/?$/],
    ['POST', /^\/webhooks\/?$/],
    ['DELETE', /^\/webhooks\/[^/]+\/?$/],
    ['GET', /^\/integrations\/?$/],
    ['POST', /^\/integrations\/?$/],
    ['DELETE', /^\/integrations\/[^/]+\/?$/],
    ['GET', /^\/export\/?$/],
  ],
  relay: [
    ['GET', /^\/projects\/[^/]+\/insights\/?$/],
    ['POST', /^\/projects\/[^/]+\/insights\/[^/]+\/?$/],
    ['GET', /^\/integrations\/?$/],
    ['GET', /^\/integrations\/untracked\/?$/],
    ['GET', /^\/discord\/channels\/?$/],
    ['POST', /^\/discord\/send\/?$/],
  ],
};

export function notImplemented(surface: 'mk' | 'relay') {
  const routes = PENDING[surface];
  return (req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    if (routes.some(([m, re]) => m === req.method && re.test(path))) {
      res.status(501).json({ error: 'not implemented' });
      return;
    }
    next();
  };
}
