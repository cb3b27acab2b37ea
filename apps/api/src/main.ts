/**
 * The start command (`pnpm --filter @offcode/api start`): configuration from the environment, migrations,
 * demo seed, then the API on OFFCODE_HOST:OFFCODE_PORT (127.0.0.1:8080). Prints the URLs and a ready
 * `offcode token activate …` line. Invalid configuration: every problem on its own line, exit code 2.
 */
import { OffcodeError } from '@offcode/server';
import { cliActivateLine } from './cli-line.js';
import { ConfigError, startApi } from './start.js';

async function main(): Promise<void> {
  let api: Awaited<ReturnType<typeof startApi>>;
  try {
    api = await startApi({ cliActivation: true });
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
  for (const warning of api.warnings) process.stderr.write(`warning: ${warning}\n`);
  const { url, config } = api;
  const storage = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `PGlite ${config.dataDir}`;
  const lines = [
    `Offcode API: ${url}  (storage: ${storage})`,
    `  REST        ${url}/rest/v3/status   ${url}/rest/v4/status`,
    `  OpenAPI     ${url}/openapi.json   viewer ${url}/docs`,
    `  health      ${url}/healthz${config.metricsEnabled ? `   metrics ${url}/metrics` : ''}`,
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
      `  ${cliActivateLine({ url, application: config.demoApplication, activationCode: api.cliActivation.activationCode })}`,
      '  (paste it as it is: it asks for a new PIN; the token is saved in the per-user data directory)',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Offcode API: ${signal}, stopping\n`);
    api
      .close()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
