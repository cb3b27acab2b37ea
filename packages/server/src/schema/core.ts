/**
 * A small schema language: one definition per request validates it (with the Jackson-style coercions of
 * server.md §1.1 and `path - reason` messages) and describes it as JSON Schema for OpenAPI 3.0.3.
 */
import { OffcodeError, type ValidationIssue } from '../errors.js';

/** JSON Schema (OpenAPI 3.0.3 dialect) as a plain object. */
export type JsonSchema = { [key: string]: unknown };

export interface ParseContext {
  issues: ValidationIssue[];
}

/** Marker for "this value is invalid, an issue was recorded". */
export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

export interface Schema<T> {
  /** Parses a present (non-null, non-undefined) value at `path`; records issues and returns INVALID on failure. */
  parse(value: unknown, path: string, ctx: ParseContext): T | Invalid;
  /** JSON Schema of the accepted input. */
  json(): JsonSchema;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** A field of an object schema: required, or optional with an optional default. */
export interface FieldDef<T, Opt extends boolean = boolean> {
  schema: Schema<T>;
  optional: Opt;
  defaultValue?: T;
  description?: string;
  /** Treat an empty or whitespace-only string as absent (`nonce`). */
  blankIsAbsent?: boolean;
}

export function required<T>(schema: Schema<T>, description?: string): FieldDef<T, false> {
  return { schema, optional: false, ...(description ? { description } : {}) };
}

export function optional<T>(
  schema: Schema<T>,
  options: { description?: string; blankIsAbsent?: boolean } = {},
): FieldDef<T, true> {
  return { schema, optional: true, ...options };
}

export function withDefault<T>(schema: Schema<T>, defaultValue: T, description?: string): FieldDef<T, false> {
  return {
    schema,
    optional: true as unknown as false,
    defaultValue,
    ...(description ? { description } : {}),
  };
}

type Fields = Record<string, FieldDef<unknown>>;
type FieldValue<F> = F extends FieldDef<infer T, infer O> ? (O extends true ? T | undefined : T) : never;
export type ObjectOf<F extends Fields> = { [K in keyof F]: FieldValue<F[K]> };

export const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

function issue(ctx: ParseContext, path: string, reason: string): Invalid {
  ctx.issues.push({ field: path === '' ? 'requestObject' : path, reason });
  return INVALID;
}

export { issue as addIssue };

export interface ObjectOptions<F extends Fields> {
  /** Properties that must not be present (rejected instead of silently ignored, server.md §1.1). */
  forbidden?: readonly string[];
  /** Cross-field checks after the fields parsed (only when every field was valid). */
  refine?: (value: ObjectOf<F>, raw: Record<string, unknown>, path: string, ctx: ParseContext) => void;
  description?: string;
}

const DANGEROUS_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface ObjectSchema<F extends Fields> extends Schema<ObjectOf<F>> {
  readonly fields: F;
}

export function object<F extends Fields>(fields: F, options: ObjectOptions<F> = {}): ObjectSchema<F> {
  return {
    fields,
    parse(value, path, ctx) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return issue(ctx, path, 'must be an object');
      }
      const raw = value as Record<string, unknown>;
      const before = ctx.issues.length;
      for (const key of Object.keys(raw)) {
        if (DANGEROUS_KEYS.has(key)) issue(ctx, join(path, key), 'is not allowed');
      }
      for (const key of options.forbidden ?? []) {
        if (Object.hasOwn(raw, key) && raw[key] !== undefined && raw[key] !== null) {
          issue(ctx, join(path, key), 'is not supported by this method');
        }
      }
      const out: Record<string, unknown> = {};
      for (const [key, def] of Object.entries(fields)) {
        const fieldPath = join(path, key);
        let v = Object.hasOwn(raw, key) ? raw[key] : undefined;
        if (def.blankIsAbsent && typeof v === 'string' && v.trim() === '') v = undefined;
        if (v === undefined || v === null) {
          if (!def.optional) issue(ctx, fieldPath, 'is required');
          else out[key] = def.defaultValue;
          continue;
        }
        const parsed = def.schema.parse(v, fieldPath, ctx);
        if (parsed !== INVALID) out[key] = parsed;
      }
      if (ctx.issues.length !== before) return INVALID;
      const result = out as ObjectOf<F>;
      options.refine?.(result, raw, path, ctx);
      return ctx.issues.length === before ? result : INVALID;
    },
    json() {
      const properties: Record<string, JsonSchema> = {};
      const requiredKeys: string[] = [];
      for (const [key, def] of Object.entries(fields)) {
        const s = def.schema.json();
        properties[key] = {
          ...s,
          ...(def.description ? { description: def.description } : {}),
          ...(def.defaultValue !== undefined ? { default: def.defaultValue } : {}),
          ...(def.optional ? { nullable: true } : {}),
        };
        if (!def.optional) requiredKeys.push(key);
      }
      return {
        type: 'object',
        ...(options.description ? { description: options.description } : {}),
        properties,
        ...(requiredKeys.length ? { required: requiredKeys } : {}),
      };
    },
  };
}

/** Parses a whole request object; throws OffcodeError ERR0024 listing every issue. */
export function parseRequest<T>(schema: Schema<T>, value: unknown): T {
  const ctx: ParseContext = { issues: [] };
  const parsed = schema.parse(value ?? {}, '', ctx);
  if (parsed === INVALID || ctx.issues.length > 0) {
    throw OffcodeError.invalid(
      ctx.issues.length ? ctx.issues : [{ field: 'requestObject', reason: 'is invalid' }],
    );
  }
  return parsed;
}
