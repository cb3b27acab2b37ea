/** @offcode/api programmatic surface (tests, embedding): build the Fastify app or start the whole API. */
export { type BuildApiOptions, buildApi } from './app.js';
export { DEMO_TABLES } from './demo/migrations.js';
export { ConfigError, type RunningApi, resolveApiConfig, type StartApiOptions, startApi } from './start.js';
export { API_VERSION } from './version.js';
