/**
 * Fields a logger must never print (server.md §6.2), wherever they appear in a logged object: pass them to
 * Fastify's logger as `redact: { paths: OFFCODE_LOG_REDACT, censor: '[redacted]' }`.
 */
export const OFFCODE_LOG_REDACT: readonly string[] = Object.freeze([
  'req.headers.authorization',
  'headers.authorization',
  '*.signature',
  '*.authenticationCode',
  '*.activationCode',
  '*.offlineData',
  '*.nonce',
  '*.applicationSecret',
  '*.proximityCheck.seed',
  '*.requestObject',
]);
