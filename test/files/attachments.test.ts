import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWithSsh, spawnWithSsh, type SpawnExecutor } from '../../src/exec/index.js';
import { SshWrapError } from '../../src/errors/index.js';
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { DEFAULT_MAX_ATTACHMENT_BYTES } from '../../src/files/index.js';

const remote = { id: 'r1', name: 'r1', host: 'example.invalid', port: 22, username: 'dev', enabled: true };
const store = createMemoryStoreAdapter([remote]);
const agentSsh = { enabled: true, remoteId: 'r1' };
const config = { command: 'agent', args: ['--print'], cwd: '/tmp' };
let spawned = 0;
const executor: SpawnExecutor = {
  spawn() {
    spawned++;
    throw new Error('spawned');
  },
};

async function refusal(promise: Promise<unknown>): Promise<SshWrapError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(SshWrapError);
  return error as SshWrapError;
}

describe('attachments: refused before anything is sent', () => {
  const data = (bytes: number): Uint8Array => new Uint8Array(bytes);
  it.each([
    ['a name with /', [{ name: 'a/b', data: data(1) }], 'INVALID_CONFIG', 'attachments[0].name'],
    ['a NUL in the name', [{ name: 'a\0b', data: data(1) }], 'INVALID_CONFIG', 'attachments[0].name'],
    ['a newline in the name', [{ name: 'a\nb', data: data(1) }], 'INVALID_CONFIG', 'attachments[0].name'],
    ['"."', [{ name: '.', data: data(1) }], 'INVALID_CONFIG', 'attachments[0].name'],
    ['".."', [{ name: '..', data: data(1) }], 'INVALID_CONFIG', 'attachments[0].name'],
    ['an empty name', [{ name: '', data: data(1) }], 'INVALID_CONFIG', 'attachments[0].name'],
    ['a name over 255 bytes', [{ name: 'é'.repeat(128), data: data(1) }], 'INVALID_CONFIG', 'attachments[0].name'],
    ['duplicate names', [{ name: 'x', data: data(1) }, { name: 'x', data: data(1) }], 'INVALID_CONFIG', 'attachments[1]'],
    ['a path and a data file with the same name', [{ path: '/etc/hostname' }, { name: 'hostname', data: data(1) }], 'INVALID_CONFIG', 'attachments[1]'],
    ['a missing local file', [{ path: '/nonexistent/sshwrap' }], 'INVALID_CONFIG', 'attachments[0].path'],
    ['a directory', [{ path: '/tmp' }], 'INVALID_CONFIG', 'attachments[0].path'],
    ['data that is not bytes', [{ name: 'x', data: 'text' }], 'INVALID_CONFIG', 'attachments[0]'],
    ['an unknown shape', [{ name: 'x', data: data(1), mode: 1 }], 'INVALID_CONFIG', 'attachments[0]'],
    ['more than 50 MB in total', [{ name: 'a', data: data(DEFAULT_MAX_ATTACHMENT_BYTES) }, { name: 'b', data: data(1) }], 'ATTACHMENT_TOO_LARGE', 'maxAttachmentBytes'],
  ])('%s', async (_name, attachments, code, field) => {
    spawned = 0;
    for (const run of [runWithSsh, spawnWithSsh] as const) {
      const error = await refusal(run(config, agentSsh, store, { executor, attachments: attachments as never }));
      expect(error).toMatchObject({ code, field });
    }
    expect(spawned).toBe(0);
  });

  it('exactly maxAttachmentBytes is allowed, one byte more is not', async () => {
    spawned = 0;
    const error = await refusal(runWithSsh(config, agentSsh, store, { executor, maxAttachmentBytes: 4, attachments: [{ name: 'a', data: data(5) }] }));
    expect(error.code).toBe('ATTACHMENT_TOO_LARGE');
    expect(DEFAULT_MAX_ATTACHMENT_BYTES).toBe(52_428_800);
    // 4 bytes pass the check and reach the (failing) executor.
    await runWithSsh(config, agentSsh, store, { executor, maxAttachmentBytes: 4, attachments: [{ name: 'a', data: data(4) }], retry: false }).catch(() => {});
    expect(spawned).toBeGreaterThan(0);
  });

  it('bad attachment options are refused', async () => {
    expect((await refusal(runWithSsh(config, agentSsh, store, { executor, attachments: [], attachmentArgs: 'x' as never }))).field).toBe('attachmentArgs');
    expect((await refusal(runWithSsh(config, agentSsh, store, { executor, attachments: [], maxAttachmentBytes: -1 }))).field).toBe('maxAttachmentBytes');
    expect((await refusal(runWithSsh(config, agentSsh, store, { executor, attachments: {} as never }))).field).toBe('attachments');
  });
});

describe('attachments on a local run (SSH off)', () => {
  it('a local path is used as it is, bytes go to a private temp dir removed after the run; both in SSHWRAP_ATTACHMENTS and attachmentArgs', async () => {
    const source = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-att-test-')), 'in put.bin');
    fs.writeFileSync(source, Buffer.from([0, 1, 2]));
    const bytes = Buffer.from([0, 255, 10, 0, 7]);
    const script = 'printf "%s\\n" "$@"; printf "ENV=%s\\n" "$SSHWRAP_ATTACHMENTS"; for f in "$@"; do [ -f "$f" ] && stat -c "%a %s" "$f"; done; stat -c "%a" "$(dirname "$2")"';
    const result = await runWithSsh({ command: '/bin/sh', args: ['-c', script, 'sh'], cwd: '/tmp' }, null, store, {
      attachments: [{ path: source }, { name: 'img ü 1.png', data: bytes }],
      attachmentArgs: (paths) => paths,
    });
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(source);
    expect(lines[1]).toMatch(/\/sshwrap-att-[^/]+\/img ü 1\.png$/);
    expect(result.stdout).toContain(`ENV=${source}\n${lines[1]}\n`);
    expect(lines).toContain('600 5');
    expect(lines).toContain('700');
    expect(fs.existsSync(lines[1]!)).toBe(false);
    expect(fs.existsSync(path.dirname(lines[1]!))).toBe(false);
    expect(fs.existsSync(source)).toBe(true);
    fs.rmSync(path.dirname(source), { recursive: true });
  });
});
