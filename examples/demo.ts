/**
 * The Runplane demo: starts the reference server in this process, gives two
 * users a tenant each (one with a tenant-scoped API token, one with an HMAC
 * keypair), runs both users' sessions at the same time through the whole
 * lifecycle of a flow run, and checks that neither user saw the other's data.
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
  ConflictError,
  Credentials,
  getActiveClient,
  NotFoundError,
  type StateChange,
  type TaskRun,
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

/** One user's whole flow-run lifecycle, with the session's client. */
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
  const v1 = await client.flows.register({
    name: "nightly-etl",
    project: project.id,
    definition: { tasks: ["extract", "load"] },
  });
  const v2 = await client.flows.register({
    name: "nightly-etl",
    project: project.id,
    definition: { tasks: ["extract", "transform", "load"] },
  });
  const archived = (await client.flows.get(v1.id)).archived;
  check(
    v2.version === 2 && v2.versionGroupId === v1.versionGroupId && archived,
    "flow version 2 did not archive version 1",
  );
  lines.push(`project ${project.name}; flow v2 registered, v1 archived`);

  const key = `${user}-nightly-2026-11-22`;
  const run = await client.flowRuns.create({
    flowId: v2.id,
    parameters: { day: "2026-11-22" },
    idempotencyKey: key,
    runName: `${user}-nightly`,
  });
  const again = await client.flowRuns.create({
    flowId: v2.id,
    parameters: { day: "2026-11-22" },
    idempotencyKey: key,
    runName: `${user}-nightly`,
  });
  check(again.id === run.id, "the idempotency key made a second run");
  lines.push(`flow run created twice with one idempotency key: same id`);

  const running = await client.flowRuns.setState(run.id, {
    version: run.version,
    state: "RUNNING",
  });
  try {
    await client.flowRuns.setState(run.id, {
      version: run.version,
      state: "FAILED",
    });
    throw new Error("A stale version was accepted");
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  lines.push(
    `flow run RUNNING (version ${running.version}); stale version refused`,
  );

  const tasks = await Promise.all(
    ["extract", "load"].map((taskId) =>
      client.taskRuns.getOrCreate({ flowRunId: run.id, taskId, tags: [TAG] })
    ),
  );
  const changes = await Promise.all(
    tasks.map((task) =>
      client.taskRuns.setState(task.id, {
        version: task.version,
        state: "RUNNING",
      })
    ),
  );
  const queued = changes.filter((change) => change.state.type === "QUEUED");
  check(
    queued.length === 1 && queued[0].retryAfterMs !== undefined,
    "the tag limit of 1 did not queue one task run",
  );
  lines.push(
    `tag limit 1: one task RUNNING, one QUEUED (retry after ${
      queued[0].retryAfterMs
    } ms)`,
  );

  const writer = client.logs.writer({ flowRunId: run.id, maxBatch: 50 });
  for (let i = 1; i <= 5; i++) writer.log("info", `Processed batch ${i}`);
  writer.log("WARNING", "3 rows had no date");
  await writer.close();
  const logs = await Array.fromAsync(client.logs.list({ flowRunId: run.id }));
  check(logs.length === 6, "the log writer lost lines");
  lines.push(`${logs.length} log lines shipped by the writer`);

  const secret = `pw-${user}-${crypto.randomUUID()}`;
  await client.secrets.set("warehouse-password", secret);
  check(
    await client.secrets.get("warehouse-password") === secret,
    "the secret did not round-trip",
  );
  lines.push(
    `secret set and read back (${
      (await client.secrets.list()).length
    } listed by name)`,
  );

  const agent = await client.agents.register({
    type: "process",
    name: `${user}-worker`,
  });
  const beats = await Promise.all([
    client.flowRuns.heartbeat(run.id),
    client.taskRuns.heartbeat(tasks[0].id),
    client.agents.heartbeat(agent.id),
  ]);
  check(beats.every(Boolean), "a heartbeat failed");
  lines.push("heartbeats sent for the run, a task and an agent");

  await finishTasks(client, tasks, changes);
  const done = await client.flowRuns.setState(run.id, {
    version: running.version,
    state: { type: "SUCCESS", message: "All tasks done" },
  });
  check(done.state.type === "SUCCESS", "the run did not finish");
  lines.push(`flow run SUCCESS: ${client.uiUrl("flow-run", run.id)}`);
  return { user, projectId: project.id, flowRunId: run.id, lines };
}

/** Finishes the running task, then lets the queued one run and finish. */
async function finishTasks(
  client: Client,
  tasks: TaskRun[],
  changes: StateChange[],
): Promise<void> {
  const order = changes[0].state.type === "RUNNING" ? [0, 1] : [1, 0];
  const [first, second] = order;
  await client.taskRuns.setState(tasks[first].id, {
    version: changes[first].version,
    state: "SUCCESS",
  });
  const now = await client.taskRuns.setState(tasks[second].id, {
    version: changes[second].version,
    state: "RUNNING",
  });
  check(now.state.type === "RUNNING", "the queued task could not run");
  await client.taskRuns.setState(tasks[second].id, {
    version: now.version,
    state: "SUCCESS",
  });
}

/** Checks that `client` sees its own objects and none of the other user's. */
async function checkIsolation(
  client: Client,
  mine: SessionResult,
  theirs: SessionResult,
): Promise<void> {
  const projects = (await client.projects.list()).map((p) => p.id);
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
