import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { downloadFile, remoteFs, RemoteFileError, uploadFile } from '../../src/files/index.js';
import { closeAll } from '../../src/pool/index.js';
import { runWithSsh, spawnWithSsh } from '../../src/exec/index.js';
import { attachDetached, pruneDetached, startDetached } from '../../src/detached/index.js';
import type { TestbedUser } from '../testbed/index.js';
import { eventually, processesWith, remoteSetup, userFor } from '../exec/testbed-helpers.js';
import { ownerOf } from './helpers/runtime-fakes.js';

const tb = inject('testbed');
const suffix = randomBytes(4).toString('hex');
// Unique names: other test files share these users' homes.
const DIR = `swfiles-${suffix}`;
const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const HOSTILE = ['a b', 'new\nline', `quote'"q`, 'ünï-名前', '-dash', 'back\\slash', '$(echo x)', '*', '!bang%', ' lead', 'tab\there', '.hidden'];
const local = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-files-'));
const created: string[] = [];
const fileOnDisk = path.join(local, 'on disk.bin');
fs.writeFileSync(fileOnDisk, randomBytes(4096));

function dirFor(user: TestbedUser): string {
  const dir = path.join(user.home, DIR);
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { mode: 0o755 });
    const { uid, gid } = ownerOf(user.home);
    fs.chownSync(dir, uid, gid);
    created.push(dir);
  }
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<RemoteFileError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(RemoteFileError);
  return error as RemoteFileError;
}

