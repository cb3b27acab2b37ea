/**
 * Server-rendered pages of the demo (server.md §7.1). Every interactive element carries its data-testid.
 * The text says machine values in words (./words.ts); the value itself is in a `data-value` attribute for
 * scripts and tests. Times are `<time>` elements, shown in the reader's locale by local-time.js.
 */
import { esc, type Html, html, layout, raw, timeHtml } from './html.js';
import type { OperationForm } from './operations.js';
import type { DemoOperation, DemoResult } from './store.js';
import { activationStatusWords, blockedReasonWords, factorWords } from './words.js';

/** An error a page shows: the message in words, the service's code (if any) in `data-code`. */
export interface PageError {
  message: string;
  code?: string;
}

const errorBlock = (error: PageError | null | undefined): Html =>
  error
    ? html`<p class="error" data-testid="error" role="alert"${raw(error.code ? ` data-code="${esc(error.code)}"` : '')}>${error.message}</p>`
    : html``;

export function homePage(application: string): string {
  return layout(
    'Home',
    html`<section>
  <h1>Welcome to the Offcode demo bank</h1>
  <p>This demo plays a bank's internet banking around the Offcode server: you approve payments with codes
    from a token that works offline. Demo application: <strong data-testid="demo-application">${application}</strong>.</p>
  <ol>
    <li><a data-testid="enrol-link" href="/demo/enrol">Enrol a token</a>: the bank creates an activation and shows its QR code.</li>
    <li><a data-testid="token-link" href="/demo/token">Open the software token</a>: activate it with that QR code and a PIN.</li>
    <li><a data-testid="new-operation-link" href="/demo/operation/new">Create a payment</a>: scan its QR code with the token and type the code it shows.</li>
  </ol>
</section>`,
  );
}

export function enrolFormPage(
  values: { userId?: string; protocolVersion?: string } = {},
  error?: PageError,
): string {
  const v = values.protocolVersion === '3' ? '3' : '4';
  return layout(
    'Enrol',
    html`<section>
  <h1>Enrol a token</h1>
  ${errorBlock(error)}
  <form method="post" action="/demo/enrol">
    <label for="userId">User ID</label>
    <input type="text" id="userId" name="userId" data-testid="user-id-input" value="${values.userId ?? 'alice'}" required maxlength="255">
    <label for="protocolVersion">Protocol version</label>
    <select id="protocolVersion" name="protocolVersion" data-testid="protocol-version-select">
      <option value="4"${raw(v === '4' ? ' selected' : '')}>V4 (KMAC-256, P-384): Offcode key exchange</option>
      <option value="3"${raw(v === '3' ? ' selected' : '')}>V3 (HMAC-SHA256, P-256): PowerAuth activation</option>
    </select>
    <button type="submit" data-testid="enrol-button">Create activation</button>
  </form>
</section>`,
  );
}

export interface EnrolResult {
  userId: string;
  protocolVersion: 3 | 4;
  activationId: string;
  activationCode: string;
  /** What the activation QR holds: PowerAuth's `CODE#SIGNATURE` (the code signed by the master key). */
  qrText: string;
  qrDataUri: string;
  application: string;
}

export function enrolResultPage(input: EnrolResult): string {
  const tokenHref = `/demo/token?code=${encodeURIComponent(input.qrText)}&protocol=${input.protocolVersion}`;
  const how =
    input.protocolVersion === 3
      ? 'V3: the token enrols like a PowerAuth mobile app (keystore and activation/create, ECIES-encrypted)'
      : 'V4: the token enrols through the Offcode key exchange';
  return layout(
    'Activation created',
    html`<section>
  <h1>Your activation is ready</h1>
  <p>Scan this QR code with the software token (or open it with the button below), choose a PIN and activate.</p>
  <div class="row">
    <div class="qr"><img data-testid="activation-qr" alt="activation QR code" src="${input.qrDataUri}"></div>
    <dl>
      <dt>User</dt><dd data-testid="user-id">${input.userId}</dd>
      <dt>Application</dt><dd>${input.application}</dd>
      <dt>Protocol</dt><dd data-testid="protocol-version" data-value="${input.protocolVersion}">${how}</dd>
      <dt>Activation code</dt><dd class="code" data-testid="activation-code">${input.activationCode}</dd>
      <dt>Activation ID</dt><dd data-testid="activation-id">${input.activationId}</dd>
    </dl>
  </div>
  <p class="muted">The QR code holds the activation code and its signature by the bank's master key, as PowerAuth apps read it:</p>
  <pre data-testid="activation-qr-text">${input.qrText}</pre>
  <a class="button" data-testid="token-link" href="${tokenHref}">Open the software token</a>
  <a class="button secondary" data-testid="activation-link" href="/demo/activation/${input.activationId}">See this token at the bank</a>
</section>`,
  );
}

