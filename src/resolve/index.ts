export {
  createSshRemoteStoreAdapter,
  createMemoryStoreAdapter,
  resolveSshRemote,
  type SshRemoteStoreAdapter,
  toStorableRemote,
  type SettingsStoreLike,
  type WritableSshRemoteStoreAdapter,
  type SshRemoteStoreAdapterOptions,
  type SettingsStoreAdapterOptions,
} from './store-adapters.js';
export {
  resolveSshConfigHost,
  clearSshConfigCache,
  parseSshGOutput,
  type SshConfigHost,
  type ResolveSshConfigOptions,
} from './ssh-config.js';
export { listSshConfigHosts, defaultSshConfigFile } from './ssh-config-hosts.js';
export { describeEffectiveRemote, type EffectiveRemote } from './effective-remote.js';
export { expandIdentityFile, type SshTokenValues } from './ssh-tokens.js';
export { resolveIdentityFiles } from './identity-files.js';
