import { describe, expect, it } from 'vitest';
import { ConnectionPool } from '../../src/pool/index.js';

describe('ConnectionPool.register: closeAll() also closes long-lived resources (forwards)', () => {
  it('closes each registered resource once; an unregistered one is left alone; a rejecting close does not stop the others', async () => {
    const pool = new ConnectionPool({ platform: 'win32' });
    const closed: string[] = [];
    pool.register({ close: async () => void closed.push('a') });
    const unregister = pool.register({ close: async () => void closed.push('b') });
    pool.register({ close: () => Promise.reject(new Error('boom')) });
    pool.register({ close: async () => void closed.push('c') });
    unregister();
    await pool.closeAll();
    expect(closed.sort()).toEqual(['a', 'c']);
    await pool.closeAll();
    expect(closed).toHaveLength(2);
  });
});
