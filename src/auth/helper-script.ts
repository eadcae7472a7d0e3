import { quotePosix } from '../quoting/index.js';

/**
 * The program ssh runs as SSH_ASKPASS. ssh passes the prompt as argv[1] and reads the answer
 * from stdout; this helper forwards the prompt over a private unix socket to the Node process
 * that created it and prints what comes back. It never sees a passphrase it was not sent.
 */
export const ASKPASS_CLIENT_SOURCE = String.raw`'use strict';
const net = require('node:net');
const socketPath = process.env.SSHWRAP_ASKPASS_SOCKET;
const token = process.env.SSHWRAP_ASKPASS_TOKEN;
if (!socketPath || !token) process.exit(1);
const socket = net.connect(socketPath);
let reply = '';
socket.setEncoding('utf8');
socket.on('connect', () => socket.end(JSON.stringify({ token, prompt: process.argv[2] || '' })));
socket.on('data', (chunk) => { reply += chunk; });
socket.on('error', () => process.exit(1));
socket.on('close', () => {
  try {
    const answer = JSON.parse(reply).answer;
    if (typeof answer !== 'string') process.exit(1);
    process.stdout.write(answer + '\n', () => process.exit(0));
  } catch {
    process.exit(1);
  }
});
`;


/**
 * The executable ssh starts: a POSIX sh launcher, because SSH_ASKPASS takes a program path and no
 * arguments. ELECTRON_RUN_AS_NODE lets an Electron main process's execPath act as Node.
 */
export function askpassLauncher(nodePath: string, clientPath: string): string {
  return `#!/bin/sh\nELECTRON_RUN_AS_NODE=1 exec ${quotePosix(nodePath)} ${quotePosix(clientPath)} "$@"\n`;
}
