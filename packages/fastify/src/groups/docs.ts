/**
 * `GET /docs`: Swagger UI (from the swagger-ui-dist package, served locally: no CDN) over `/openapi.json`.
 * No inline script or style (the content security policy allows none): the initialiser is a file, and the
 * online validator badge (an image from validator.swagger.io) is off.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { systemRouteConfig } from './system-routes.js';

const require = createRequire(import.meta.url);

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

/** The viewer page; `base` is the plugin's `prefix` option ('' or `/x`). */
const page = (base: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Offcode API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${base}/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${base}/docs/swagger-ui-bundle.js"></script>
<script src="${base}/docs/init.js"></script>
</body>
</html>
`;

const init = (base: string): string =>
  `window.ui = SwaggerUIBundle({ url: '${base.replace(/[\\'<>]/g, '')}/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });\n`;

/** Registers `/docs` and its files on `app` (a context with the prefix `base`). */
export function registerDocs(app: FastifyInstance, base: string): void {
  const dir = (require('swagger-ui-dist') as { getAbsoluteFSPath(): string }).getAbsoluteFSPath();
  const cache = new Map<string, Buffer>();
  const html = page(base);
  const script = init(base);
  app.get('/docs', { config: systemRouteConfig('/docs') }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(html),
  );
  app.get('/docs/init.js', { config: systemRouteConfig('/docs/init.js') }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(script),
  );
  for (const [name, type] of Object.entries(ASSETS)) {
    app.get(`/docs/${name}`, { config: systemRouteConfig(`/docs/${name}`) }, async (_request, reply) => {
      let bytes = cache.get(name);
      if (!bytes) {
        bytes = readFileSync(join(dir, name));
        cache.set(name, bytes);
      }
      return reply.type(type).send(bytes);
    });
  }
}
