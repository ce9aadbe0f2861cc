/**
 * Helpers for the chaos suite: the shared fault proxy, clients, and a
 * seeded tenant with a member token and a flow. The server runs in its own
 * process (`spawnReferenceServer()` of `../_helpers/reference_server.ts`).
 *
 * @module
 */

import { Client } from "../../client/client.ts";
import type { ClientOptions } from "../../client/client_options.ts";
import { Credentials } from "../../auth/credentials.ts";
import type { LoadConfigOptions } from "../../config/config.ts";
import { seedTenant } from "../_helpers/seed.ts";

export {
  FAULT_KINDS,
  type FaultKind,
  type FaultProxy,
  type FaultProxyOptions,
  seededRandom,
  startFaultProxy,
} from "../_helpers/fault_proxy.ts";

/** Options for {@linkcode makeClient}. */
export interface MakeClientOptions
  extends Omit<ClientOptions, "credentials" | "config"> {
  /** Merged over `{ endpoints, envFile: false, env: {} }`. */
  config?: LoadConfigOptions;
}

/** A client with an empty environment and fast backoff. */
export function makeClient(
  endpoints: string | URL | readonly (string | URL)[],
  credentials: ConstructorParameters<typeof Credentials>[0],
  options: MakeClientOptions = {},
): Client {
  return new Client({
    retryBackoff: { initialDelayMs: 5, maxDelayMs: 50 },
    ...options,
    credentials: new Credentials(credentials),
    config: {
      endpoints: endpoints as string,
      envFile: false,
      env: {},
      ...options.config,
    },
  });
}

/** A tenant with a member's tenant-scoped token and one flow. */
export interface Workspace {
  /** The tenant's slug. */
  slug: string;
  /** The member's tenant-scoped API token. */
  token: string;
  /** A flow in the tenant. */
  flowId: string;
}

let workspaces = 0;

/** Seeds a tenant and a member with a tenant token, then a project and a flow. */
export async function createWorkspace(origin: URL): Promise<Workspace> {
  const slug = `chaos-${Date.now().toString(36)}-${workspaces++}`;
  const seeded = await seedTenant({ url: origin }, slug, {
    roles: ["member"],
    name: `Chaos ${slug}`,
  });
  const token = seeded.tokens.member;
  await using member = makeClient(origin, { token });
  const project = await member.projects.create({ name: "chaos" });
  const flow = await member.flows.register({
    name: "load",
    project: project.id,
  });
  return { slug, token, flowId: flow.id };
}

/** Runs `count` jobs with at most `concurrency` at a time. */
export async function pool(
  count: number,
  concurrency: number,
  job: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await job(next++);
    }),
  );
}
