// Hermes stand-in for the token suite (client.md §7 "Environments"): no WebAssembly, no TextDecoder, and a
// fetch that does not depend on them (React Native brings its own). Runs before each test file is imported.
import { nodeHttpFetch } from './node-http-fetch.js';

// biome-ignore lint/suspicious/noExplicitAny: replacing platform globals on purpose
const g = globalThis as any;
delete g.WebAssembly;
delete g.TextDecoder;
g.fetch = nodeHttpFetch;
