/** Server-rendered pages of the demo (server.md §7.1). Every interactive element carries its data-testid. */
import { esc, type Html, html, layout, raw } from './html.js';
import type { OperationForm } from './operations.js';
import type { DemoOperation, DemoResult } from './store.js';

const errorBlock = (error: string | null | undefined): Html =>
  error ? html`<p class="error" data-testid="error" role="alert">${error}</p>` : html``;

export function homePage(application: string): string {
  return layout(
    'Home',
    html`<section>
  <h1>Intermediate web application</h1>
  <p>This demo plays the bank's web application around the Offcode server. Demo application:
    <strong data-testid="demo-application">${application}</strong>.</p>
  <ol>
    <li><a data-testid="enrol-link" href="/demo/enrol">Enrol a token</a>: create an activation and get its activation code.</li>
    <li><a data-testid="token-link" href="/demo/token">Open the software token</a>: activate it with that code and a PIN.</li>
    <li><a data-testid="new-operation-link" href="/demo/operation/new">Create an operation</a>: scan its QR code with the token and type the code it computes.</li>
  </ol>
</section>`,
  );
}

export function enrolFormPage(
  values: { userId?: string; protocolVersion?: string } = {},
  error?: string,
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
      <option value="4"${raw(v === '4' ? ' selected' : '')}>V4 (KMAC-256, P-384)</option>
      <option value="3"${raw(v === '3' ? ' selected' : '')}>V3 (HMAC-SHA256, P-256)</option>
    </select>
    <button type="submit" data-testid="enrol-button">Create activation</button>
  </form>
</section>`,
  );
}

export function enrolResultPage(input: {
  userId: string;
  protocolVersion: 3 | 4;
  activationId: string;
  activationCode: string;
  qrDataUri: string;
  application: string;
}): string {
  const tokenHref = `/demo/token?code=${encodeURIComponent(input.activationCode)}&protocol=${input.protocolVersion}`;
  return layout(
    'Activation created',
    html`<section>
  <h1>Activation created</h1>
  <div class="row">
    <dl>
      <dt>User</dt><dd data-testid="user-id">${input.userId}</dd>
      <dt>Application</dt><dd>${input.application}</dd>
      <dt>Protocol</dt><dd data-testid="protocol-version">V${input.protocolVersion}</dd>
      <dt>Activation ID</dt><dd data-testid="activation-id">${input.activationId}</dd>
      <dt>Activation code</dt><dd class="code" data-testid="activation-code">${input.activationCode}</dd>
    </dl>
    <div class="qr"><img data-testid="activation-qr" alt="activation QR code" src="${input.qrDataUri}"></div>
  </div>
  <p>Activate the software token with this code within the activation deadline, then create an operation.</p>
  <a class="button" data-testid="token-link" href="${tokenHref}">Open the software token</a>
</section>`,
  );
}

export function operationFormPage(
  values: Partial<Record<keyof OperationForm, string | boolean>> = {},
  error?: string,
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

export function operationPage(
  op: DemoOperation,
  options: { error?: string; notice?: string; typed?: string } = {},
): string {
  const digits = op.componentLength * 2;
  return layout(
    'Operation',
    html`<section>
  <h1>${op.title}</h1>
  <p data-testid="operation-message">${op.message}</p>
  <dl>
    <dt>Operation ID</dt><dd data-testid="operation-id">${op.operationId}</dd>
    <dt>User</dt><dd>${op.userId}</dd>
    <dt>Protocol</dt><dd data-testid="operation-protocol">V${op.protocolVersion}</dd>
    <dt>Payload</dt><dd data-testid="operation-kind">${op.kind}</dd>
    <dt>Status</dt><dd data-testid="operation-status">${op.status}</dd>
    <dt>Flags</dt><dd>${op.allowBiometry ? 'biometry allowed' : 'PIN only'}${op.proximitySeed ? ', proximity check' : ''}</dd>
    ${op.expiresAt ? html`<dt>Expires</dt><dd>${op.expiresAt.toISOString()}</dd>` : html``}
  </dl>
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

const RESULT_TEXT: Record<DemoResult['result'], { text: string; css: string }> = {
  VALID: { text: 'Approved: the code is valid.', css: 'ok' },
  INVALID: { text: 'Rejected: the code is not valid.', css: 'bad' },
  ALREADY_APPROVED: { text: 'This operation was already approved.', css: 'ok' },
  EXPIRED: { text: 'The operation expired: create a new one.', css: 'bad' },
};

function resultSentence(result: DemoResult, blocked: boolean, text: string): string {
  if (blocked) return 'Blocked: too many wrong codes, the activation is blocked (0 attempts remaining).';
  if (result.result === 'INVALID' && result.remainingAttempts !== null) {
    return `${text} ${result.remainingAttempts} ${result.remainingAttempts === 1 ? 'attempt' : 'attempts'} remaining.`;
  }
  return text;
}

export function resultPage(op: DemoOperation, result: DemoResult): string {
  const t = RESULT_TEXT[result.result];
  const blocked = result.activationStatus === 'BLOCKED';
  return layout(
    'Result',
    html`<section>
  <h1>${op.title}: <span class="${t.css}" data-testid="result">${result.result}</span></h1>
  <p class="${t.css}" data-testid="result-text">${resultSentence(result, blocked, t.text)}</p>
  <dl>
    <dt>Operation ID</dt><dd>${op.operationId}</dd>
    <dt>Activation status</dt><dd data-testid="activation-status">${result.activationStatus ?? '–'}</dd>
    <dt>Remaining attempts</dt><dd data-testid="remaining-attempts">${result.remainingAttempts ?? '–'}</dd>
    <dt>Blocked reason</dt><dd data-testid="blocked-reason">${result.blockedReason ?? '–'}</dd>
    ${result.blockExpiresAt ? html`<dt>Block expires</dt><dd data-testid="block-expires-at">${result.blockExpiresAt}</dd>` : html``}
    <dt>Matched type</dt><dd data-testid="matched-type">${result.matchedType ?? '–'}</dd>
  </dl>
  ${op.status === 'PENDING' ? html`<a class="button" data-testid="retry" href="/demo/operation/${op.id}">Try again</a>` : html``}
  <a class="button secondary" href="/demo/operation/new" data-testid="new-operation-link">New operation</a>
</section>`,
  );
}

export function tokenPage(application: string, values: { code?: string; protocol?: string }): string {
  const protocol = values.protocol === '3' ? '3' : '4';
  return layout(
    'Software token',
    html`<section>
  <h1>Software token</h1>
  <p class="muted">A token running <code>@offcode/client</code> in this browser. Its state lives in <code>localStorage</code> (<code>offcode.token.v1</code>); the PIN is never stored.</p>
  <p>Status: <strong data-testid="token-status">NOT_ACTIVATED</strong> <span class="muted" data-testid="token-activation-id"></span> <span class="muted" data-testid="token-protocol"></span></p>
  <p class="error" data-testid="error" role="alert" hidden></p>
  <noscript><p class="error">The software token needs JavaScript.</p></noscript>
</section>
<section id="activate-section">
  <h2>Activate</h2>
  <label for="activation-code">Activation code</label>
  <input type="text" id="activation-code" data-testid="activation-code-input" value="${values.code ?? ''}" autocomplete="off" spellcheck="false">
  <label for="protocol">Protocol version</label>
  <select id="protocol" data-testid="protocol-select">
    <option value="4"${raw(protocol === '4' ? ' selected' : '')}>V4</option>
    <option value="3"${raw(protocol === '3' ? ' selected' : '')}>V3</option>
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
    <p>Signature: <strong data-testid="qr-signature-status"></strong></p>
    <label for="approve-pin">PIN</label>
    <input type="password" id="approve-pin" data-testid="approve-pin" autocomplete="current-password">
    <button type="button" data-testid="approve-button" disabled>Approve with PIN</button>
    <button type="button" class="secondary" data-testid="approve-biometry" disabled>Approve with biometry</button>
  </div>
  <p>Code: <span class="code" data-testid="code"></span></p>
</section>
<section>
  <button type="button" class="secondary" data-testid="reset-button">Reset the token</button>
</section>`,
    { script: '/demo/assets/token.js', bodyAttributes: raw(` data-application="${esc(application)}"`) },
  );
}

export function demoErrorPage(message: string, status: number): string {
  return layout(
    'Error',
    html`<section><h1>Error ${status}</h1><p class="error" data-testid="error">${message}</p><a class="button" href="/demo">Back</a></section>`,
  );
}