export function operationFormPage(
  values: Partial<Record<keyof OperationForm, string | boolean>> = {},
  error?: PageError,
): string {
  const s = (k: keyof OperationForm, d: string): string =>
    typeof values[k] === 'string' ? (values[k] as string) : d;
  const checked = (k: keyof OperationForm): Html => raw(values[k] === true ? ' checked' : '');
  const kind = s('kind', 'personalized');
  const template = s('template', 'payment');
  return layout(
    'New operation',
    html`<section>
  <h1>New operation</h1>
  ${errorBlock(error)}
  <form method="post" action="/demo/operation">
    <label for="userId">User ID</label>
    <input type="text" id="userId" name="userId" data-testid="user-id-input" value="${s('userId', 'alice')}" required maxlength="255">
    <label for="template">Operation</label>
    <select id="template" name="template" data-testid="template-select">
      <option value="payment"${raw(template === 'payment' ? ' selected' : '')}>Payment</option>
      <option value="login"${raw(template === 'login' ? ' selected' : '')}>Login</option>
    </select>
    <label for="kind">Payload signature</label>
    <select id="kind" name="kind" data-testid="kind-select">
      <option value="personalized"${raw(kind === 'personalized' ? ' selected' : '')}>personalized (this activation's key)</option>
      <option value="non-personalized"${raw(kind === 'non-personalized' ? ' selected' : '')}>non-personalized (application master key)</option>
    </select>
    <div class="row">
      <div><label for="amount">Amount</label><input type="text" id="amount" name="amount" data-testid="amount-input" value="${s('amount', '100')}"></div>
      <div><label for="currency">Currency</label><input type="text" id="currency" name="currency" data-testid="currency-input" value="${s('currency', 'EUR')}" maxlength="3"></div>
    </div>
    <label for="iban">IBAN</label>
    <input type="text" id="iban" name="iban" data-testid="iban-input" value="${s('iban', 'CZ2730300000001165254011')}">
    <label for="note">Note</label>
    <input type="text" id="note" name="note" data-testid="note-input" value="${s('note', '')}">
    <p>
      <label class="inline"><input type="checkbox" name="allowBiometry" value="true" data-testid="allow-biometry"${checked('allowBiometry')}> allow biometry</label>
      <label class="inline"><input type="checkbox" name="proximity" value="true" data-testid="proximity"${checked('proximity')}> proximity check (TOTP in the QR)</label>
    </p>
    <button type="submit" data-testid="create-operation">Create operation</button>
  </form>
</section>`,
  );
}

const OPERATION_STATUS_WORDS: Record<DemoOperation['status'], string> = {
  PENDING: 'Waiting for your code',
  APPROVED: 'Approved',
};

/**
 * Whether nothing more can be done with the operation: approved, already approved elsewhere, expired, or its
 * activation blocked. Such an operation shows its outcome, never the code form again.
 */
export function isFinished(op: DemoOperation): boolean {
  const r = op.lastResult;
  return (
    op.status === 'APPROVED' ||
    r?.result === 'ALREADY_APPROVED' ||
    r?.result === 'EXPIRED' ||
    r?.activationStatus === 'BLOCKED'
  );
}

function operationSummary(op: DemoOperation): Html {
  return html`<dl>
    <dt>Operation ID</dt><dd data-testid="operation-id">${op.operationId}</dd>
    <dt>User</dt><dd>${op.userId}</dd>
    <dt>Protocol</dt><dd data-testid="operation-protocol">V${op.protocolVersion}</dd>
    <dt>Signed with</dt><dd data-testid="operation-kind" data-value="${op.kind}">${op.kind === 'personalized' ? "your token's key" : "the bank's key"}</dd>
    <dt>Status</dt><dd data-testid="operation-status" data-value="${op.status}">${OPERATION_STATUS_WORDS[op.status]}</dd>
    <dt>Approve with</dt><dd>${op.allowBiometry ? 'PIN or biometry' : 'PIN'}${op.proximitySeed ? ', proximity check' : ''}</dd>
    <dt>Created</dt><dd>${timeHtml(op.createdAt.toISOString(), 'operation-created')}</dd>
    ${op.expiresAt ? html`<dt>Expires</dt><dd>${timeHtml(op.expiresAt.toISOString(), 'operation-expires')}</dd>` : html``}
  </dl>`;
}

