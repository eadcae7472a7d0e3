// `sshwrap/testing`: a real, throwaway OpenSSH server for consumers' tests. Kept off the main
// entry: apps never need it at run time.
export { startTestSshServer, type TestSshServer, type TestSshServerOptions } from './test-ssh-server.js';
