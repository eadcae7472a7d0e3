export type TestShell = 'bash' | 'dash' | 'zsh' | 'mksh' | 'ash' | 'fish' | 'tcsh';

export const ALL_SHELLS: readonly TestShell[] = ['bash', 'dash', 'zsh', 'mksh', 'ash', 'fish', 'tcsh'];

export interface TestbedUser {
  name: string;
  shell: TestShell;
  /** The login shell exactly as recorded in the passwd entry. */
  shellPath: string;
  home: string;
}

/** Plain data only: it travels through vitest's provide/inject. */
export interface TestbedInfo {
  host: '127.0.0.1';
  port: number;
  dir: string;
  /** ed25519, no passphrase, mode 0600; authorised for every user. */
  clientKey: string;
  /** Passphrase 'testpass'; also authorised. */
  encryptedClientKey: string;
  /** Starts empty; for tests to pass as UserKnownHostsFile. */
  knownHostsFile: string;
  /** Pre-populated with the current host key (rewritten by restart); used by clientConfigFile. */
  trustedKnownHostsFile: string;
  /** The server's current host public key line ("ssh-ed25519 AAAA... comment"). */
  hostPublicKey: string;
  /** Minimal ssh_config for `ssh -F`: nothing from /etc/ssh or ~/.ssh leaks in. */
  clientConfigFile: string;
  users: TestbedUser[];
  /** Absolute path of the argv/env/cwd/stdin dumper, executable by every user. */
  argdump: string;
  sshdPid: number;
  sshdLog: string;
}

export type UsersMode = 'all-shells' | 'current';

export interface StartTestbedOptions {
  users?: UsersMode;
  /** Prepended to the generated sshd_config (sshd keeps the first value it sees), except
   *  lines from the first `Match` on, which are appended. */
  sshdConfigExtra?: string[];
  port?: number;
  /** 'all-shells' only: how long to wait for another all-shells testbed on this machine to
   *  stop (the swt_* users are shared). Default 0: fail at once. */
  lockWaitMs?: number;
}

export interface RestartOptions {
  newHostKey?: boolean;
  /** Leave established sessions running, like `systemctl restart ssh`. Default: kill them. */
  keepConnections?: boolean;
}

export interface Testbed extends TestbedInfo {
  stop(): Promise<void>;
  restart(opts?: RestartOptions): Promise<void>;
}
