import fs from 'node:fs';
import path from 'node:path';

/**
 * The remote side of most integration tests: reports exactly what the remote process
 * received. argvHex / stdinBase64 expose raw bytes, because process.argv has already been
 * UTF-8-decoded (invalid sequences become U+FFFD) and cannot prove byte-exactness.
 */
const ARGDUMP_BODY = String.raw`'use strict';
// Written by test/testbed/argdump.ts. Env knobs: ARGDUMP_READ_STDIN=1 reads stdin to EOF,
// ARGDUMP_STDERR=<text> is written to stderr, ARGDUMP_EXIT=<n> sets the exit code.
const fs = require('node:fs');
const tty = require('node:tty');

function rawArgv() {
  try {
    const raw = fs.readFileSync('/proc/self/cmdline');
    const parts = [];
    let start = 0;
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] === 0) {
        parts.push(raw.subarray(start, i).toString('hex'));
        start = i + 1;
      }
    }
    // [node, script, ...args]
    return parts.slice(2);
  } catch {
    return null;
  }
}

function parentExe() {
  try {
    return fs.readlinkSync('/proc/' + process.ppid + '/exe');
  } catch {
    return null;
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks);
}

(async () => {
  const stdin = process.env.ARGDUMP_READ_STDIN === '1' ? await readStdin() : null;
  const report = {
    argv: process.argv.slice(2),
    argvHex: rawArgv(),
    cwd: process.cwd(),
    env: { ...process.env },
    stdin: stdin === null ? null : stdin.toString('utf8'),
    stdinBase64: stdin === null ? null : stdin.toString('base64'),
    stdinIsTTY: tty.isatty(0),
    stdoutIsTTY: tty.isatty(1),
    pid: process.pid,
    ppid: process.ppid,
    parentExe: parentExe(),
    uid: process.getuid(),
  };
  process.stdout.write(JSON.stringify(report) + '\n');
  if (process.env.ARGDUMP_STDERR) process.stderr.write(process.env.ARGDUMP_STDERR);
  process.exitCode = Number(process.env.ARGDUMP_EXIT ?? '0') || 0;
})();
`;

/** True when every directory on the way to file is traversable, and file executable, by "other". */
function executableByEveryone(file: string): boolean {
  let current = path.resolve(file);
  if ((fs.statSync(current).mode & 0o001) === 0) return false;
  while (current !== path.dirname(current)) {
    current = path.dirname(current);
    if ((fs.statSync(current).mode & 0o001) === 0) return false;
  }
  return true;
}

/**
 * Test users cannot run a node that lives under e.g. /root/.nvm, and the remote PATH is
 * minimal, so the shebang names an absolute node every user can execute.
 */
function nodeForEveryone(binDir: string): string {
  const node = fs.realpathSync(process.execPath);
  if (executableByEveryone(node)) return node;
  const copy = path.join(binDir, 'node');
  fs.copyFileSync(node, copy);
  fs.chmodSync(copy, 0o755);
  return copy;
}

/** Writes <binDir>/argdump and returns its absolute path. */
export function writeArgdump(binDir: string): string {
  const node = nodeForEveryone(binDir);
  const target = path.join(binDir, 'argdump');
  // An ancestor package.json with "type": "module" would make node parse this CJS as ESM.
  fs.writeFileSync(path.join(binDir, 'package.json'), '{"type":"commonjs"}\n', { mode: 0o644 });
  fs.writeFileSync(target, `#!${node}\n${ARGDUMP_BODY}`, { mode: 0o755 });
  fs.chmodSync(target, 0o755);
  return target;
}