describe.skipIf(!tb)('files: transfer and remote file trees against the real sshd', () => {
  const info = tb!;
  afterAll(async () => {
    await closeAll();
    for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(local, { recursive: true, force: true });
  });

  describe('50 MB upload and download (bash user)', () => {
    const big = randomBytes(50 * 1024 * 1024);
    const source = path.join(local, 'big.bin');
    fs.writeFileSync(source, big);

    it('uploads byte-exact and atomically: the final name is never a partial file', async () => {
      const user = userFor(info, 'bash');
      const { store, remote } = remoteSetup(info, user);
      const dir = dirFor(user);
      const final = path.join(dir, 'up load.bin');
      let sizes = 0;
      let partial = false;
      let sawTemp = false;
      const poll = setInterval(() => {
        if (fs.readdirSync(dir).some((name) => name.startsWith('.up load.bin.sshwrap-'))) sawTemp = true;
        try {
          const size = fs.statSync(final).size;
          sizes++;
          if (size !== big.length) partial = true;
        } catch {
          // not there yet
        }
      }, 2);
      const result = await uploadFile(remote.id, store, source, `~/${DIR}/up load.bin`, { mode: 0o640 });
      clearInterval(poll);
      expect(result).toEqual({ bytes: big.length, sha256: sha(big), verified: 'sha256' });
      expect(sawTemp).toBe(true);
      expect(partial).toBe(false);
      expect(sizes).toBeGreaterThanOrEqual(0);
      expect(sha(fs.readFileSync(final))).toBe(sha(big));
      expect(fs.statSync(final).mode & 0o777).toBe(0o640);
      expect(fs.readdirSync(dir).filter((name) => name.includes('.sshwrap-'))).toEqual([]);
    });

    it('downloads byte-exact and atomically', async () => {
      const user = userFor(info, 'bash');
      const { store, remote } = remoteSetup(info, user);
      const dir = dirFor(user);
      fs.writeFileSync(path.join(dir, 'down.bin'), big);
      const target = path.join(local, 'down load.bin');
      let partial = false;
      let sawTemp = false;
      const poll = setInterval(() => {
        if (fs.readdirSync(local).some((name) => name.startsWith('.down load.bin.sshwrap-'))) sawTemp = true;
        try {
          if (fs.statSync(target).size !== big.length) partial = true;
        } catch {
          // not there yet
        }
      }, 2);
      const result = await downloadFile(remote, store, `~/${DIR}/down.bin`, target);
      clearInterval(poll);
      expect(result).toEqual({ bytes: big.length, sha256: sha(big), verified: 'sha256' });
      expect(sawTemp).toBe(true);
      expect(partial).toBe(false);
      expect(sha(fs.readFileSync(target))).toBe(sha(big));
      expect(fs.readdirSync(local).filter((name) => name.includes('.sshwrap-'))).toEqual([]);
    });

    it('an aborted upload leaves no file under the final name, no temp file and no remote process', async () => {
      const user = userFor(info, 'bash');
      const { store, remote } = remoteSetup(info, user);
      const dir = dirFor(user);
      const controller = new AbortController();
      let temp: string | undefined;
      const poll = setInterval(() => {
        temp ??= fs.readdirSync(dir).find((name) => name.startsWith('.aborted.bin.sshwrap-'));
        if (temp && fs.existsSync(path.join(dir, temp)) && fs.statSync(path.join(dir, temp)).size > 1024 * 1024) controller.abort();
      }, 2);
      const error = await rejection(uploadFile(remote.id, store, source, `~/${DIR}/aborted.bin`, { signal: controller.signal }));
      clearInterval(poll);
      expect(error.code).toBe('ECANCELED');
      expect(temp).toBeDefined();
      const tag = temp!.slice('.aborted.bin.sshwrap-'.length);
      expect(await eventually(() => processesWith(tag).length === 0, 10_000)).toBe(true);
      expect(await eventually(() => !fs.existsSync(path.join(dir, temp!)), 10_000)).toBe(true);
      expect(fs.existsSync(path.join(dir, 'aborted.bin'))).toBe(false);
    });
    it('an aborted or timed-out download leaves no local file and no temp file', async () => {
      const user = userFor(info, 'bash');
      const { store, remote } = remoteSetup(info, user);
      const dir = dirFor(user);
      fs.writeFileSync(path.join(dir, 'down2.bin'), big);
      const target = path.join(local, 'aborted download.bin');
      const controller = new AbortController();
      const poll = setInterval(() => {
        const temp = fs.readdirSync(local).find((name) => name.startsWith('.aborted download.bin.sshwrap-'));
        if (temp && fs.statSync(path.join(local, temp)).size > 1024 * 1024) controller.abort();
      }, 2);
      const aborted = await rejection(downloadFile(remote.id, store, `~/${DIR}/down2.bin`, target, { signal: controller.signal }));
      clearInterval(poll);
      expect(aborted.code).toBe('ECANCELED');
      const timedOut = await rejection(downloadFile(remote.id, store, `~/${DIR}/down2.bin`, target, { timeoutMs: 50, multiplex: false }));
      expect(timedOut.code).toBe('ETIMEDOUT');
      expect(fs.readdirSync(local).filter((name) => name.includes('aborted download'))).toEqual([]);
    });
  });

  describe('typed errors (bash user)', () => {
    it('ENOENT, EACCES, EISDIR, ENOTDIR, EFBIG, EEXIST, EPERM, ENOTEMPTY; nothing left behind', async () => {
      const user = userFor(info, 'bash');
      const { store, remote } = remoteSetup(info, user);
      const dir = dirFor(user);
      const files = remoteFs(remote.id, store);
      expect((await rejection(downloadFile(remote.id, store, `~/${DIR}/missing`, path.join(local, 'missing')))).code).toBe('ENOENT');
      expect(fs.existsSync(path.join(local, 'missing'))).toBe(false);
      expect((await rejection(uploadFile(remote.id, store, Buffer.from('x'), `~/${DIR}/no/such/dir/f`))).code).toBe('ENOENT');
      expect((await rejection(uploadFile(remote.id, store, Buffer.from('x'), '/etc/sshwrap-denied'))).code).toBe('EACCES');
      expect((await rejection(uploadFile(remote.id, store, Buffer.from('x'), `~/${DIR}`))).code).toBe('EISDIR');
      expect((await rejection(downloadFile(remote.id, store, `~/${DIR}`, path.join(local, 'd')))).code).toBe('EISDIR');
      expect((await rejection(files.readFile('/root/.profile'))).code).toBe('EACCES');
      await files.writeFile(`~/${DIR}/plain`, 'plain');
      expect((await rejection(files.readDir(`~/${DIR}/plain`))).code).toBe('ENOTDIR');
      expect((await rejection(files.readFile(`~/${DIR}/plain`, { maxBytes: 3 }))).code).toBe('EFBIG');
      expect((await rejection(files.mkdir(`~/${DIR}/plain`))).code).toBe('EEXIST');
      await files.mkdir(`~/${DIR}/full/sub`);
      expect((await rejection(files.remove(`~/${DIR}/full`))).code).toBe('ENOTEMPTY');
      expect((await rejection(files.remove(`~/${DIR}/..`, { recursive: true }))).code).toBe('EPERM');
      expect((await rejection(files.rename(`~/${DIR}/plain`, `~/${DIR}/full`))).code).toBe('EISDIR');
      expect(fs.existsSync(user.home)).toBe(true);
      const ssh = await rejection(remoteFs({ ...remote, id: 'wrong-port', port: 1 }, store).stat('~'));
      expect(ssh).toMatchObject({ code: 'ESSH', errorKind: 'connection-refused' });
      expect(ssh.hint).toBeTruthy();
      expect(fs.readdirSync(dir).filter((name) => name.includes('.sshwrap-'))).toEqual([]);
    });
  });

  describe.concurrent.each(['bash', 'fish', 'tcsh'] as const)('hostile names under a %s login shell', (shell) => {
    it('writeFile, readDir, stat, readFile, rename, remove keep every name byte-exact', async () => {
      const user = userFor(info, shell);
      const { store, remote } = remoteSetup(info, user);
      const dir = dirFor(user);
      const base = `~/${DIR}/${shell}`;
      const files = remoteFs(remote.id, store);
      await files.mkdir(`${base}/sub dir`);
      const payload = (name: string): Uint8Array => Buffer.concat([Buffer.from(name), Buffer.from([0, 255, 10, 0])]);
      for (const name of HOSTILE) await files.writeFile(`${base}/${name}`, payload(name), { mode: 0o600 });
      const entries = await files.readDir(base);
      expect(entries.map((entry) => entry.name).sort()).toEqual([...HOSTILE, 'sub dir'].sort());
      for (const name of HOSTILE) {
        const on = fs.statSync(path.join(dir, shell, name));
        expect(entries.find((entry) => entry.name === name)).toEqual({ name, type: 'file', size: payload(name).length, mode: 0o600, mtimeMs: Math.floor(on.mtimeMs / 1000) * 1000 });
        expect(Buffer.from(await files.readFile(`${base}/${name}`))).toEqual(Buffer.from(payload(name)));
      }
      expect(entries.find((entry) => entry.name === 'sub dir')?.type).toBe('directory');
      expect(await files.stat(`${base}/new\nline`)).toMatchObject({ type: 'file', size: payload('new\nline').length });
      await files.rename(`${base}/new\nline`, `${base}/sub dir/renamed 'ü'\n`);
      expect(fs.readFileSync(path.join(dir, shell, 'sub dir', "renamed 'ü'\n"))).toEqual(Buffer.from(payload('new\nline')));
      expect((await rejection(files.stat(`${base}/new\nline`))).code).toBe('ENOENT');
      await files.remove(`${base}/*`);
      expect(fs.existsSync(path.join(dir, shell, 'a b'))).toBe(true);
      await files.remove(base, { recursive: true });
      expect(fs.existsSync(path.join(dir, shell))).toBe(false);
    });
  });

  describe.concurrent.each(['bash', 'tcsh'] as const)('attachments under a %s login shell', (shell) => {
    const image = randomBytes(1024 * 1024);
    image[0] = 0;
    image[1] = 10;

    it('a 1 MB binary attachment arrives byte-exact in a private directory, removed after the run', async () => {
      const { store, agentSsh } = remoteSetup(info, userFor(info, shell));
      const script = 'for f in "$@"; do sha256sum "$f"; stat -c "%a %s" "$f"; done; stat -c "%a" "$(dirname "$1")"; printf "ENV=%s\n" "$SSHWRAP_ATTACHMENTS"';
      const result = await runWithSsh({ command: '/bin/sh', args: ['-c', script, 'sh'], cwd: '~' }, agentSsh, store, {
        attachments: [{ name: 'screen shot ü.png', data: image }, { path: fileOnDisk }],
        attachmentArgs: (paths) => paths,
        multiplex: true,
      });
      expect(result).toMatchObject({ remoteExitCode: 0, stderr: '' });
      const lines = result.stdout.split('\n');
      const first = lines[0]!.split('  ');
      expect(first[0]).toBe(sha(image));
      expect(first[1]).toMatch(/^\/tmp\/sshwrap-att\.[^/]+\/screen shot ü\.png$/);
      expect(lines[1]).toBe(`600 ${image.length}`);
      expect(lines[2]!.split('  ')[0]).toBe(sha(fs.readFileSync(fileOnDisk)));
      expect(lines[4]).toBe('700');
      expect(lines[5]).toBe(`ENV=${first[1]}`);
      expect(fs.existsSync(path.dirname(first[1]!))).toBe(false);
    });

    it('the directory is removed after an abort, and after a spawnWithSsh child is killed', async () => {
      const { store, agentSsh } = remoteSetup(info, userFor(info, shell));
      const controller = new AbortController();
      let dir: string | undefined;
      const result = await runWithSsh({ command: '/bin/sh', args: ['-c', 'printf "%s\n" "$SSHWRAP_ATTACHMENTS"; exec sleep 30'], cwd: '~' }, agentSsh, store, {
        attachments: [{ name: 'a.bin', data: image }],
        signal: controller.signal,
        onStdoutLine: (line) => {
          dir = path.dirname(line);
          expect(fs.existsSync(line)).toBe(true);
          controller.abort();
        },
      });
      expect(result.aborted).toBe(true);
      expect(dir).toMatch(/^\/tmp\/sshwrap-att\./);
      expect(fs.existsSync(dir!)).toBe(false);

      let spawnedDir: string | undefined;
      const { child } = await spawnWithSsh({ command: '/bin/sh', args: ['-c', 'printf "%s\n" "$SSHWRAP_ATTACHMENTS"; exec sleep 30'], cwd: '~' }, agentSsh, store, {
        attachments: [{ name: 'b.bin', data: image }],
        onStdoutLine: (line) => {
          spawnedDir = path.dirname(line);
          child.kill();
        },
      });
      await new Promise((resolve) => child.once('close', resolve));
      expect(spawnedDir).toMatch(/^\/tmp\/sshwrap-att\./);
      expect(await eventually(() => !fs.existsSync(spawnedDir!), 10_000)).toBe(true);
    });
  });

  describe('attachments of a detached run (bash user)', () => {
    it('arrive before the agent starts, stay while the run is kept, and go with pruneDetached', async () => {
      const user = userFor(info, 'bash');
      const { store, agentSsh, remote } = remoteSetup(info, user);
      dirFor(user);
      const runDir = `~/${DIR}/runs`;
      const data = randomBytes(256 * 1024);
      const run = await startDetached({ command: '/bin/sh', args: ['-c', 'sha256sum "$@"; printf "ENV=%s\\n" "$SSHWRAP_ATTACHMENTS"', 'sh'], cwd: '~' }, agentSsh, store, {
        runDir,
        attachments: [{ name: 'in put ü.bin', data }],
        attachmentArgs: (paths) => paths,
      });
      let out = '';
      const done = await attachDetached(run, store, { runDir, onStdout: (text) => (out += text) });
      expect(done.state).toBe('exited');
      const attachmentsDir = path.join(user.home, DIR, 'runs', `.${run.runId}.attachments`);
      expect(out).toBe(`${sha(data)}  ${attachmentsDir}/in put ü.bin\nENV=${attachmentsDir}/in put ü.bin\n`);
      expect(fs.statSync(attachmentsDir).mode & 0o777).toBe(0o700);
      expect(fs.statSync(path.join(attachmentsDir, 'in put ü.bin')).mode & 0o777).toBe(0o600);
      const { removed } = await pruneDetached(remote.id, store, { runDir, olderThanMs: 0 });
      expect(removed).toEqual([run.runId]);
      expect(fs.existsSync(attachmentsDir)).toBe(false);
    });

    it('a run that does not start removes its attachments at once', async () => {
      const user = userFor(info, 'bash');
      const { store, agentSsh } = remoteSetup(info, user);
      dirFor(user);
      const runDir = `~/${DIR}/runs`;
      const error = await startDetached({ command: `no-such-agent-${suffix}`, args: [], cwd: '~' }, agentSsh, store, { runDir, runId: `r-missing-${suffix}`, attachments: [{ name: 'x', data: new Uint8Array(3) }] }).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeDefined();
      expect(fs.existsSync(path.join(user.home, DIR, 'runs', `.r-missing-${suffix}.attachments`))).toBe(false);
    });
  });
});