export function operationPage(
  op: DemoOperation,
  options: { error?: PageError; notice?: string; typed?: string } = {},
): string {
  const digits = op.componentLength * 2;
  return layout(
    'Operation',
    html`<section>
  <h1>${op.title}</h1>
  <p data-testid="operation-message">${op.message}</p>
  ${operationSummary(op)}
  ${options.notice ? html`<p class="muted" data-testid="notice">${options.notice}</p>` : html``}
</section>
<section>
  <div class="row">
    <div class="qr"><img data-testid="qr-image" alt="operation QR code" src="/demo/operation/${op.id}/qr.svg"></div>
    <div>
      <h2>Scan with the token</h2>
      <p class="muted">Scan the QR code with the token (or paste its text on the <a href="/demo/token" target="_blank">software token</a> page), enter your PIN and type the code shown.</p>
      <p class="muted"><a href="/demo/operation/${op.id}/qr.png" data-testid="qr-png-link">PNG</a> · <a href="/demo/operation/${op.id}.json">JSON</a></p>
    </div>
  </div>
  <h2>QR text</h2>
  <pre data-testid="qr-text">${op.offlineData}</pre>
</section>
<section>
  <h2>Enter the code</h2>
  ${errorBlock(options.error)}
  <form method="post" action="/demo/operation/${op.id}/verify">
    <label for="code">Code (${digits} digits, e.g. 1234-5678-9012-3456; spaces and dashes are fine)</label>
    <input type="text" id="code" name="code" data-testid="code-input" inputmode="numeric" autocomplete="one-time-code" value="${options.typed ?? ''}">
    <button type="submit" data-testid="verify-button">Verify</button>
  </form>
</section>`,
  );
}

interface Outcome {
  css: 'ok' | 'bad';
  heading: string;
  text: Html;
}

function outcomeOf(op: DemoOperation, result: DemoResult): Outcome {
  if (result.activationStatus === 'BLOCKED') {
    const until = result.blockExpiresAt
      ? html` until ${timeHtml(result.blockExpiresAt, 'block-expires-at')}`
      : html``;
    const why = blockedReasonWords(result.blockedReason) || 'blocked by the bank';
    return {
      css: 'bad',
      heading: 'Blocked',
      text: html`Your token is blocked${until} (${why}): this ${op.title.toLowerCase()} cannot be approved. Contact the bank to unblock it.`,
    };
  }
  switch (result.result) {
    case 'VALID':
      return {
        css: 'ok',
        heading: `${op.title} approved`,
        text: html`Approved with ${factorWords(result.matchedType) || 'your token'}.`,
      };
    case 'INVALID': {
      const n = result.remainingAttempts;
      const left = n === null ? '' : ` ${n} ${n === 1 ? 'attempt' : 'attempts'} remaining.`;
      return { css: 'bad', heading: 'Wrong code', text: html`The code is not valid.${left}` };
    }
    case 'ALREADY_APPROVED':
      return {
        css: 'ok',
        heading: 'Already approved',
        text: html`This ${op.title.toLowerCase()} was already approved.`,
      };
    case 'EXPIRED':
      return {
        css: 'bad',
        heading: 'Expired',
        text: html`The ${op.title.toLowerCase()} expired: create a new one.`,
      };
  }
}

/** The outcome of the last verification; `retry` only while the operation can still be approved. */
export function resultPage(op: DemoOperation, result: DemoResult): string {
  const o = outcomeOf(op, result);
  const retry = !isFinished(op);
  return layout(
    'Result',
    html`<section class="outcome outcome-${o.css}">
  <h1 class="${o.css}" data-testid="result" data-value="${result.result}">${o.heading}</h1>
  <p data-testid="result-text">${o.text}</p>
  <dl>
    <dt>Operation</dt><dd>${op.message}</dd>
    <dt>Operation ID</dt><dd>${op.operationId}</dd>
    ${result.verifiedAt ? html`<dt>Checked</dt><dd>${timeHtml(result.verifiedAt, 'verified-at')}</dd>` : html``}
    <dt>Token</dt><dd data-testid="activation-status" data-value="${result.activationStatus ?? ''}">${result.activationStatus ? activationStatusWords(result.activationStatus) : '–'}</dd>
    <dt>Attempts left</dt><dd data-testid="remaining-attempts">${result.remainingAttempts ?? '–'}</dd>
    ${result.blockedReason ? html`<dt>Blocked because</dt><dd data-testid="blocked-reason" data-value="${result.blockedReason}">${blockedReasonWords(result.blockedReason)}</dd>` : html``}
    ${result.matchedType ? html`<dt>Approved with</dt><dd data-testid="matched-type" data-value="${result.matchedType}">${factorWords(result.matchedType)}</dd>` : html``}
  </dl>
  ${retry ? html`<a class="button" data-testid="retry" href="/demo/operation/${op.id}">Try again</a>` : html``}
  <a class="button secondary" href="/demo/activation/${op.activationId}" data-testid="activation-link">Your token at the bank</a>
  <a class="button secondary" href="/demo/operation/new" data-testid="new-operation-link">New payment</a>
</section>`,
  );
}

