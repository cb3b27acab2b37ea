/**
 * The software token page (server.md §7.3), bundled for the browser with esbuild at build time: the
 * platform-neutral @offcode/client core (with @offcode/protocol and the wasm engine embedded as bytes) over
 * localStorage, plus a pure-JS QR reader (jsQR) for uploaded images. Every element has its data-testid.
 */
import {
  KeyValueTokenStore,
  OffcodeClientError,
  OffcodeToken,
  type ScannedOperation,
  type TokenStatus,
} from '@offcode/client';
import { decodeScannedBytes, type OfflinePayload, type OperationField } from '@offcode/protocol';
import jsQRModule from 'jsqr';

// jsQR is a CommonJS bundle: depending on the interop the default import is the function or its namespace.
type JsQr = typeof import('jsqr').default;
const jsQR: JsQr = ((jsQRModule as unknown as { default?: JsQr }).default ?? jsQRModule) as JsQr;

const $ = <T extends HTMLElement = HTMLElement>(testId: string): T => {
  const el = document.querySelector<T>(`[data-testid="${testId}"]`);
  if (!el) throw new Error(`missing element ${testId}`);
  return el;
};

const token = new OffcodeToken({ store: new KeyValueTokenStore(window.localStorage) });
const application = document.body.dataset.application ?? 'offcode-demo';
let scanned: ScannedOperation | null = null;
let busy = false;

function showError(message: string | null): void {
  const el = $('error');
  el.textContent = message ?? '';
  el.hidden = message === null;
}

function describe(error: unknown): string {
  if (error instanceof OffcodeClientError) {
    const detail = error.serverCode ? ` (${error.serverCode})` : error.reason ? ` (${error.reason})` : '';
    return `${error.code}${detail}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function renderStatus(status: TokenStatus | null): void {
  $('token-status').textContent = status ? status.activationStatus : 'NOT_ACTIVATED';
  $('token-activation-id').textContent = status ? status.activationId : '';
  $('token-protocol').textContent = status ? `V${status.protocol}, ${status.counter} codes` : '';
  $<HTMLButtonElement>('activate-button').disabled = status !== null;
  // Activation is offered only while the browser holds no token.
  document.getElementById('activate-section')!.hidden = status !== null;
  $<HTMLButtonElement>('scan-button').disabled = status === null;
}

async function refreshStatus(): Promise<TokenStatus | null> {
  try {
    const status = await token.status();
    renderStatus(status);
    return status;
  } catch (error) {
    if (error instanceof OffcodeClientError && error.code === 'NOT_ACTIVATED') {
      renderStatus(null);
      return null;
    }
    throw error;
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

function renderOperation(op: ScannedOperation | null, signature: 'verified' | 'invalid' | null): void {
  const box = document.getElementById('operation')!;
  box.hidden = signature === null;
  $('qr-signature-status').textContent = signature ?? '';
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
    showError(describe(error));
  }
}

async function approve(auth: { pin: string } | { biometry: true }): Promise<void> {
  if (!scanned) return;
  showError(null);
  try {
    const result = await token.approve(scanned, auth);
    $('code').textContent = result.display;
    $<HTMLInputElement>('approve-pin').value = '';
    await refreshStatus();
  } catch (error) {
    $('code').textContent = '';
    showError(describe(error));
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
    showError(describe(error));
  } finally {
    busy = false;
  }
}

$('activate-button').addEventListener('click', () =>
  guarded(async () => {
    showError(null);
    const protocol = $<HTMLSelectElement>('protocol-select').value === '3' ? 3 : 4;
    const status = await token.activate({
      serverUrl: window.location.origin,
      applicationId: application,
      activationCode: $<HTMLInputElement>('activation-code-input').value.trim(),
      pin: $<HTMLInputElement>('pin-input').value,
      protocol,
      enableBiometry: $<HTMLInputElement>('enable-biometry').checked,
    });
    $<HTMLInputElement>('pin-input').value = '';
    renderStatus(status);
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

$('reset-button').addEventListener('click', () =>
  guarded(async () => {
    await token.reset();
    scanned = null;
    renderOperation(null, null);
    $('code').textContent = '';
    $<HTMLTextAreaElement>('qr-input').value = '';
    showError(null);
    renderStatus(null);
  }),
);

guarded(async () => {
  await refreshStatus();
}).finally(() => {
  document.body.dataset.ready = 'true';
});
