/**
 * The software token page (server.md §7.3), bundled for the browser with esbuild at build time: the
 * platform-neutral @offcode/client core (with @offcode/protocol and the wasm engine embedded as bytes) over
 * localStorage, plus a pure-JS QR reader (jsQR) for uploaded images. Every element has its data-testid.
 * V3 enrols through PowerAuth (keystore + activation/create), V4 through the plain exchange; the page asks
 * the bank for the status on load and on request, asks before reset and remove, and says states in words.
 */
import {
  KeyValueTokenStore,
  OffcodeClientError,
  OffcodeToken,
  type ScannedOperation,
  type TokenStatus,
} from '@offcode/client';
import {
  createCryptoSuite,
  decodeScannedBytes,
  type OfflinePayload,
  type OperationField,
  tryDecodeBase64Strict,
  utf8Encode,
  verifyEcdsaDer,
} from '@offcode/protocol';
import jsQRModule from 'jsqr';
import { activationStatusWords, blockedReasonWords, localDateTime } from '../demo/words.js';

// jsQR is a CommonJS bundle: depending on the interop the default import is the function or its namespace.
type JsQr = typeof import('jsqr').default;
const jsQR: JsQr = ((jsQRModule as unknown as { default?: JsQr }).default ?? jsQRModule) as JsQr;

const $ = <T extends HTMLElement = HTMLElement>(testId: string): T => {
  const el = document.querySelector<T>(`[data-testid="${testId}"]`);
  if (!el) throw new Error(`missing element ${testId}`);
  return el;
};

const token = new OffcodeToken({ store: new KeyValueTokenStore(window.localStorage) });
/** The demo application's credentials (server-rendered from the demo configuration, see the page text). */
const config = {
  application: document.body.dataset.application ?? 'offcode-demo',
  applicationKey: document.body.dataset.applicationKey ?? '',
  applicationSecret: document.body.dataset.applicationSecret ?? '',
  masterKeyP256: document.body.dataset.masterKeyP256 ?? '',
  masterKeyP384: document.body.dataset.masterKeyP384 ?? '',
};
let scanned: ScannedOperation | null = null;
let busy = false;

function showError(message: string | null, code = ''): void {
  const el = $('error');
  el.textContent = message ?? '';
  el.dataset.code = code;
  el.hidden = message === null;
}

function showMessage(message: string | null): void {
  const el = $('message');
  el.textContent = message ?? '';
  el.hidden = message === null;
}

/** The message for the reader; the client's code goes to `data-code` (no constants in the page text). */
function showFailure(error: unknown): void {
  if (error instanceof OffcodeClientError) {
    showError(error.message, error.serverCode ?? error.code);
    return;
  }
  showError(error instanceof Error ? error.message : String(error));
}

const STATUS_NOTES: Record<string, string> = {
  PENDING_COMMIT: 'The bank has not confirmed this token yet.',
  BLOCKED: 'The bank refuses its codes until it unblocks the token.',
  REMOVED: 'The bank removed this token; reset it to enrol again.',
};

/** "Too many wrong codes: the bank refuses …" — the reason first when the server gave one. */
function statusNote(status: TokenStatus): string {
  const note = STATUS_NOTES[status.activationStatus] ?? '';
  const reason = status.activationStatus === 'BLOCKED' ? blockedReasonWords(status.blockedReason) : '';
  if (!reason || !note) return note;
  return `${reason[0]!.toUpperCase()}${reason.slice(1)}: ${note[0]!.toLowerCase()}${note.slice(1)}`;
}

