import { SshWrapError } from '../errors/index.js';

/**
 * The key list of an options interface, checked by the compiler in both directions: a key
 * missing from the list, or a key the interface does not have, is a type error. So the runtime
 * check of {@link assertKnownOptions} can never drift from the documented type.
 *
 * @example
 * ```ts
 * const KEYS = optionKeys<{ a?: number; b?: string }>()({ a: true, b: true }); // ['a', 'b']
 * ```
 */
export function optionKeys<T>() {
  return <const K extends { [P in keyof Required<T>]: true }>(keys: K & Record<Exclude<keyof K, keyof T>, never>): readonly (keyof T & string)[] =>
    Object.freeze(Object.keys(keys)) as readonly (keyof T & string)[];
}

// Plain Levenshtein distance; option names are short, so the quadratic table is a few hundred cells.
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * The known key closest to `key` (case-insensitive edit distance; a name that is a prefix of the
 * other counts as one edit), when it is close enough to be a likely typo: at most a third of the
 * longer name, and at least one edit allowed.
 *
 * @example
 * ```ts
 * closestKey('promptArg', ['promptArgs', 'prompt']); // 'promptArgs'
 * ```
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { candidate: string; score: number; edits: number } | undefined;
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    const edits = distance(lower, other);
    // A truncated or extended name (customEnv, promptArg) means the longer one, whatever the edit
    // count; among several, the fewest real edits wins.
    const score = other.startsWith(lower) || lower.startsWith(other) ? Math.min(1, edits) : edits;
    if (!best || score < best.score || (score === best.score && edits < best.edits)) best = { candidate, score, edits };
  }
  if (!best) return undefined;
  return best.score <= Math.max(1, Math.floor(Math.max(key.length, best.candidate.length) / 3)) ? best.candidate : undefined;
}

/**
 * Refuses an options object (code, not stored data) with a key the library does not implement:
 * a misspelt or unsupported option would otherwise be silently ignored (an `images` option that
 * never attaches anything). `undefined` values count as set: the key was still written.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` with `field` = the unknown key and, when one is close,
 *   "did you mean …?" in the message; also when `options` is not a plain object.
 * @example
 * ```ts
 * assertKnownOptions({ timeoutMS: 5 }, ['timeoutMs', 'signal'], 'runWithSsh options');
 * // SshWrapError INVALID_CONFIG: Unknown runWithSsh options key "timeoutMS" (did you mean timeoutMs?)
 * ```
 */
export function assertKnownOptions(options: unknown, known: readonly string[], subject: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new SshWrapError('INVALID_CONFIG', `${subject} must be an object`, { field: subject });
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const suggestion = closestKey(key, known);
    throw new SshWrapError('INVALID_CONFIG', `Unknown ${subject} key "${key}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}`, {
      field: key,
      hint: suggestion ? `Rename it to ${suggestion}.` : `Known keys: ${known.join(', ')}.`,
    });
  }
}

/**
 * Refuses a limit option (a time in ms, a byte count) that is not a finite number ≥ 0;
 * `undefined` means "not set" and passes.
 *
 * @throws {SshWrapError} `INVALID_CONFIG` with `field`.
 * @example
 * ```ts
 * assertNonNegative(-1, 'timeoutMs'); // SshWrapError INVALID_CONFIG: timeoutMs must be a non-negative number
 * ```
 */
export function assertNonNegative(value: number | undefined, field: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new SshWrapError('INVALID_CONFIG', `${field} must be a non-negative number`, { field });
  }
}
