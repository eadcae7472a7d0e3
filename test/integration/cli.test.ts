import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { remoteFor, type TestbedUser } from '../testbed/index.js';

// The CLI as a real child process (its source through tsx, so no build is needed): exit codes,
// stdout/stderr separation and signals are only real at this level.
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(REPO, 'src/cli/main.ts');
const RUN_TIMEOUT_MS = 45_000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sshwrap-cli-it-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const ENV = { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'xdg'), SSHWRAP_DEBUG: '' };

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function startCli(args: string[], stdin: string | Buffer = '', { ownGroup = false } = {}): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO, env: ENV, stdio: ['pipe', 'pipe', 'pipe'], detached: ownGroup });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(stdin);
  const killer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
  return { child, done };
}

const cli = (args: string[], stdin: string | Buffer = ''): Promise<CliRun> => startCli(args, stdin).done;

function writeFile(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

function remoteProcessRunning(user: string, pattern: string): boolean {
  return spawnSync('pgrep', ['-u', user, '-f', pattern]).status === 0;
}

describe('sshwrap CLI without a server', () => {
  const sshConfig = writeFile(
    'ssh_config',
    ['Host corp-box', '  HostName %h.corp.example', '  User corpuser', '  Port 2222', ''].join('\n'),
  );
  const remotes = writeFile('offline-remotes.json', JSON.stringify([{ id: 'box', host: 'box.example.com', username: 'dev', remoteEnv: { SESSION_TOKEN: 'tok-secret-1' } }]));

  it('wrap --dry-run prints JSON with the effective login from ssh -G for a ~/.ssh/config host', async () => {
    const result = await cli(['wrap', 'corp-box', '--remotes', remotes, '--ssh-config', sshConfig, '--cwd', '/srv/app', '--dry-run', '--', 'uname', '-a']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual(['remote', 'command', 'args', 'cwd', 'remoteCommand', 'sshRemoteUsed', 'effective']);
    expect(report.remote).toEqual({ id: 'corp-box', source: 'ssh-config', file: sshConfig });
    expect(report.command).toBe('ssh');
    expect(report.args.slice(0, 2)).toEqual(['-F', sshConfig]);
    expect(report.args.at(-2)).toBe('corp-box');
    expect(report.remoteCommand).toBe("cd /srv/app && uname -a");
    expect(report.sshRemoteUsed).toMatchObject({ id: 'corp-box', host: 'corp-box', useSshConfig: true });
    expect(report.effective).toEqual({ user: 'corpuser', hostname: 'corp-box.corp.example', port: 2222, source: 'ssh-config' });
  });

  it('wrap --dry-run keeps secret-looking env off the command line', async () => {
    const result = await cli(['wrap', 'box', '--remotes', remotes, '--env', 'GH_TOKEN=ghp-secret-2', '--dry-run', '--', 'env']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.stdin).toEqual({ bytes: expect.any(Number), promptBytes: 0, envNames: ['SESSION_TOKEN', 'GH_TOKEN'] });
    expect(result.stdout).not.toMatch(/tok-secret-1|ghp-secret-2/);
  });

  it.each([
    [['wrap', 'box', '--remotes', '/nonexistent/remotes.json', '--dry-run', '--', 'ls'], /^sshwrap: remotes file \/nonexistent\/remotes.json: cannot read it/],
    [['wrap', 'box', '--dry-run'], /^sshwrap: wrap: missing the remote command/],
    [['exec', '--bogus'], /^sshwrap: exec: unknown option '--bogus'/],
    [['frobnicate'], /^sshwrap: unknown command "frobnicate"/],
    [['wrap', 'corp-box', '--ssh-config', writeFile('broken_config', 'Host corp-box\n  NoSuchThing yes\n'), '--dry-run', '--', 'ls'], /^sshwrap: ssh could not read its configuration.*nosuchthing/i],
  ])('%j exits 2 with one sshwrap: line', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('hosts lists the remotes file and the ssh config hosts', async () => {
    const result = await cli(['hosts', '--json', '--remotes', remotes, '--ssh-config', sshConfig]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ remotes: [{ id: 'box' }], sshConfigHosts: ['corp-box'], invalidRemotes: [] });
  });

  it('--version and --help exit 0', async () => {
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: `${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`, stderr: '' });
    expect(await cli(['exec', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('254') });
  });
});

const tb = inject('testbed');

describe.skipIf(!tb)('sshwrap CLI against the real sshd', () => {
  const info = tb!;
  const user = (shell: TestbedUser['shell']): TestbedUser => info.users.find((u) => u.shell === shell)!;
  const bash = user('bash');
  const remotes = writeFile(
    'remotes.json',
    JSON.stringify({
      sshRemotes: [
        remoteFor(info, bash),
        remoteFor(info, user('fish')),
        { ...remoteFor(info, bash), id: 'refused', port: 1 },
        { ...remoteFor(info, bash), id: 'wrong-key', privateKeyPath: path.join(info.dir, 'no-such-key') },
      ],
    }),
  );
  const bashId = `testbed-${bash.name}`;
  const fishId = `testbed-${user('fish').name}`;
  const exec = (id: string, args: string[], stdin: string | Buffer = ''): Promise<CliRun> => cli(['exec', id, '--remotes', remotes, ...args], stdin);

  it.each([
    ['bash', 0],
    ['bash', 3],
    ['bash', 255],
    ['fish', 3],
  ] as const)('exec on a %s login passes the remote exit status %i through', async (shell, status) => {
    const result = await exec(shell === 'bash' ? bashId : fishId, ['--', 'sh', '-c', `echo out; echo err >&2; exit ${status}`]);
    expect(result.stdout).toBe('out\n');
    expect(result.stderr).toBe('err\n');
    expect(result.code).toBe(status);
  });

  it.each(['bash', 'fish'] as const)('exec forwards piped stdin to the command, byte-exact, like ssh (%s login)', async (shell) => {
    const data = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 10)) & 0xff;
    const result = await exec(shell === 'bash' ? bashId : fishId, ['--', 'sha256sum'], data);
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: `${createHash('sha256').update(data).digest('hex')}  -\n` });
    // The issue's own case.
    expect(await exec(bashId, ['--', 'cat'], 'hi\n')).toMatchObject({ code: 0, stdout: 'hi\n' });
  });

  it('exec streams output before the command ends', async () => {
    const { child, done } = startCli(['exec', bashId, '--remotes', remotes, '--', 'sh', '-c', 'echo first; sleep 3; echo second']);
    let firstAt = 0;
    const start = Date.now();
    child.stdout!.on('data', (chunk: Buffer) => {
      if (!firstAt && chunk.toString().includes('first')) firstAt = Date.now() - start;
    });
    const result = await done;
    expect(result.stdout).toBe('first\nsecond\n');
    expect(firstAt).toBeGreaterThan(0);
    // Buffered output would arrive within milliseconds of the end; streamed output about 3 s
    // (the sleep) before it. 1 s leaves room for a slow, shared machine delivering "first" late.
    expect(Date.now() - start - firstAt).toBeGreaterThan(1000);
  });

  it('exec passes cwd, env (secrets over stdin) and a large prompt on stdin', async () => {
    const prompt = 'x'.repeat(50_000);
    const promptFile = writeFile('prompt.txt', prompt);
    const result = await exec(bashId, [
      '--cwd', '/tmp', '--env', 'PLAIN=a b', '--env', 'API_TOKEN=t0ken value', '--prompt-file', promptFile,
      '--', 'sh', '-c', 'printf "%s|%s|%s|" "$PWD" "$PLAIN" "$API_TOKEN"; wc -c | tr -d " "',
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('/tmp|a b|t0ken value|50000\n');
    expect(result.code).toBe(0);
  });

  it.each([
    ['refused', [], 'connection-refused'],
    ['wrong-key', [], 'key-unreadable|auth-failed'],
    ['bash', ['--cwd', '/no/such/dir'], 'cwd-missing'],
    ['bash', [], 'agent-not-found', 'no-such-command-xyz'],
  ])('exec where the command cannot run (%s %j) exits 254 with kind and hint', async (which, flags, kind, command = 'true') => {
    const id = which === 'bash' ? bashId : which;
    const result = await exec(id, [...flags, '--', command]);
    expect(result.code).toBe(254);
    // One block and nothing else: ssh's own line at most once (labelled), never the remote sh's.
    expect(result.stderr).toMatch(new RegExp(`^sshwrap: (${kind}): .+\\n(  ssh: .+\\n)*  hint: .+\\n$`));
    expect(result.stderr).not.toMatch(/customPath|workingDirOverride|agentBinaryName|sh: \d+:/);
    expect(result.stdout).toBe('');
  });

  it('exec --json: NDJSON only on stdout, events in order, output after first-byte, no --env secret in it', async () => {
    const secret = 'sk-ant-cli-json-3e9d71';
    // The command proves the secret arrived without printing it.
    const result = await exec(bashId, [
      '--json', '--env', `ANTHROPIC_API_KEY=${secret}`,
      '--', 'sh', '-c', 'test "$ANTHROPIC_API_KEY" = sk-ant-cli-json-3e9d71 && printf "h\\303\\251llo\\n"; echo warn >&2; exit 4',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(4);
    expect(result.stdout.endsWith('\n')).toBe(true);
    const lines = result.stdout.slice(0, -1).split('\n').map((line) => JSON.parse(line) as { type: string; data?: string });
    const isOutput = (line: { type: string }): boolean => line.type === 'stdout' || line.type === 'stderr';
    expect(lines.filter((line) => !isOutput(line)).map((line) => line.type)).toEqual(['resolve', 'connect', 'spawn', 'started', 'first-byte', 'exit']);
    expect(lines.findIndex(isOutput)).toBeGreaterThan(lines.findIndex((line) => line.type === 'first-byte'));
    expect(lines.filter((line) => line.type === 'stdout').map((line) => line.data).join('')).toBe('héllo\n');
    expect(lines.filter((line) => line.type === 'stderr').map((line) => line.data).join('')).toBe('warn\n');
    expect(lines.at(-1)).toMatchObject({ type: 'exit', remoteExitCode: 4 });
    expect(result.stdout).not.toContain(secret);
  });

  it('exec --json on a refused connection: error (kind, hint) then exit, stderr empty, exit 254', async () => {
    const result = await exec('refused', ['--json', '--', 'true']);
    expect(result.code).toBe(254);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(lines.filter((line) => line.type !== 'stderr').map((line) => line.type)).toEqual(['resolve', 'retry', 'retry', 'error', 'exit']); // refused: 3 tries by default
    expect(lines.at(-2)).toMatchObject({ errorKind: 'connection-refused', hint: expect.any(String) });
  });

  it('exec --timeout stops the run and exits 124', async () => {
    const started = Date.now();
    const result = await exec(bashId, ['--timeout', '1', '--', 'sleep', '20.5']);
    expect(result.code).toBe(124);
    expect(result.stderr).toMatch(/^sshwrap: timeout: /m);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await waitFor(() => !remoteProcessRunning(bash.name, 'sleep 20.5'), 10_000)).toBe(true);
  });

  it.each([
    ['SIGINT', 130, 'to its whole process group, like Ctrl-C in a terminal'],
    ['SIGTERM', 143, 'to sshwrap alone'],
  ] as const)('%s aborts the run, remote command included, and exits %i (sent %s)', async (signal, code, target) => {
    const marker = signal === 'SIGINT' ? '31.25' : '31.5';
    const ownGroup = target.startsWith('to its whole');
    const { child, done } = startCli(['exec', bashId, '--remotes', remotes, '--', 'sh', '-c', `echo started; exec sleep ${marker}`], '', { ownGroup });
    let sawStart = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('started')) sawStart = true;
    });
    expect(await waitFor(() => sawStart && remoteProcessRunning(bash.name, `sleep ${marker}`), 20_000)).toBe(true);
    if (ownGroup) process.kill(-child.pid!, signal);
    else child.kill(signal);
    const result = await done;
    expect(result.code).toBe(code);
    expect(await waitFor(() => !remoteProcessRunning(bash.name, `sleep ${marker}`), 10_000)).toBe(true);
  });

  it('exec stops the run and exits 141 when the stdout reader goes away (| head)', async () => {
    const marker = 'sshwrap-epipe-marker';
    const { child, done } = startCli(['exec', bashId, '--remotes', remotes, '--', 'sh', '-c', 'while :; do echo y; done', marker]);
    child.stdout!.once('data', () => child.stdout!.destroy());
    const result = await done;
    expect(result.code).toBe(141);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await waitFor(() => !remoteProcessRunning(bash.name, marker), 10_000)).toBe(true);
  });

  it('test reports a working remote (exit 0) and a missing agent (exit 1)', async () => {
    const ok = await cli(['test', bashId, '--remotes', remotes, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ success: true, details: { username: bash.name, platform: 'Linux' } });

    const text = await cli(['test', bashId, '--remotes', remotes, '--agent', 'sh']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^OK: .*\n {2}login: {2}.+\n {2}agent: {2}sh -> \/.*sh\n/);

    const missing = await cli(['test', bashId, '--remotes', remotes, '--agent', 'no-such-agent-xyz']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/agent: {2}no-such-agent-xyz not found/);
    expect(missing.stdout).toMatch(/kind: {3}agent-not-found/);
  });

  it('test reports an ssh failure with kind and hint (exit 1)', async () => {
    const result = await cli(['test', 'refused', '--remotes', remotes]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAILED: .*refused.*\n {2}kind: {3}connection-refused\n {2}hint: {3}.+\n$/);
  });
});
