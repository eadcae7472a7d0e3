import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStatusMarkerStripper, randomMarkerToken, StatusMarkerParser, type StatusMarker } from '../../src/exec/index.js';
import { markerLine, type RemoteScriptEvent } from '../../src/wrap/index.js';

const TOKEN = 'swm_0123456789abcdef';

function run(chunks: readonly Buffer[], token = TOKEN): { out: Buffer; markers: StatusMarker[] } {
  const out: Buffer[] = [];
  const markers: StatusMarker[] = [];
  const parser = new StatusMarkerParser(token, { onData: (b) => out.push(b), onMarker: (m) => markers.push(m) });
  for (const chunk of chunks) parser.write(chunk);
  parser.end();
  return { out: Buffer.concat(out), markers };
}

/** Splits bytes at the given cut points (sorted, deduplicated, inside the buffer). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    parts.push(bytes.subarray(from, point));
    from = point;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

const markerArb: fc.Arbitrary<{ event: RemoteScriptEvent; value?: number }> = fc.oneof(
  fc.constantFrom<RemoteScriptEvent>('started', 'cwd-missing', 'not-found', 'stdin-missing', 'login-timeout', 'login-failed').map((event) => ({ event })),
  fc.record({ event: fc.constantFrom<RemoteScriptEvent>('pid', 'exit'), value: fc.integer({ min: 0, max: 4_000_000 }) }),
);
// Output that is hostile to the parser: newlines, token fragments and look-alike markers.
const noiseArb = fc.array(
  fc.oneof(
    fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
    fc.constantFrom('\n', `\n${TOKEN}`, `${TOKEN}:started\n`, `\n${TOKEN}:bogus\n`, `\n${TOKEN}:exit:\n`, '\nswm_', `\n${TOKEN.slice(0, 7)}`).map((s) => Buffer.from(s)),
  ),
  { maxLength: 8 },
).map((parts) => Buffer.concat(parts));

describe('StatusMarkerParser', () => {
  it('strips the exact lines markerLine() describes and reports them', () => {
    const input = `a${markerLine(TOKEN, 'pid', 42)}b${markerLine(TOKEN, 'started')}err\n${markerLine(TOKEN, 'exit', 3)}`;
    const { out, markers } = run([Buffer.from(input)]);
    expect(out.toString()).toBe('aberr\n');
    expect(markers).toEqual([{ event: 'pid', value: 42 }, { event: 'started' }, { event: 'exit', value: 3 }]);
  });

  it('leaves other tokens, unknown events and unterminated markers alone', () => {
    const other = markerLine('swm_other', 'started');
    const bogus = `\n${TOKEN}:exploded\n`;
    const tail = `\n${TOKEN}:exit:1`;
    expect(run([Buffer.from(other + bogus + tail)]).out.toString()).toBe(other + bogus + tail);
  });

  it('property: any chunking of noise + markers yields the noise byte-exact and the markers in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noiseArb, markerArb), { maxLength: 6 }),
        noiseArb,
        fc.array(fc.nat(), { maxLength: 12 }),
        (pairs, trailing, cuts) => {
          // A marker glued to noise ending in a token fragment is still a marker; what the parser
          // must guarantee is: removing exactly the marker lines gives back the noise.
          const expectedOut = Buffer.concat([...pairs.map(([noise]) => noise), trailing]);
          const stream = Buffer.concat([
            ...pairs.flatMap(([noise, m]) => [noise, Buffer.from(markerLine(TOKEN, m.event, m.value))]),
            trailing,
          ]);
          const whole = run([stream]);
          const chunked = run(split(stream, cuts));
          expect(chunked.out.equals(whole.out)).toBe(true);
          expect(chunked.markers).toEqual(whole.markers);
          // The generated markers are all found (the noise may add look-alikes only via valid lines).
          const real = pairs.map(([, m]) => m);
          expect(whole.markers.length).toBeGreaterThanOrEqual(real.length);
          if (!pairs.some(([noise]) => noise.includes(`${TOKEN}:`)) && !trailing.includes(`${TOKEN}:`)) {
            expect(whole.markers).toEqual(real.map((m) => (m.value === undefined ? { event: m.event } : m)));
            expect(whole.out.equals(expectedOut)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: with a random token, arbitrary bytes pass through unchanged under any chunking', () => {
    const token = randomMarkerToken();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
        const input = Buffer.from(bytes);
        const { out, markers } = run(split(input, cuts), token);
        expect(out.equals(input)).toBe(true);
        expect(markers).toEqual([]);
      }),
    );
  });

  it('one byte at a time', () => {
    const input = Buffer.from(`x\n${markerLine(TOKEN, 'pid', 7)}${markerLine(TOKEN, 'started')}y`);
    const { out, markers } = run([...input].map((b) => Buffer.from([b])));
    expect(out.toString()).toBe('x\ny');
    expect(markers.map((m) => m.event)).toEqual(['pid', 'started']);
  });

  it('rejects tokens the remote script would refuse', () => {
    expect(() => new StatusMarkerParser('bad token', { onData: () => {} })).toThrow(TypeError);
  });

  it('randomMarkerToken is unique and well-formed', () => {
    const tokens = new Set(Array.from({ length: 100 }, randomMarkerToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('StatusMarkerParser: what counts as a marker', () => {
  it.each([
    ['a letter before the event', 'xpid:3'],
    ['a letter after the number', 'pid:3x'],
    ['a letter after the event', 'startedx'],
    ['no number', 'exit:'],
    ['a negative number', 'pid:-1'],
    ['11 digits', 'exit:12345678901'],
    ['a trailing space', 'started '],
    ['a CR before the newline', 'exit:0\r'],
  ])('a body with %s is ordinary output', (_, body) => {
    const line = `\n${TOKEN}:${body}\n`;
    expect(run([Buffer.from(`a${line}b`)])).toEqual({ out: Buffer.from(`a${line}b`), markers: [] });
  });

  it('the longest bodies remote-script.ts can write are markers, whole or split at any byte', () => {
    const input = Buffer.from(`a\n${TOKEN}:exit:9999999999\n\n${TOKEN}:pid:9999999999\n\n${TOKEN}:stdin-missing\nb`);
    const expected = { out: Buffer.from('ab'), markers: [{ event: 'exit', value: 9999999999 }, { event: 'pid', value: 9999999999 }, { event: 'stdin-missing' }] };
    expect(run([input])).toEqual(expected);
    for (let cut = 0; cut <= input.length; cut++) expect(run([input.subarray(0, cut), input.subarray(cut)])).toEqual(expected);
  });

  it('works without an onMarker handler', () => {
    const out: Buffer[] = [];
    const parser = new StatusMarkerParser(TOKEN, { onData: (b) => out.push(b) });
    parser.write(`a${markerLine(TOKEN, 'exit', 0)}b`);
    parser.end();
    expect(Buffer.concat(out).toString()).toBe('ab');
  });

  it('rejects a write after end, and a second end() emits nothing more', () => {
    const out: Buffer[] = [];
    const parser = new StatusMarkerParser(TOKEN, { onData: (b) => out.push(b) });
    parser.write(`a\n${TOKEN}:ex`);
    parser.end();
    parser.end();
    expect(Buffer.concat(out).toString()).toBe(`a\n${TOKEN}:ex`);
    expect(() => parser.write('late')).toThrow(/write after end/);
  });

  it('names the rule a bad token breaks', () => {
    expect(() => new StatusMarkerParser('tok:en', { onData: () => {} })).toThrow('marker token must match [A-Za-z0-9_-]+');
  });
});

describe('StatusMarkerParser: delivery latency', () => {
  // stderr carries prompts and progress: bytes that cannot belong to a marker must reach
  // onData from the write() that brought them, not wait for more input or for end().
  function writer() {
    const out: Buffer[] = [];
    const markers: StatusMarker[] = [];
    const parser = new StatusMarkerParser(TOKEN, { onData: (b) => out.push(b), onMarker: (m) => markers.push(m) });
    return { parser, markers, delivered: () => Buffer.concat(out).toString('latin1'), chunks: out };
  }
  const LONGEST_LINE = `\n${TOKEN}:exit:9999999999\n`;

  it('ordinary output is delivered at once', () => {
    const { parser, delivered } = writer();
    parser.write('Password: ');
    expect(delivered()).toBe('Password: ');
    parser.write(`x\n${TOKEN.slice(0, 2)}y`);
    expect(delivered()).toBe(`Password: x\n${TOKEN.slice(0, 2)}y`);
  });

  it('only a possible beginning of a marker is held back, until the next chunk decides', () => {
    const { parser, delivered, markers } = writer();
    parser.write(`out\n${TOKEN.slice(0, 5)}`);
    expect(delivered()).toBe('out');
    parser.write(`${TOKEN.slice(5)}:pid:12`);
    expect(delivered()).toBe('out');
    parser.write('3\nmore');
    expect(delivered()).toBe('outmore');
    expect(markers).toEqual([{ event: 'pid', value: 123 }]);
  });

  it('a would-be marker is released as soon as it is longer than any marker can be', () => {
    const { parser, delivered } = writer();
    const almost = LONGEST_LINE.slice(0, -1);
    parser.write(almost);
    expect(delivered()).toBe('');
    parser.write('9');
    expect(delivered()).toBe(`${almost}9`);
  });

  it('a line that starts like a marker but is too long is delivered at once', () => {
    const { parser, delivered } = writer();
    const line = `\n${TOKEN}:exit:1${' '.repeat(100)}\nafter`;
    parser.write(line);
    expect(delivered()).toBe(line);
  });

  it('property: never holds back a whole marker line, never delivers an empty chunk', () => {
    // Fragments that assemble into markers, near-markers and overlong lines, without leading
    // zeros so each marker's line length follows from its reported value.
    const fragment = fc.constantFrom('\n', `\n${TOKEN}:`, `\n${TOKEN.slice(0, 6)}`, 'exit:', 'pid:', 'started', '123', '9', 'x', ' ');
    fc.assert(
      fc.property(fc.array(fc.array(fragment, { maxLength: 6 }).map((parts) => parts.join('')), { maxLength: 12 }), (chunks) => {
        const { parser, delivered, markers, chunks: emitted } = writer();
        let written = 0;
        const markerBytes = () =>
          markers.reduce((sum, m) => sum + `\n${TOKEN}:${m.event}${m.value === undefined ? '' : `:${m.value}`}\n`.length, 0);
        for (const chunk of chunks) {
          parser.write(chunk);
          written += chunk.length;
          expect(written - delivered().length - markerBytes()).toBeLessThan(LONGEST_LINE.length);
        }
        parser.end();
        expect(written - delivered().length - markerBytes()).toBe(0);
        for (const chunk of emitted) expect(chunk.length).toBeGreaterThan(0);
      }),
      { numRuns: 500, seed: 0x5badc0de },
    );
  });
});

describe('createStatusMarkerStripper', () => {
  it('is a Transform that emits marker events', async () => {
    const stripper = createStatusMarkerStripper(TOKEN);
    const markers: StatusMarker[] = [];
    stripper.on('marker', (m: StatusMarker) => markers.push(m));
    const out: Buffer[] = [];
    stripper.on('data', (b: Buffer) => out.push(b));
    const done = new Promise((resolve) => stripper.on('end', resolve));
    const input = Buffer.from(`hello${markerLine(TOKEN, 'exit', 0)}`);
    stripper.write(input.subarray(0, 9));
    stripper.end(input.subarray(9));
    await done;
    expect(Buffer.concat(out).toString()).toBe('hello');
    expect(markers).toEqual([{ event: 'exit', value: 0 }]);
  });
});
