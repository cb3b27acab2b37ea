/**
 * Settings declarations (server.md §4): one declaration per environment setting — name, kind (type and range),
 * default, meaning, whether it is secret, which layer owns it — drives the parsing, the validation, the one-line
 * error messages and the generated reference table (docs/settings.md).
 *
 * A small typed table rather than a schema library: the messages are part of the contract (one line naming the
 * setting, `config: NAME must be …, got "…"`, secrets never echoed), the reference table needs each kind's
 * description next to its rule, and the kinds are few (integer range, decimal, bool, enum, subset list, key,
 * text rule, list). A schema library would need the same metadata beside every schema and a message mapper.
 */

/** One problem of a value: the rule it breaks and, when not the whole value, the part that breaks it. */
export interface SettingProblem {
  /** `must be an integer in 1..64`, `item 2 must be Base64 of exactly 32 bytes`. */
  rule: string;
  /** The offending part (a list item); default the whole value. Never shown for a secret setting. */
  part?: string;
}

export type SettingParse<T> = { ok: true; value: T } | { ok: false; problems: SettingProblem[] };

/** How a setting's text becomes a value. */
export interface SettingKind<T> {
  /** Type and range as the reference table writes it, e.g. `integer 1..64`. */
  readonly describe: string;
  parse(text: string): SettingParse<T>;
}

export interface SettingDeclaration<T> {
  /** The environment variable (`OFFCODE_LOOKAHEAD`). */
  readonly name: string;
  readonly kind: SettingKind<T>;
  readonly default: T;
  /** The default as the reference table writes it (derived from `default` when not given). */
  readonly defaultText: string;
  /** What it does, one sentence for the reference table (Markdown). */
  readonly meaning: string;
  /** Secret values are never echoed in messages. */
  readonly secret: boolean;
  /** The package that reads it (`@offcode/server`, `@offcode/api`). */
  readonly owner: string;
  /** Other variables read when `name` is not set (`PORT` for `OFFCODE_PORT`). */
  readonly aliases: readonly string[];
  /** An empty value means "not set" (keys, URLs, credential lists). */
  readonly emptyIsUnset: boolean;
}

export interface SettingInit<T, D> {
  name: string;
  kind: SettingKind<T>;
  default: D;
  defaultText?: string;
  meaning: string;
  secret?: boolean;
  owner: string;
  aliases?: readonly string[];
  emptyIsUnset?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: a table holds declarations of every value type
export type SettingsTable = Readonly<Record<string, SettingDeclaration<any>>>;

/** The parsed values of a table, by key. */
export type SettingsValues<S extends SettingsTable> = {
  -readonly [K in keyof S]: S[K] extends SettingDeclaration<infer T> ? T : never;
};

/** Values may be strings (environment) or already typed (an options object with the same names). */
export type ConfigInput = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

/** Longest value quoted back in a message. */
const MAX_ECHO = 40;

function formatDefault(value: unknown): string {
  if (value === null || value === undefined) return 'unset';
  if (value === '') return 'empty';
  if (Array.isArray(value)) return value.length === 0 ? 'unset' : `\`${value.join(',')}\``;
  return `\`${String(value)}\``;
}

export function setting<T, D = T>(init: SettingInit<T, D>): SettingDeclaration<T | D> {
  return {
    name: init.name,
    kind: init.kind,
    default: init.default,
    defaultText: init.defaultText ?? formatDefault(init.default),
    meaning: init.meaning,
    secret: init.secret ?? false,
    owner: init.owner,
    aliases: init.aliases ?? [],
    emptyIsUnset: init.emptyIsUnset ?? false,
  };
}

/** Keeps the keys and value types of a table (a plain object literal of `setting(…)` results). */
export const defineSettings = <S extends SettingsTable>(table: S): S => Object.freeze(table);

/** The text of a value from the environment or an options object; undefined when absent. */
export function rawSetting(env: ConfigInput, name: string): string | undefined {
  const v = env[name];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/**
 * `"value"` (cut at 40 characters; control characters, quotes and backslashes escaped as in JSON, so the message
 * stays one line) or, for a secret, `a value that is not shown`.
 */
export function echoValue(secret: boolean, value: string): string {
  if (secret) return 'a value that is not shown';
  if (value.length <= MAX_ECHO) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, MAX_ECHO)).slice(0, -1)}…"`;
}

/** The one error line format: `config: NAME must be …, got "…"`. */
export const settingError = (name: string, rule: string, shown: string): string =>
  `config: ${name} ${rule}, got ${shown}`;

/** The defaults of a table (fresh arrays, so a caller may change them). */
export function settingDefaults<S extends SettingsTable>(table: S): SettingsValues<S> {
  const values: Record<string, unknown> = {};
  for (const [key, declaration] of Object.entries(table)) {
    const d = declaration.default;
    values[key] = Array.isArray(d) ? [...d] : d;
  }
  return values as SettingsValues<S>;
}

export interface ParsedSettings<S extends SettingsTable> {
  /** Defaults filled in; a setting with an error holds its default. */
  values: SettingsValues<S>;
  /** Keys of the settings that were given (and valid): rules like "an explicit variable wins" need them. */
  given: ReadonlySet<keyof S>;
  /** One line per problem. */
  errors: string[];
}

/** Parses every setting of `table` from `env`. Never throws for bad values: each problem is one line. */
export function parseSettings<S extends SettingsTable>(table: S, env: ConfigInput): ParsedSettings<S> {
  const values = settingDefaults(table) as Record<string, unknown>;
  const given = new Set<keyof S>();
  const errors: string[] = [];
  for (const [key, declaration] of Object.entries(table)) {
    const source = [declaration.name, ...declaration.aliases].find((n) => rawSetting(env, n) !== undefined);
    const text = source === undefined ? undefined : rawSetting(env, source);
    if (text === undefined || (text === '' && declaration.emptyIsUnset)) continue;
    const parsed = declaration.kind.parse(text);
    if (parsed.ok) {
      values[key] = parsed.value;
      given.add(key);
      continue;
    }
    for (const problem of parsed.problems) {
      errors.push(
        settingError(declaration.name, problem.rule, echoValue(declaration.secret, problem.part ?? text)),
      );
    }
  }
  return { values: values as SettingsValues<S>, given, errors };
}

/** Every variable name a table reads (names and aliases). */
export const settingNames = (table: SettingsTable): string[] =>
  Object.values(table).flatMap((d) => [d.name, ...d.aliases]);
