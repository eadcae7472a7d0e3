// A separate Node process that starts a detached run, prints it as one JSON line and then
// waits to be SIGKILLed: the integration test checks the run survives its starter.
// Input: SW_STARTER = JSON { remote, config, options }, SW_STARTER_SECRET = a secretEnv value.
import { createMemoryStoreAdapter } from '../../src/resolve/index.js';
import { startDetached } from '../../src/detached/index.js';

const input = JSON.parse(process.env.SW_STARTER ?? '{}') as { remote: { id: string }; config: Parameters<typeof startDetached>[0]; options: Record<string, unknown> };
const secret = process.env.SW_STARTER_SECRET;
const run = await startDetached(input.config, { enabled: true, remoteId: input.remote.id }, createMemoryStoreAdapter([input.remote as never]), {
  ...input.options,
  ...(secret ? { secretEnv: { SW_TOKEN: secret } } : {}),
});
process.stdout.write(`${JSON.stringify(run)}\n`);
// Bounded: the test kills this process long before; it must not outlive a crashed test.
setTimeout(() => process.exit(0), 120_000);
