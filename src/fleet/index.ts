export { HostFactsSchema, GpuFactsSchema, AgentFactsSchema, parseFactsOutput, FACTS_FORMAT_VERSION, type HostFacts, type GpuFacts } from './facts.js';
export { FACTS_SCRIPT, TOOL_TIMEOUT_SECONDS } from './facts-script.js';
export { HostFactsCache, defaultHostFactsCache, DEFAULT_DISK_PATH, type FactsCacheKey } from './facts-cache.js';
export { probeHost, DEFAULT_FACTS_TTL_MS, type ProbeHostOptions } from './probe-host.js';
export { pickHost, NoSuitableHostError, HostNeedSchema, unmetNeeds, type HostNeed, type HostRejection, type PickHostOptions, type PlacementStrategy } from './pick-host.js';
export { runOnMany, type FleetJob, type FleetEvent, type FleetRunResult, type FleetRunOptions, type RunOnManyOptions } from './run-on-many.js';
export { runsOnHost, countUnpooledRun } from './host-runs.js';
export { resolveTarget, hostKeyOf, type FleetTarget, type ResolvedTarget } from './targets.js';
