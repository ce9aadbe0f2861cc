/**
 * The Runplane demo: starts the reference server in this process, gives two
 * users a tenant each (one with a tenant-scoped API token, one with an HMAC
 * keypair), runs a flow of tasks for both users at the same time through
 * `flow()` and `task()` (tag limits, a retry, logs, an idempotency key), and
 * checks that neither user saw the other's data.
 *
 * ```sh
 * deno task demo
 * ```
 *
 * Exits 0 after a short report, or prints one error line and exits 1.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import {
  Client,
  Credentials,
  flow,
  getActiveClient,
  getRunLogger,
  NotFoundError,
  task,
} from "../mod.ts";
import { startServer } from "../server/mod.ts";

/** What one user's session leaves behind, for the isolation check. */
interface SessionResult {
  user: string;
  projectId: string;
  flowRunId: string;
  lines: string[];
}

/** One demo user: a name and a client with its own credentials. */
interface DemoUser {
  name: string;
  auth: string;
  client: Client;
}

const TAG = "warehouse";

async function main(): Promise<void> {
  const folder = await Deno.makeTempDir({ prefix: "runplane-demo-" });
  const adminToken = `rpadm_${crypto.randomUUID()}`;
  const server = await startServer({
    port: 0,
    databasePath: `${folder}/runplane.db`,
    adminToken,
    quiet: true,
  });
  const clients: Client[] = [];
  const newClient = (credentials: Credentials, tenant?: string) => {
    const client = new Client({
      credentials,
      config: {
        endpoints: server.url.href,
        tenant,
        envFile: false,
        env: {},
      },
    });
    clients.push(client);
    return client;
  };
  try {
    console.log(`Runplane demo: server at ${server.url.href}`);
    const admin = newClient(new Credentials({ token: adminToken }));

    // Provisioning: a tenant per user, each with a tag limit of 1.
    const alice = await provision(admin, "alice", "token", newClient);
    const bob = await provision(admin, "bob", "keypair", newClient);
    console.log(
      `✓ provisioned tenants ${alice.client.config.tenant} (alice, API token) and ${bob.client.config.tenant} (bob, keypair), tag limit ${TAG}=1 each`,
    );

    // Both users at once, each in its own session.
    const results = await Promise.all(
      [alice, bob].map((user) =>
        user.client.session(() => lifecycle(user.name, user.auth))
      ),
    );
    for (const result of results) {
      console.log(`\n${result.user}`);
      for (const line of result.lines) console.log(`  ✓ ${line}`);
    }

    // Isolation: each user sees only its own projects and runs.
    const [a, b] = results;
    await checkIsolation(alice.client, a, b);
    await checkIsolation(bob.client, b, a);
    console.log("\n✓ isolation: neither user saw the other's projects or runs");
    console.log("Demo finished: all checks passed");
  } finally {
    await Promise.allSettled(clients.map((client) => client.close()));
    await server.close();
    await Deno.remove(folder, { recursive: true });
  }
}

/** Creates the user's tenant, the user, its credentials and the tag limit. */
async function provision(
  admin: Client,
  name: string,
  auth: "token" | "keypair",
  newClient: (credentials: Credentials, tenant?: string) => Client,
): Promise<DemoUser> {
  const slug = `${name}-team`;
  await admin.tenants.create({ slug, name: `${name}'s team` });
  await admin.users.create({
    username: name,
    password: `demo-${crypto.randomUUID()}`,
    tenant: slug,
    role: "member",
  });
  const tenantAdmin = newClient(
    new Credentials({ token: await admin.getAuthToken() as string }),
    slug,
  );
  await tenantAdmin.concurrencyLimits.update(TAG, 1);
  let credentials: Credentials;
  if (auth === "token") {
    const { token } = await admin.apiTokens.create({
      name: `${name}-laptop`,
      scope: "tenant",
      username: name,
      tenant: slug,
    });
    credentials = new Credentials({ token });
  } else {
    const keys = await admin.accessKeys.create({
      username: name,
      tenant: slug,
    });
    credentials = new Credentials(keys);
  }
  return {
    name,
    auth: auth === "token" ? "API token" : "keypair",
    client: newClient(credentials, slug),
  };
}

