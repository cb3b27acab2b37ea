/**
 * The `offcode` command tree (client.md §5). Commander parses; every usage error becomes one stderr line
 * and exit 2; `--help` prints usage on stdout with exit 0.
 */
import { Command, Option } from 'commander';
import { computeCode, FACTOR_TYPES } from './commands/code.js';
import { qrParse, qrRender } from './commands/qr.js';
import { tokenActivate, tokenApprove, tokenRemove, tokenStatus } from './commands/token.js';
import type { CliIo } from './io-context.js';

const PIN_NOTE =
  '\nThe PIN: asked on the terminal (not shown) unless --pin-stdin (first line of stdin) or --pin is given.\n' +
  'Note: a --pin given on the command line is visible to other local users (process list, shell history);\n' +
  'acceptable for a simulator, never for a real token.\n';

const ACTIVATE_NOTE =
  '\nPowerAuth (V3 default): --app-key, --app-secret and --master-key are what a PowerAuth mobile SDK app has\n' +
  'compiled in; the bank gets them from application/detail (versions[].applicationKey/applicationSecret,\n' +
  'masterPublicKeys.EC_P256). --sdk-config gives the three in the one string a PowerAuth mobile SDK 1.8+ app is\n' +
  'configured with (application/detail versions[].mobileSdkConfig).\n';

const STATE_HELP = 'state file (default: token.json in the per-user data directory, see README)';

export function buildProgram(io: CliIo, version: string): Command {
  const program = new Command('offcode')
    .description(
      'Offline authentication codes (PowerAuth V3/V4 compatible): QR payloads, raw codes, software token.',
    )
    .version(version, '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: () => undefined, // failures are reported as one line by the caller
      outputError: () => undefined,
    })
    .showSuggestionAfterError(false)
    .allowExcessArguments(false)
    .allowUnknownOption(false);

  const qr = program.command('qr').description('parse or render offline QR payloads');

  qr.command('parse')
    .description('parse the payload on stdin and print it as JSON (exit 2 with the reason when invalid)')
    .action(() => qrParse(io));

  qr.command('render')
    .description('render the text on stdin as a QR symbol (byte mode, no ECI): terminal, PNG or SVG')
    .addOption(
      new Option('--png <file>', 'write a PNG (8 px per module) instead of printing').conflicts('svg'),
    )
    .addOption(new Option('--svg <file>', 'write an SVG instead of printing').conflicts('png'))
    .addOption(
      new Option('--ec <level>', 'error correction level').choices(['L', 'M', 'Q', 'H']).default('L'),
    )
    .action((o) => qrRender(io, o));

  program
    .command('code')
    .description('compute a raw authentication code (for integrators debugging a mismatch)')
    .addOption(
      new Option('--protocol <version>', 'protocol version').choices(['3', '4']).makeOptionMandatory(),
    )
    .addOption(new Option('--type <type>', 'factor type').choices([...FACTOR_TYPES]).makeOptionMandatory())
    .option('--possession <b64>', 'possession key (16 B for V3, 32 B for V4)')
    .option('--knowledge <b64>', 'knowledge key')
    .option('--biometry <b64>', 'biometry key')
    .requiredOption('--ctr <b64>', 'CTR_DATA (16 B for V3, 32 B for V4)')
    .requiredOption('--data-b64 <b64>', 'the exact DATA bytes, including "&offline" (empty allowed)')
    .option('--length <digits>', 'digits per component, 4..8 (decimal only; default 8)')
    .addOption(
      new Option('--format <format>', 'output form').choices(['decimal', 'base64']).default('decimal'),
    )
    .action((o) => computeCode(io, o));

  addTokenCommands(program, io);
  return program;
}

/** `offcode token activate | approve | status | remove` (client.md §5.2). */
function addTokenCommands(program: Command, io: CliIo): void {
  const token = program.command('token').description('a software token kept in a state file');

  token
    .command('activate')
    .description(
      'enrol (V3: PowerAuth 3.3 keystore + activation/create on {server}/pa/v3; V4 or --mechanism plain: ' +
        'POST {server}/rest/offcode/activation/exchange) and print the status JSON',
    )
    .requiredOption('--server <url>', 'server base URL, e.g. http://127.0.0.1:8080')
    .requiredOption(
      '--code <activation-code>',
      'activation code XXXXX-XXXXX-XXXXX-XXXXX (PowerAuth: also CODE#signature)',
    )
    .option(
      '--application <app>',
      'application name (required for plain; PowerAuth: a label, default the app key)',
    )
    .addOption(new Option('--protocol <version>', 'protocol version').choices(['3', '4']).default('3'))
    .addOption(
      new Option('--mechanism <mechanism>', 'key exchange (default: powerauth for V3, plain for V4)').choices(
        ['plain', 'powerauth'],
      ),
    )
    .option('--app-key <b64>', 'PowerAuth application key (APP_KEY, Base64 of 16 bytes)')
    .option('--app-secret <b64>', 'PowerAuth application secret (APP_SECRET, Base64 of 16 bytes)')
    .option(
      '--master-key <b64>',
      'application master public key, Base64 (PowerAuth: required, P-256; plain: optional pin)',
    )
    .option(
      '--sdk-config <b64>',
      'PowerAuth mobile SDK configuration string, instead of --app-key, --app-secret and --master-key',
    )
    .addOption(new Option('--pin <pin>', 'PIN, 4..64 characters').conflicts('pinStdin'))
    .option('--pin-stdin', 'read the PIN from the first line of stdin')
    .option('--state <file>', `${STATE_HELP}; created`)
    .addHelpText('after', ACTIVATE_NOTE + PIN_NOTE)
    .action((o) => tokenActivate(io, o));

  token
    .command('approve')
    .description('verify the payload (stdin or --qr) and print the code; the counter is saved first')
    .option('--state <file>', STATE_HELP)
    .addOption(
      new Option('--pin <pin>', 'approve with possession + knowledge').conflicts(['biometry', 'pinStdin']),
    )
    .addOption(
      new Option(
        '--pin-stdin',
        'the PIN from the first line of stdin (the payload then from --qr)',
      ).conflicts('biometry'),
    )
    .addOption(
      new Option('--biometry', 'approve with possession + biometry (simulated check)').conflicts('pin'),
    )
    .option('--qr <file>', 'read the payload from a file instead of stdin')
    .option('--length <digits>', 'digits per group for this code, 4..8 (default: from activation)')
    .addHelpText('after', PIN_NOTE)
    .action((o) => tokenApprove(io, o));

  token
    .command('status')
    .description('print the token status JSON (no secrets)')
    .option('--state <file>', STATE_HELP)
    .option(
      '--remote',
      'refresh from the server first (PowerAuth: /pa/v3/activation/status with counter resync; plain: /rest/v3/activation/status)',
    )
    .action((o) => tokenStatus(io, o));

  token
    .command('remove')
    .description(
      'remove a PowerAuth-enrolled token: signed POST {server}/pa/v3/activation/remove, then delete the state file',
    )
    .option('--state <file>', STATE_HELP)
    .addOption(
      new Option('--pin <pin>', 'sign with possession + knowledge').conflicts(['biometry', 'pinStdin']),
    )
    .addOption(new Option('--pin-stdin', 'the PIN from the first line of stdin').conflicts('biometry'))
    .addOption(new Option('--biometry', 'sign with possession + biometry (simulated check)').conflicts('pin'))
    .addHelpText('after', PIN_NOTE)
    .action((o) => tokenRemove(io, o));
}
