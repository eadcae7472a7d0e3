export {
  createSshRemoteStoreAdapter,
  createMemoryStoreAdapter,
  resolveSshRemote,
  type SshRemoteStoreAdapter,
  type SettingsStoreLike,
} from './store-adapters.js';
