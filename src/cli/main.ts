import { processIo } from './io.js';
import { run } from './run.js';

// The package bin (dist/cli.js). Everything else lives in run.ts so tests can call it in-process.
const io = processIo();
const code = await run(process.argv.slice(2), io);
process.exitCode = code;