/** One user's whole flow run, through `flow()` and `task()`, with the session's client. */
async function lifecycle(user: string, auth: string): Promise<SessionResult> {
  const client = getActiveClient();
  if (client === undefined) throw new Error("No active client in the session");
  const lines: string[] = [];
  const slug = await client.tenants.defaultSlug();
  lines.push(`signed in with ${auth} to tenant ${slug}`);

  const project = await client.projects.create({
    name: `${user}-analytics`,
    description: `${user}'s demo project`,
  });
  let executions = 0;
  let loadAttempts = 0;
  const extract = task("extract", { tags: [TAG] }, async (batch: number) => {
    getRunLogger().info(`Processed batch ${batch}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    return batch * 10;
  });
  const load = task(
    "load",
    { retries: 1, retryDelayMs: 10 },
    (rows: number[]) => {
      if (++loadAttempts === 1) throw new Error("Warehouse busy");
      return rows.reduce((sum, count) => sum + count, 0);
    },
  );
  const nightly = flow(
    "nightly-etl",
    { project: project.name, description: `${user}'s nightly ETL` },
    async ({ day }: { day: string }, { flowRun }) => {
      executions++;
      const rows = await extract.map([1, 2]);
      getRunLogger().warning(`3 rows of ${day} had no date`);
      return { runId: flowRun.id, total: await load(rows) };
    },
  );

  // The session's client runs it; the idempotency key makes it run once.
  const key = `${user}-nightly-2026-11-22`;
  const first = await nightly.run({ day: "2026-11-22" }, {
    idempotencyKey: key,
  });
  const again = await nightly.run({ day: "2026-11-22" }, {
    idempotencyKey: key,
  });
  check(
    executions === 1 && again.runId === first.runId &&
      again.total === first.total,
    "the idempotency key ran the flow twice",
  );
  const [flowVersion] = await client.flows.list({ project: project.id })
    .toArray();
  lines.push(
    `project ${project.name}; flow ${flowVersion.name} v${flowVersion.version} registered by the runner`,
  );
  lines.push(
    `flow run twice with one idempotency key: ran once, total ${first.total}`,
  );

  const run = await client.flowRuns.get(first.runId);
  const states = run.history?.map((state) => state.type).join(" → ");
  check(
    states === "SCHEDULED → PENDING → RUNNING → SUCCESS",
    `the flow run went ${states}`,
  );
  lines.push(`flow run ${states} (version ${run.version})`);

  const taskRun = (taskId: string, mapIndex: number) =>
    client.taskRuns.getOrCreate({ flowRunId: run.id, taskId, mapIndex })
      .then((found) => client.taskRuns.get(found.id));
  const extracts = await Promise.all([0, 1].map((i) => taskRun("extract", i)));
  const queued = extracts.filter((task) =>
    task.history?.some((state) => state.type === "QUEUED")
  );
  check(
    queued.length === 1 &&
      extracts.every((task) => task.state.type === "SUCCESS"),
    "the tag limit of 1 did not queue one extract task",
  );
  lines.push("tag limit 1: one extract task QUEUED, both SUCCESS");
  const loaded = await taskRun("load", 0);
  const attempts = loaded.history?.slice(1).map((state) => state.type)
    .join(" → ");
  check(
    attempts === "RUNNING → RETRYING → RUNNING → SUCCESS",
    `the load task went ${attempts}`,
  );
  lines.push(`load retried once: ${attempts}`);

  const logs = await Array.fromAsync(client.logs.list({ flowRunId: run.id }));
  check(logs.length === 3, "the runner lost log lines");
  lines.push(`${logs.length} log lines shipped by the runner`);

  const secret = `pw-${user}-${crypto.randomUUID()}`;
  await client.secrets.set("warehouse-password", secret);
  check(
    await client.secrets.get("warehouse-password") === secret,
    "the secret did not round-trip",
  );
  lines.push(
    `secret set and read back (${
      (await client.secrets.list().toArray()).length
    } listed by name)`,
  );

  const agent = await client.agents.register({
    type: "process",
    name: `${user}-worker`,
  });
  check(await client.agents.heartbeat(agent.id), "a heartbeat failed");
  lines.push("agent registered, heartbeat sent");

  lines.push(`flow run SUCCESS: ${client.uiUrl("flow-run", run.id)}`);
  return { user, projectId: project.id, flowRunId: run.id, lines };
}

/** Checks that `client` sees its own objects and none of the other user's. */
async function checkIsolation(
  client: Client,
  mine: SessionResult,
  theirs: SessionResult,
): Promise<void> {
  const projects = (await client.projects.list().toArray()).map((p) => p.id);
  const runs = (await Array.fromAsync(client.flowRuns.list())).map((r) => r.id);
  check(
    projects.includes(mine.projectId) && runs.includes(mine.flowRunId),
    `${mine.user} cannot see its own data`,
  );
  check(
    !projects.includes(theirs.projectId) && !runs.includes(theirs.flowRunId),
    `${mine.user} can see ${theirs.user}'s data`,
  );
  try {
    await client.flowRuns.get(theirs.flowRunId);
    throw new Error(`${mine.user} can read ${theirs.user}'s flow run`);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

function check(condition: boolean, failure: string): asserts condition {
  if (!condition) throw new Error(failure);
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error(
      `✗ Demo failed: ${
        error instanceof Error ? `${error.name}: ${error.message}` : error
      }`,
    );
    Deno.exitCode = 1;
  }
}
