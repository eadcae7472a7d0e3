export { registerAgent, getAgent, listAgents, BUILTIN_AGENTS, type AgentDefinition } from './agents.js';
export { groomContext, type GroomContextOptions } from './groom-context.js';
