export { SshWrapError, type SshWrapErrorCode } from './ssh-wrap-error.js';
