export * from './errors/index.js';
export * from './schemas/index.js';
export * from './quoting/index.js';
export * from './wrap/index.js';
export * from './resolve/index.js';