function renderStatus(status: TokenStatus | null): void {
  const el = $('token-status');
  el.textContent = activationStatusWords(status?.activationStatus);
  el.dataset.status = status?.activationStatus ?? '';
  $('token-status-note').textContent = status ? statusNote(status) : '';
  const checked = $('token-status-checked');
  checked.textContent = status?.statusCheckedAt ? localDateTime(status.statusCheckedAt) : '–';
  checked.dataset.value = status?.statusCheckedAt ?? '';
  $('token-activation-id').textContent = status ? status.activationId : '–';
  $('token-protocol').textContent = status
    ? `V${status.protocol}, ${status.mechanism === 'powerauth' ? 'PowerAuth activation' : 'Offcode key exchange'}, ${status.counter} ${status.counter === 1 ? 'code' : 'codes'} computed`
    : '–';
  $<HTMLButtonElement>('activate-button').disabled = status !== null;
  $<HTMLButtonElement>('refresh-status').disabled = status === null;
  // Activation is offered only while the browser holds no token.
  document.getElementById('activate-section')!.hidden = status !== null;
  // Only a PowerAuth-enrolled token can sign its own removal; the bank removes plain ones.
  document.getElementById('remove-box')!.hidden = status?.mechanism !== 'powerauth';
  const usable = status !== null && status.activationStatus === 'ACTIVE';
  $<HTMLButtonElement>('scan-button').disabled = !usable;
}

/** The stored status, or null when the browser holds no token. */
async function localStatus(): Promise<TokenStatus | null> {
  try {
    return await token.status();
  } catch (error) {
    if (error instanceof OffcodeClientError && error.code === 'NOT_ACTIVATED') return null;
    throw error;
  }
}

/** Asks the bank (PowerAuth: the encrypted status blob; plain: the activation status route). */
async function refreshStatus(): Promise<TokenStatus | null> {
  const stored = await localStatus();
  renderStatus(stored);
  if (!stored) return null;
  try {
    const fresh = await token.status({ remote: true });
    renderStatus(fresh);
    if (fresh.powerAuth?.counterSync === 'resynchronized') {
      showMessage(`The token caught up with the bank (${fresh.powerAuth.counterSteps} codes).`);
    }
    return fresh;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof OffcodeClientError ? (error.serverCode ?? error.code) : '';
    showError(`Could not check the status with the bank (the stored status is shown): ${message}`, code);
    return stored;
  }
}

const IMPLICIT_TEXTS: Record<string, [string, string]> = {
  payment: ['Payment', 'Please confirm this payment'],
  login: ['Login request', 'Please confirm login into internet banking.'],
};

const PAYMENT_LABELS: Record<number, string> = {
  1: 'Amount',
  2: 'To account',
  3: 'Reference',
  4: 'Due date',
  5: 'Note',
};

function fieldText(field: OperationField): string | null {
  switch (field.type) {
    case 'amount':
      return `${field.amount} ${field.currency}`;
    case 'account':
      return field.bic ? `${field.iban} (${field.bic})` : field.iban;
    case 'anyAccount':
      return field.account;
    case 'date':
      return field.date;
    case 'reference':
    case 'note':
    case 'text':
      return field.text;
    case 'fallback':
      return field.text;
    case 'empty':
      return null;
  }
}

function fieldLabel(payload: OfflinePayload, field: OperationField, position: number): string {
  if (payload.operationData.template === 'payment' && PAYMENT_LABELS[position])
    return PAYMENT_LABELS[position]!;
  const byType: Record<string, string> = {
    amount: 'Amount',
    account: 'Account',
    anyAccount: 'Account',
    date: 'Date',
    reference: 'Reference',
    note: 'Note',
    text: 'Text',
    fallback: 'Value',
  };
  return byType[field.type] ?? 'Value';
}

const SIGNATURE_WORDS = { verified: 'verified: issued by your bank', invalid: 'not valid' } as const;

