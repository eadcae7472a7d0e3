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
  fc.constantFrom<RemoteScriptEvent>('started', 'cwd-missing', 'not-found', 'stdin-missing').map((event) => ({ event })),
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
