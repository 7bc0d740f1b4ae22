// Redis keys of routing state. ioredis adds the deployment prefix to keys passed as KEYS; Lua
// scripts that reach other keys build them from the same names plus the prefix they are given.

/** Every agent state careline knows. `reserved` and `busy` are set only by routing. */
export const AGENT_STATES = ['offline', 'available', 'reserved', 'busy', 'wrap-up', 'break'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

export const keys = {
  /** hash: state, since, skills (JSON), task, name */
  agent: (agentId: string) => `rt:agent:${agentId}`,
  /** zset: available agent ids scored by the time they became available (ms) */
  available: 'rt:available',
  /** set: every agent id that ever had a presence */
  agents: 'rt:agents',
  /** zset: waiting task ids scored by priority, then age */
  waiting: 'rt:waiting',
  /** zset: reserved task ids scored by the ring deadline (ms) */
  reserved: 'rt:reserved',
  /** hash: one routing task (a queued call or a callback) */
  task: (taskId: string) => `rt:task:${taskId}`,
  /** set: ids of every live task (waiting, reserved or connected) */
  tasks: 'rt:tasks',
} as const;

/** The key prefix Lua scripts prepend to keys they build themselves. */
export const LUA_AGENT_PREFIX = 'rt:agent:';
export const LUA_TASK_PREFIX = 'rt:task:';
