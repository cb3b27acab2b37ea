/** The metrics registry type under this application's old name (the demo's options). */
export type { OffcodeMetrics as ApiMetrics } from '@offcode/fastify';
