/**
 * {@linkcode AgentStore}: agents.
 *
 * @module
 */

import type { Database } from "../db/database.ts";
import { uuidV7 } from "../ids.ts";
import type { Agent, AgentStore } from "../store.ts";

/** The agent operations over `db`. */
export function agentStore(db: Database): AgentStore {
  return {
    async createAgent(tenantId, input) {
      const agent: Agent = {
        id: uuidV7(),
        ...input,
        lastHeartbeat: new Date().toISOString(),
      };
      await db.run(
        `INSERT INTO agents (id, tenant_id, type, name, labels, last_heartbeat, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        agent.id,
        tenantId,
        agent.type,
        agent.name,
        JSON.stringify(agent.labels),
        agent.lastHeartbeat,
        agent.lastHeartbeat,
      );
      return agent;
    },

    async heartbeatAgent(tenantId, id) {
      return (await db.run(
        "UPDATE agents SET last_heartbeat = ? WHERE tenant_id = ? AND id = ?",
        new Date().toISOString(),
        tenantId,
        id,
      )).changes === 1;
    },
  };
}
