/**
 * Start-up seeding: the demo application (created when missing, `commitOnKeyExchange=true`; idempotent and
 * safe when several instances start at once on one PostgreSQL) and, for the start banner, a fresh
 * activation whose code feeds the ready-to-paste `offcode token activate …` line.
 */
import { OffcodeError, type OffcodeServer } from '@offcode/server';

export async function ensureDemoApplication(
  offcode: OffcodeServer,
  applicationId: string,
): Promise<'created' | 'existing'> {
  try {
    await offcode.applications.detail({ applicationId });
    return 'existing';
  } catch (error) {
    if (!(error instanceof OffcodeError) || error.code !== 'ERR0015') throw error;
  }
  try {
    await offcode.applications.create({ applicationId, commitOnKeyExchange: true });
    return 'created';
  } catch (error) {
    // Another instance created it between our detail and create.
    if (error instanceof OffcodeError && error.code === 'ERR0043') return 'existing';
    throw error;
  }
}

/** User of the activation printed at start (the CLI example); the demo pages use their own users. */
export const CLI_DEMO_USER = 'cli-demo';
/** Deadline of that activation: long enough to read the banner and run the command. */
export const CLI_ACTIVATION_TTL_MS = 24 * 60 * 60 * 1000;

/** The banner's activation and what the CLI line needs to enrol it through PowerAuth. */
export interface CliActivation {
  activationId: string;
  activationCode: string;
  /** What a PowerAuth mobile SDK app has compiled in (application detail: version, P-256 master key). */
  applicationKey: string;
  applicationSecret: string;
  masterPublicKey: string;
}

export async function createCliActivation(
  offcode: OffcodeServer,
  applicationId: string,
): Promise<CliActivation> {
  const created = await offcode.activations.init({
    userId: CLI_DEMO_USER,
    applicationId,
    timestampActivationExpire: new Date(Date.now() + CLI_ACTIVATION_TTL_MS).toISOString(),
  });
  const detail = await offcode.applications.detail({ applicationId });
  const version = detail.versions.find((v) => v.supported) ?? detail.versions[0];
  return {
    activationId: created.activationId,
    activationCode: created.activationCode,
    applicationKey: version?.applicationKey ?? '',
    applicationSecret: version?.applicationSecret ?? '',
    masterPublicKey: detail.masterPublicKeys.EC_P256 ?? '',
  };
}
