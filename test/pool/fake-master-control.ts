import type { MasterControl, MasterStartResult } from '../../src/pool/master.js';

/** An in-memory MasterControl: sockets are a Set, starts take `startDelayMs`. */
export class FakeMasterControl implements MasterControl {
  readonly sockets = new Set<string>();
  starts: string[] = [];
  exits: string[] = [];
  resolves = 0;
  startDelayMs = 20;
  nextStart: MasterStartResult['outcome'] = 'started';
  /** Sockets whose master is dead (socket left behind). */
  readonly dead = new Set<string>();

  #expand(template: string): string {
    return template.replace('%C', 'c'.repeat(40));
  }

  resolveControlPath = async (_remote: unknown, template: string): Promise<string | null> => {
    this.resolves++;
    return this.#expand(template);
  };

  check = async (socketPath: string) => {
    const running = this.sockets.has(socketPath) && !this.dead.has(socketPath);
    return { running, ...(running ? { pid: 4242 } : {}), message: running ? 'Master running (pid=4242)' : 'Control socket connect: refused' };
  };

  start = async (_remote: unknown, template: string): Promise<MasterStartResult> => {
    const socketPath = this.#expand(template);
    this.starts.push(socketPath);
    await new Promise((resolve) => setTimeout(resolve, this.startDelayMs));
    if (this.nextStart === 'failed') return { outcome: 'failed', code: 255, stderr: 'Permission denied (publickey).' };
    this.sockets.add(socketPath);
    this.dead.delete(socketPath);
    return { outcome: this.nextStart };
  };

  exit = async (socketPath: string): Promise<boolean> => {
    this.exits.push(socketPath);
    const was = this.sockets.delete(socketPath);
    this.dead.delete(socketPath);
    return was;
  };

  socketExists = (socketPath: string): boolean => this.sockets.has(socketPath);

  removeStaleSocket = (socketPath: string): void => {
    this.sockets.delete(socketPath);
    this.dead.delete(socketPath);
  };
}
