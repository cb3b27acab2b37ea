#!/usr/bin/env node
/**
 * `offcode-api` (the start command, `pnpm --filter @offcode/api start`): configuration from the environment,
 * migrations (each applied one logged), demo seed, then the API on OFFCODE_HOST:OFFCODE_PORT (127.0.0.1:8080).
 * Logs are JSON lines on stdout (pino, Fastify's logger); the human banner (URLs and a ready `offcode token
 * activate …` line) only when stdout is a terminal or OFFCODE_BANNER=true. `offcode-api migrate` applies or
 * prints the pending migrations (migrate-command.ts). Invalid configuration or usage: one line per problem,
 * exit code 2.
 */
import { OffcodeError } from '@offcode/server';
import { cliActivateLine } from './cli-line.js';
import { MIGRATE_USAGE, runMigrateCommand } from './migrate-command.js';
import { ConfigError, type RunningApi, startApi } from './start.js';

const USAGE = `usage: offcode-api            start the API (settings from the environment, docs/settings.md)
       offcode-api migrate    apply the pending migrations and exit (--print-sql: print them instead)
${MIGRATE_USAGE}`;

/** The first line of the banner, also the message of the JSON start line. */
function startedLine(api: RunningApi): string {
  const { url, config } = api;
  const storage = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite ${config.dataDir}`;
  return `Offcode API: ${url}  (storage: ${storage})`;
}

function printBanner(api: RunningApi): void {
  const { url, config } = api;
  const lines = [
    startedLine(api),
    `  REST        ${url}/rest/v3/status   ${url}/rest/v4/status`,
    `  OpenAPI     ${url}/openapi.json   viewer ${url}/docs`,
    `  health      ${url}/healthz   probes ${url}/livez ${url}/readyz${config.metricsEnabled ? `   metrics ${url}/metrics` : ''}`,
  ];
  if (config.demoEnabled) {
    lines.push(
      `Offcode demo: ${url}/demo`,
      `  enrol       ${url}/demo/enrol`,
      `  operation   ${url}/demo/operation/new`,
      `  token       ${url}/demo/token`,
    );
  }
  if (api.cliActivation) {
    lines.push(
      'Software token on the command line (activation for user cli-demo, valid 24 h):',
      `  ${cliActivateLine({ url, application: config.demoApplication, ...api.cliActivation })}`,
      '  (paste it as it is: it asks for a new PIN; the token is saved in the per-user data directory)',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Without the banner: one JSON line saying where the API listens, written even when OFFCODE_LOG_LEVEL is
 * above info (deploy tooling and the tests find the URL in it), unless logging is silent.
 */
function logStarted(api: RunningApi): void {
  const { url, config } = api;
  const log = config.logLevel === 'silent' ? api.app.log : api.app.log.child({}, { level: 'info' });
  log.info(
    { url, storage: config.databaseUrl ? 'postgresql' : 'pglite', demo: config.demoEnabled },
    startedLine(api),
  );
}

async function start(): Promise<void> {
  const banner =
    process.env.OFFCODE_BANNER === 'true' ||
    (process.env.OFFCODE_BANNER !== 'false' && process.stdout.isTTY === true);
  let api: RunningApi;
  try {
    // The CLI line is only for a person reading the banner.
    api = await startApi({ cliActivation: banner });
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const line of error.errors) process.stderr.write(`${line}\n`);
      process.exit(2);
    }
    // Start-up failures of the services carry their code (ERR0020 encrypted keys without a key, ERR0023 …).
    const code = error instanceof OffcodeError ? `${error.code}: ` : '';
    process.stderr.write(
      `offcode-api: cannot start: ${code}${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
  if (banner) {
    for (const warning of api.warnings) process.stderr.write(`warning: ${warning}\n`);
    printBanner(api);
  } else {
    for (const warning of api.warnings) api.app.log.warn(warning);
    logStarted(api);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (banner) process.stdout.write(`Offcode API: ${signal}, stopping\n`);
    else api.app.log.info({ signal }, 'stopping');
    api
      .close()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined) return start();
  if (command === 'migrate') process.exit(await runMigrateCommand(rest, process.env, process));
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  process.stderr.write(`offcode-api: unknown command ${JSON.stringify(command)} (offcode-api --help)\n`);
  process.exit(2);
}

void main(process.argv.slice(2));
