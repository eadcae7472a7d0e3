import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { assertKnownOptions, closestKey, optionKeys, parseSshRemoteConfig, parseSshSpawnWrapConfig, toSshWrapError } from '../../src/schemas/index.js';
import { assertSshPathOption, parseEnvRecord, parseWith } from '../../src/schemas/parse.js';
import { UNSAFE } from '../../src/schemas/fields.js';
import { refusal } from '../helpers/refusal.js';


describe('toSshWrapError', () => {
  it('names nested fields with dots and array indexes with brackets', () => {
    const schema = z.object({ a: z.array(z.object({ b: z.string() })) });
    const error = refusal(() => parseWith(schema, { a: [{ b: 'x' }, { b: 1 }] }, 'thing'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.field).toBe('a[1].b');
    expect(error.message).toMatch(/^Invalid thing: a\[1\]\.b: /);
    expect(refusal(() => parseWith(z.array(z.string()), ['x', 2], 'list', 'values')).field).toBe('values[1]');
    expect(refusal(() => parseWith(z.array(z.array(z.string())), [['x'], ['y', 3]], 'list')).field).toBe('[1][1]');
    expect(refusal(() => parseWith(z.object({ a: z.array(z.array(z.string())) }), { a: [['x', 1]] }, 'o')).field).toBe('a[0][1]');
  });

  it('a value that is not an object has no field unless a root names it, and reads "(root)"', () => {
    const error = refusal(() => parseSshRemoteConfig('gpu'));
    expect(error.field).toBeUndefined();
    expect(error.message).toMatch(/^Invalid SSH remote config: \(root\): /);
    expect(refusal(() => parseWith(z.string(), 5, 'value', 'the-field')).field).toBe('the-field');
  });

  it('lists every issue, and an UNSAFE one decides the code and field even when it is not first', () => {
    const error = refusal(() => parseSshSpawnWrapConfig({ command: '', cwd: '/', args: ['ok', 'a\u0000'] }));
    expect(error.code).toBe('UNSAFE_ARGUMENT');
    expect(error.field).toBe('args[1]');
    expect(error.message).toBe('Invalid spawn config: command: command must not be empty; args[1]: args[] must not contain a NUL byte');
    expect(error.cause).toBeInstanceOf(z.ZodError);
  });

  it('only custom issues flagged UNSAFE count as unsafe', () => {
    const schema = z.object({
      a: z.string().refine(() => false, { message: 'plain custom' }),
      b: z.string().refine(() => false, { message: 'other flag', params: { sshwrapCode: 'SOMETHING_ELSE' } }),
    });
    const error = refusal(() => parseWith(schema, { a: 'x', b: 'y' }, 'o'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.field).toBe('a');
    const unsafe = refusal(() => parseWith(z.object({ a: z.number(), b: z.string().refine(() => false, { message: 'bad', params: UNSAFE }) }), { a: 'x', b: 'y' }, 'o'));
    expect(unsafe.code).toBe('UNSAFE_ARGUMENT');
    expect(unsafe.field).toBe('b');
  });

  it('names unknown keys of a strict object, with the likely intended key', () => {
    const one = refusal(() => parseSshSpawnWrapConfig({ command: 'c', cwd: '/', promptArg: 'x' }));
    expect(one.code).toBe('INVALID_CONFIG');
    expect(one.field).toBe('promptArg');
    expect(one.message).toBe('Invalid spawn config: unknown key "promptArg" (did you mean promptArgs?)');
    const two = refusal(() => parseSshSpawnWrapConfig({ command: 'c', cwd: '/', images: [], customEnv: {} }));
    expect(two.field).toBe('images');
    expect(two.message).toBe('Invalid spawn config: unknown key "images"; unknown key "customEnv" (did you mean customEnvVars?)');
    const nested = refusal(() => parseWith(z.object({ inner: z.strictObject({ a: z.string() }) }), { inner: { a: 'x', b: 1 } }, 'o'));
    expect(nested.field).toBe('inner.b');
  });

  it('without known keys, suggests nothing', () => {
    const result = z.strictObject({ alpha: z.string() }).safeParse({ alpha: 'x', alphx: 1 });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(toSshWrapError(result.error, 's').message).toBe('Invalid s: unknown key "alphx"');
    expect(toSshWrapError(result.error, 's', undefined, () => ['alpha']).message).toBe('Invalid s: unknown key "alphx" (did you mean alpha?)');
  });
});

describe('parseEnvRecord', () => {
  it('returns the map and names the label in errors', () => {
    expect(parseEnvRecord({ A: '1' }, 'secretEnv')).toEqual({ A: '1' });
    const error = refusal(() => parseEnvRecord({ 'A B': '1' }, 'lbl'));
    expect(error.field).toBe('lbl.A B');
    expect(error.message).toBe('Invalid lbl: lbl.A B: lbl: variable names must match [A-Za-z_][A-Za-z0-9_]*');
  });
});

describe('assertSshPathOption', () => {
  it('checks each option under its own name, however many there are', () => {
    for (let i = 0; i < 80; i++) {
      expect(() => assertSshPathOption('/ok', `opt${i}`)).not.toThrow();
      expect(refusal(() => assertSshPathOption('-x', `opt${i}`))).toMatchObject({ code: 'UNSAFE_ARGUMENT', field: `opt${i}` });
    }
  });
});

describe('closestKey', () => {
  it.each([
    ['abc', ['abd'], 'abd'],
    ['ab', ['xy'], undefined],
    ['ab', ['ax'], 'ax'],
    ['abcdef', ['abcxyz'], undefined],
    ['abcdef', ['abcdxy'], 'abcdxy'],
    ['kitten', ['sitting'], undefined],
    ['kitten', ['sittin'], 'sittin'],
    ['ba', ['ab'], undefined],
    ['abc', ['bc'], 'bc'],
    ['abc', ['ab'], 'ab'],
    ['TIMEOUTMS', ['timeoutMs'], 'timeoutMs'],
    ['p', ['promptArgs'], 'promptArgs'],
    ['pro', ['promptArgs', 'prompt'], 'prompt'],
    ['abc', ['abd', 'abe'], 'abd'],
    ['abcd', ['abxy', 'abcx'], 'abcx'],
    ['longprefix', ['long'], 'long'],
    ['x', [], undefined],
    ['abcdefghi', ['abcdefghxzab'], 'abcdefghxzab'],
    ['abcdefghxzab', ['abcdefghi'], 'abcdefghi'],
    ['', ['a'], 'a'],
    ['xyzxyzxyzxyz', ['xyzxyzxyzabc'], 'xyzxyzxyzabc'],
    ['xyzxyzxyzxyz', ['xyzxyzxyabcd'], 'xyzxyzxyabcd'],
    ['xyzxyzxyzxyz', ['xyzxyzxabcde'], undefined],
  ] as const)('closestKey(%j, %j) = %j', (key, known, expected) => {
    expect(closestKey(key, known)).toBe(expected);
  });
});

describe('optionKeys', () => {
  it('lists the keys, frozen', () => {
    const keys = optionKeys<{ a?: number; b: string }>()({ a: true, b: true });
    expect(keys).toEqual(['a', 'b']);
    expect(Object.isFrozen(keys)).toBe(true);
  });
});

describe('assertKnownOptions', () => {
  it('accepts undefined and known keys, including ones set to undefined', () => {
    expect(() => assertKnownOptions(undefined, ['a'], 'opts')).not.toThrow();
    expect(() => assertKnownOptions({ a: undefined }, ['a'], 'opts')).not.toThrow();
    expect(() => assertKnownOptions({}, [], 'opts')).not.toThrow();
  });

  it.each([null, [], 'x', 5, true])('refuses %j: not an object', (options) => {
    const error = refusal(() => assertKnownOptions(options, ['a'], 'my options'));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.field).toBe('my options');
    expect(error.message).toBe('my options must be an object');
  });

  it('refuses an unknown key, suggesting the close one or listing the known ones', () => {
    const close = refusal(() => assertKnownOptions({ a: 1, timeoutMS: 5 }, ['a', 'timeoutMs', 'signal'], 'run options'));
    expect(close.code).toBe('INVALID_CONFIG');
    expect(close.field).toBe('timeoutMS');
    expect(close.message).toBe('Unknown run options key "timeoutMS" (did you mean timeoutMs?)');
    expect(close.hint).toBe('Rename it to timeoutMs.');
    const far = refusal(() => assertKnownOptions({ images: [] }, ['timeoutMs', 'signal'], 'run options'));
    expect(far.field).toBe('images');
    expect(far.message).toBe('Unknown run options key "images"');
    expect(far.hint).toBe('Known keys: timeoutMs, signal.');
  });
});
