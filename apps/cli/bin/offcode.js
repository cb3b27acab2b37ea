#!/usr/bin/env node
// Stable bin entry (exists before the build, so package managers can link it); the CLI itself is dist/cli.js.
try {
  await import('../dist/cli.js');
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/cli.js')) {
    process.stderr.write('offcode: INTERNAL_ERROR: the CLI is not built yet (run "pnpm build")\n');
    process.exit(1);
  }
  throw e;
}
