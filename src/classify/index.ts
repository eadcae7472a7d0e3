export { SSH_FAILURE_HINTS, SSH_FAILURE_KINDS, type SshFailureKind } from './kinds.js';
export { SSH_STDERR_PATTERNS, type SshStderrPattern } from './patterns.js';
export { classifySshFailure, type SshFailure, type SshFailureInput } from './classify.js';
