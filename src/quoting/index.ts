export { quotePosix } from './posix.js';
export { encodeForAnyShell, utf8Length } from './any-shell.js';
export { quoteWindowsArg, quotePowerShell, encodePowerShellCommand } from './windows.js';
