// The stop path of a run (modelled on execa's lib/terminate/): every reason to stop goes through
// one Terminator, with one local escalation and one remote kill.
export { Terminator, remoteStopTarget, DEFAULT_KILL_GRACE_MS, REMOTE_KILL_TIMEOUT_MS, type StopReason, type RemoteStopTarget, type RemoteStopContext, type TerminatorOptions } from './terminator.js';
export { terminateChild, whenExited, hasExited } from './local.js';
export { killRemoteProcessGroup, buildKillScript, DEFAULT_REMOTE_GRACE_MS, type RemoteSignal, type KillRemoteOptions, type RemoteKillResult } from './remote-kill.js';
