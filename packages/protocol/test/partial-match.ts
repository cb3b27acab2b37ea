/**
 * The conformance rule of payload-cases.json: every key present in `expected` must be deep-equal (null
 * included), arrays must have the same length and match element by element with the same rule.
 */
export function partialMismatch(actual: unknown, expected: unknown, path = '$'): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array`;
    if (actual.length !== expected.length) return `${path}: length ${actual.length} != ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const m = partialMismatch(actual[i], expected[i], `${path}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return `${path}: expected an object`;
    for (const [key, value] of Object.entries(expected)) {
      if (!(key in actual)) return `${path}.${key}: missing`;
      const m = partialMismatch((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
      if (m) return m;
    }
    return null;
  }
  return Object.is(actual, expected)
    ? null
    : `${path}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`;
}
