export { forwardPort, ForwardPortOptionsSchema, type ForwardPortOptions, type PortForward } from './forward-port.js';
export { forwardSocketToRemote, ForwardSocketOptionsSchema, type ForwardSocketOptions, type SocketForward } from './forward-socket.js';
export { SshForwardError } from './error.js';
export type { ForwardProcessOptions } from './options.js';