/** The demo application's PowerAuth credentials, which a real mobile app has compiled in. */
export interface TokenPageConfig {
  application: string;
  applicationKey: string;
  applicationSecret: string;
  masterPublicKeyP256: string;
  masterPublicKeyP384: string;
}

function tokenPageAttributes(c: TokenPageConfig): Html {
  return raw(
    ` data-application="${esc(c.application)}" data-application-key="${esc(c.applicationKey)}"` +
      ` data-application-secret="${esc(c.applicationSecret)}" data-master-key-p256="${esc(c.masterPublicKeyP256)}"` +
      ` data-master-key-p384="${esc(c.masterPublicKeyP384)}"`,
  );
}

export function tokenPage(config: TokenPageConfig, values: { code?: string; protocol?: string }): string {
  const protocol = values.protocol === '3' ? '3' : '4';
  return layout(
    'Software token',
    html`<section>
  <h1>Software token</h1>
  <p class="muted">A token running <code>@offcode/client</code> in this browser, as a phone app would; the PIN is never stored.
    A real PowerAuth mobile app has the application key, secret and master public key compiled in: this page takes them from the demo application's configuration.</p>
  <dl>
    <dt>Status</dt><dd><strong data-testid="token-status" data-status="">Not activated</strong> <span class="muted note" data-testid="token-status-note"></span></dd>
    <dt>Checked with the bank</dt><dd data-testid="token-status-checked">–</dd>
    <dt>Activation ID</dt><dd data-testid="token-activation-id">–</dd>
    <dt>Enrolment</dt><dd data-testid="token-protocol">–</dd>
  </dl>
  <button type="button" class="secondary" data-testid="refresh-status" disabled>Check status with the bank</button>
  <p class="error" data-testid="error" role="alert" hidden></p>
  <p class="ok" data-testid="message" role="status" hidden></p>
  <noscript><p class="error">The software token needs JavaScript.</p></noscript>
</section>
<section id="activate-section">
  <h2>Activate</h2>
  <label for="activation-code">Activation code or the text of the activation QR code</label>
  <input type="text" id="activation-code" data-testid="activation-code-input" value="${values.code ?? ''}" autocomplete="off" spellcheck="false">
  <label for="activation-qr-file">…or a picture of the activation QR code</label>
  <input type="file" id="activation-qr-file" data-testid="activation-qr-file" accept="image/*">
  <label for="protocol">Protocol version</label>
  <select id="protocol" data-testid="protocol-select">
    <option value="4"${raw(protocol === '4' ? ' selected' : '')}>V4: Offcode key exchange</option>
    <option value="3"${raw(protocol === '3' ? ' selected' : '')}>V3: PowerAuth activation</option>
  </select>
  <label for="pin">PIN (4 to 64 characters)</label>
  <input type="password" id="pin" data-testid="pin-input" autocomplete="new-password">
  <p><label class="inline"><input type="checkbox" data-testid="enable-biometry" checked> enable biometry (simulated: the key is kept in this browser)</label></p>
  <button type="button" data-testid="activate-button" disabled>Activate</button>
</section>
<section id="approve-section">
  <h2>Approve an operation</h2>
  <label for="qr-input">QR text</label>
  <textarea id="qr-input" data-testid="qr-input" spellcheck="false" placeholder="paste the QR text here"></textarea>
  <label for="qr-file">…or a QR image (PNG, SVG, JPEG)</label>
  <input type="file" id="qr-file" data-testid="qr-file" accept="image/*">
  <button type="button" class="secondary" data-testid="scan-button" disabled>Check QR</button>
  <div id="operation" hidden>
    <h2 data-testid="operation-title"></h2>
    <p data-testid="operation-message"></p>
    <dl data-testid="operation-fields"></dl>
    <p>Signature: <strong data-testid="qr-signature-status" data-value=""></strong></p>
    <label for="approve-pin">PIN</label>
    <input type="password" id="approve-pin" data-testid="approve-pin" autocomplete="current-password">
    <button type="button" data-testid="approve-button" disabled>Approve with PIN</button>
    <button type="button" class="secondary" data-testid="approve-biometry" disabled>Approve with biometry</button>
  </div>
  <p>Code: <span class="code" data-testid="code"></span></p>
</section>
<section id="manage-section">
  <h2>This token</h2>
  <div id="remove-box" hidden>
    <p class="muted">Removing tells the bank to stop accepting this token (a request signed with your PIN), then deletes it from this browser.</p>
    <label for="remove-pin">PIN</label>
    <input type="password" id="remove-pin" data-testid="remove-pin" autocomplete="current-password">
    <button type="button" class="danger" data-testid="remove-button">Remove this token</button>
  </div>
  <p class="muted">Resetting deletes the token from this browser only; the bank keeps its activation.</p>
  <button type="button" class="secondary" data-testid="reset-button">Reset the token</button>
</section>`,
    { script: '/demo/assets/token.js', bodyAttributes: tokenPageAttributes(config) },
  );
}