function renderOperation(op: ScannedOperation | null, signature: 'verified' | 'invalid' | null): void {
  const box = document.getElementById('operation')!;
  box.hidden = signature === null;
  const sig = $('qr-signature-status');
  sig.textContent = signature ? SIGNATURE_WORDS[signature] : '';
  sig.dataset.value = signature ?? '';
  const fields = $('operation-fields');
  fields.replaceChildren();
  if (!op) {
    $('operation-title').textContent = signature === 'invalid' ? 'Invalid QR code' : '';
    $('operation-message').textContent =
      signature === 'invalid' ? 'The QR code was not issued for this token, or it was modified.' : '';
    $<HTMLButtonElement>('approve-button').disabled = true;
    $<HTMLButtonElement>('approve-biometry').disabled = true;
    return;
  }
  const p = op.payload;
  const implicit = IMPLICIT_TEXTS[p.operationData.template];
  $('operation-title').textContent = p.title || implicit?.[0] || 'Operation';
  $('operation-message').textContent = p.message || implicit?.[1] || '';
  p.operationData.fields.forEach((field, index) => {
    const text = fieldText(field);
    if (text === null) return;
    const dt = document.createElement('dt');
    dt.textContent = fieldLabel(p, field, index + 1);
    const dd = document.createElement('dd');
    dd.textContent = text;
    fields.append(dt, dd);
  });
  if (p.flags.fraudWarning) {
    const dt = document.createElement('dt');
    dt.textContent = 'Warning';
    const dd = document.createElement('dd');
    dd.textContent = 'The bank suspects fraud: approve only if you started this operation.';
    fields.append(dt, dd);
  }
  if (p.isNewerFormat || p.operationData.version === 'VX') {
    const dt = document.createElement('dt');
    dt.textContent = 'Note';
    const dd = document.createElement('dd');
    dd.textContent = 'This QR code uses a newer format; some details may not be shown.';
    fields.append(dt, dd);
  }
  $<HTMLButtonElement>('approve-button').disabled = false;
  $<HTMLButtonElement>('approve-biometry').disabled = !op.allowed.includes('biometry');
}

async function scan(): Promise<void> {
  showError(null);
  showMessage(null);
  $('code').textContent = '';
  scanned = null;
  const text = $<HTMLTextAreaElement>('qr-input').value;
  try {
    scanned = await token.scan(text);
    renderOperation(scanned, 'verified');
  } catch (error) {
    if (
      error instanceof OffcodeClientError &&
      (error.code === 'SIGNATURE_INVALID' || error.code === 'WRONG_ACTIVATION')
    ) {
      renderOperation(null, 'invalid');
    } else {
      renderOperation(null, null);
    }
    showFailure(error);
  }
}

async function approve(auth: { pin: string } | { biometry: true }): Promise<void> {
  if (!scanned) return;
  showError(null);
  try {
    const result = await token.approve(scanned, auth);
    $('code').textContent = result.display;
    $<HTMLInputElement>('approve-pin').value = '';
    renderStatus(await localStatus());
  } catch (error) {
    $('code').textContent = '';
    showFailure(error);
  }
}

/** Reads a QR from an image file: draw it on a canvas, let jsQR find it, decode the raw bytes as strict UTF-8. */
async function readQrImage(file: File): Promise<string> {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the file is not an image this browser can read'));
      img.src = url;
    });
    // SVGs may report no intrinsic size: render them large enough for the reader.
    const width = img.naturalWidth || 800;
    const height = img.naturalHeight || 800;
    const scale = Math.max(1, Math.ceil(600 / Math.min(width, height)));
    const canvas = document.createElement('canvas');
    canvas.width = width * scale;
    canvas.height = height * scale;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no canvas support');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const found = jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: 'attemptBoth' });
    if (!found) throw new Error('no QR code found in the image');
    return decodeScannedBytes(Uint8Array.from(found.binaryData));
  } finally {
    URL.revokeObjectURL(url);
  }
}

async function guarded(fn: () => Promise<void>): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    await fn();
  } catch (error) {
    showFailure(error);
  } finally {
    busy = false;
  }
}

/**
 * The plain exchange takes the bare code; a `CODE#SIGNATURE` from the activation QR has its signature (DER
 * ECDSA over the code by the P-384 master key) checked first, as the PowerAuth path does with P-256.
 */
function plainActivationCode(entered: string): string {
  const hash = entered.indexOf('#');
  if (hash < 0) return entered;
  const code = entered.slice(0, hash);
  const signature = tryDecodeBase64Strict(entered.slice(hash + 1));
  const key = tryDecodeBase64Strict(config.masterKeyP384);
  const suite = createCryptoSuite({ engine: token.engine });
  if (!signature || !key || !verifyEcdsaDer(suite, 'P-384', key, utf8Encode(code), signature)) {
    throw new OffcodeClientError(
      'SIGNATURE_INVALID',
      'this activation QR code was not issued by this bank (its signature does not verify)',
      { field: 'activationCode' },
    );
  }
  return code;
}

