// The remote kill lives with the rest of the stop path (src/exec/terminate/): one implementation
// for the runners and for this public entry point.
export {
  killRemoteProcessGroup,
  buildKillScript,
  type RemoteSignal,
  type KillRemoteOptions,
  type RemoteKillResult,
} from '../exec/terminate/remote-kill.js';