/** The activation as the bank's back office sees it (`GET /demo/activation/{id}`). */
export interface ActivationView {
  activationId: string;
  activationStatus: string;
  blockedReason: string | null;
  userId: string;
  applicationId: string | null;
  protocolVersion: number | null;
  failedAttempts: number | null;
  maxFailedAttempts: number | null;
  timestampCreated: string | null;
  timestampLastUsed: string | null;
  timestampLastChange: string | null;
}

const STATUS_NOTE: Record<string, string> = {
  CREATED: 'Waiting for the token to activate with the QR code.',
  PENDING_COMMIT: 'The token has activated; the bank has not confirmed it yet.',
  ACTIVE: 'The bank accepts codes from this token.',
  BLOCKED: 'The bank refuses codes from this token until it is unblocked.',
  REMOVED: 'The token was removed: the bank no longer accepts its codes.',
};

export function activationPage(a: ActivationView): string {
  const when = (iso: string | null, testId: string): Html => (iso ? timeHtml(iso, testId) : html`–`);
  const blocked = a.activationStatus === 'BLOCKED' && a.blockedReason;
  return layout(
    'Token at the bank',
    html`<section class="outcome ${a.activationStatus === 'ACTIVE' ? 'outcome-ok' : a.activationStatus === 'REMOVED' || a.activationStatus === 'BLOCKED' ? 'outcome-bad' : ''}">
  <h1>Token of ${a.userId}: <span data-testid="activation-status" data-value="${a.activationStatus}">${activationStatusWords(a.activationStatus)}</span></h1>
  <p data-testid="activation-note">${STATUS_NOTE[a.activationStatus] ?? ''}${blocked ? ` Reason: ${blockedReasonWords(a.blockedReason)}.` : ''}</p>
  <dl>
    <dt>Activation ID</dt><dd data-testid="activation-id">${a.activationId}</dd>
    <dt>Application</dt><dd>${a.applicationId ?? '–'}</dd>
    <dt>Protocol</dt><dd>${a.protocolVersion ? `V${a.protocolVersion}` : 'not chosen yet'}</dd>
    <dt>Wrong codes</dt><dd data-testid="failed-attempts">${a.failedAttempts ?? 0} of ${a.maxFailedAttempts ?? '–'}</dd>
    <dt>Created</dt><dd>${when(a.timestampCreated, 'activation-created')}</dd>
    <dt>Last used</dt><dd>${when(a.timestampLastUsed, 'activation-last-used')}</dd>
    <dt>Last change</dt><dd>${when(a.timestampLastChange, 'activation-last-change')}</dd>
  </dl>
  <a class="button secondary" href="/demo/activation/${a.activationId}" data-testid="activation-reload">Reload</a>
  <a class="button secondary" href="/demo/operation/new">New payment</a>
</section>`,
  );
}

export function demoErrorPage(message: string, status: number): string {
  return layout(
    'Error',
    html`<section><h1>${status === 404 ? 'Not found' : 'Something went wrong'}</h1><p class="error" data-testid="error" data-status="${status}">${message}</p><a class="button" href="/demo">Back</a></section>`,
  );
}