/**
 * V3 enrols like a PowerAuth mobile app: keystore + activation/create with the demo application's key,
 * secret and P-256 master key; `CODE#SIGNATURE` (the activation QR) has its signature checked first. V4
 * keeps Offcode's plain exchange, with the P-384 master key pinned (the server's answer must carry it) and
 * the QR's signature checked with it.
 */
async function activate(): Promise<void> {
  showError(null);
  showMessage(null);
  const protocol = $<HTMLSelectElement>('protocol-select').value === '3' ? 3 : 4;
  const entered = $<HTMLInputElement>('activation-code-input').value.trim();
  const pin = $<HTMLInputElement>('pin-input').value;
  const enableBiometry = $<HTMLInputElement>('enable-biometry').checked;
  const serverUrl = window.location.origin;
  const status =
    protocol === 3
      ? await token.activate({
          mechanism: 'powerauth',
          serverUrl,
          applicationId: config.application,
          applicationKey: config.applicationKey,
          applicationSecret: config.applicationSecret,
          masterPublicKey: config.masterKeyP256,
          activationCode: entered,
          pin,
          protocol,
          enableBiometry,
          device: { activationName: 'Demo software token', platform: 'browser' },
        })
      : await token.activate({
          mechanism: 'plain',
          serverUrl,
          applicationId: config.application,
          masterPublicKey: config.masterKeyP384,
          activationCode: plainActivationCode(entered),
          pin,
          protocol,
          enableBiometry,
        });
  $<HTMLInputElement>('pin-input').value = '';
  renderStatus(status);
  showMessage('The token is activated.');
}

$('activate-button').addEventListener('click', () => guarded(activate));

$('activation-qr-file').addEventListener('change', () =>
  guarded(async () => {
    showError(null);
    const file = $<HTMLInputElement>('activation-qr-file').files?.[0];
    if (!file) return;
    $<HTMLInputElement>('activation-code-input').value = await readQrImage(file);
  }),
);

$('refresh-status').addEventListener('click', () =>
  guarded(async () => {
    showError(null);
    showMessage(null);
    await refreshStatus();
  }),
);

$('scan-button').addEventListener('click', () => guarded(scan));

$('qr-file').addEventListener('change', () =>
  guarded(async () => {
    showError(null);
    const file = $<HTMLInputElement>('qr-file').files?.[0];
    if (!file) return;
    $<HTMLTextAreaElement>('qr-input').value = await readQrImage(file);
    await scan();
  }),
);

$('approve-button').addEventListener('click', () =>
  guarded(() => approve({ pin: $<HTMLInputElement>('approve-pin').value })),
);
$('approve-biometry').addEventListener('click', () => guarded(() => approve({ biometry: true })));

function clearOperation(): void {
  scanned = null;
  renderOperation(null, null);
  $('code').textContent = '';
  $<HTMLTextAreaElement>('qr-input').value = '';
}

$('reset-button').addEventListener('click', () =>
  guarded(async () => {
    const ok = window.confirm(
      'Reset the token? It is deleted from this browser; the bank keeps its activation until it is removed there.',
    );
    if (!ok) return;
    await token.reset();
    clearOperation();
    showError(null);
    renderStatus(null);
    showMessage('The token was deleted from this browser.');
  }),
);

$('remove-button').addEventListener('click', () =>
  guarded(async () => {
    showError(null);
    showMessage(null);
    const ok = window.confirm('Remove this token? The bank will no longer accept its codes.');
    if (!ok) return;
    const pin = $<HTMLInputElement>('remove-pin').value;
    await token.remove({ pin });
    $<HTMLInputElement>('remove-pin').value = '';
    clearOperation();
    renderStatus(null);
    showMessage('The token was removed at the bank and deleted from this browser.');
  }),
);

guarded(async () => {
  await refreshStatus();
}).finally(() => {
  document.body.dataset.ready = 'true';
});
