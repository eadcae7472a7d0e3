import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/pool/semaphore.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('never lets more than `limit` holders in, and serves everyone', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }), async (limit, work) => {
        const gate = new Semaphore(limit);
        let active = 0;
        let peak = 0;
        let done = 0;
        await Promise.all(
          work.map(async (ticks) => {
            await gate.acquire();
            active++;
            peak = Math.max(peak, active);
            for (let i = 0; i < ticks; i++) await tick();
            active--;
            done++;
            gate.release();
          }),
        );
        expect(peak).toBeLessThanOrEqual(limit);
        expect(done).toBe(work.length);
        expect(gate.active).toBe(0);
      }),
      { numRuns: 100 },
    );
  });

  it('serves waiters first-come first-served', async () => {
    const gate = new Semaphore(1);
    await gate.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => gate.acquire().then(() => order.push(n)));
    for (let i = 0; i < 3; i++) {
      gate.release();
      await tick();
    }
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
  });

  it('drops an aborted waiter without losing a permit', async () => {
    const gate = new Semaphore(1);
    await gate.acquire();
    const controller = new AbortController();
    const aborted = gate.acquire(controller.signal);
    const next = gate.acquire();
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(gate.waiting).toBe(1);
    gate.release();
    await next;
    expect(gate.active).toBe(1);
    gate.release();
    expect(gate.active).toBe(0);
  });

  it('rejects at once for an already aborted signal, and on double release', async () => {
    const gate = new Semaphore(2);
    await expect(gate.acquire(AbortSignal.abort())).rejects.toBeDefined();
    expect(gate.active).toBe(0);
    expect(() => gate.release()).toThrow();
  });

  it('wakes waiters when the limit is raised', async () => {
    const gate = new Semaphore(1);
    await gate.acquire();
    const waiter = gate.acquire();
    gate.limit = 2;
    await waiter;
    expect(gate.active).toBe(2);
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
