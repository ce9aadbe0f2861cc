/**
 * The web UI's read-only pages: the caller's tenants, a tenant's recent flow
 * runs, and one flow run, task run, flow or project.
 *
 * @module
 */

import { notFound } from "../http_error.ts";
import type { Flow, LogEntry, Store, TaskRun, Tenant } from "../store.ts";
import {
  displayName,
  type PageHandler,
  pathTenant,
  type UiContext,
} from "./context.ts";
import { html, type SafeHtml } from "./html.ts";
import {
  htmlResponse,
  layout,
  link,
  redirect,
  stateBadge,
  time,
  uiPath,
} from "./layout.ts";

/** How many runs the runs page lists. */
const RECENT_RUNS = 50;
/** How many log lines a flow-run page shows, the newest. */
const RUN_LOG_LINES = 500;
/** How many task runs a flow-run page shows. */
const TASK_RUNS = 1_000;
/** How many log lines a task-run page shows, the newest. */
const TASK_LOG_LINES = 200;
/** How many runs a flow page lists. */
const FLOW_RUNS = 20;

/** `GET /ui/`: the tenants the caller can use. */
export const tenantsPage: PageHandler = async function tenantsPage(ctx) {
  const { principal } = ctx;
  const store = ctx.services.store;
  let tenants: Array<Tenant & { role?: string }>;
  if (principal.kind === "admin") {
    tenants = await store.listTenants();
  } else if (principal.tenantId !== null) {
    const tenant = await store.tenantById(principal.tenantId);
    const role = await store.role(principal.userId, principal.tenantId);
    tenants = tenant && role ? [{ ...tenant, role }] : [];
  } else {
    tenants = await store.userTenants(principal.userId);
  }
  const rows = tenants.map((tenant) =>
    html`
      <tr>
        <td>${link(uiPath(tenant.slug, "flow-runs"), tenant.name)}</td>
        <td><code>${tenant.slug}</code></td>
        <td>${tenant.role ?? "admin"}</td>
        <td>${time(tenant.createdAt)}</td>
      </tr>
    `
  );
  return page(
    ctx,
    "Tenants",
    [],
    html`<h1>Tenants</h1>
${
      rows.length === 0
        ? html`<p class="empty">You are not a member of any tenant.</p>`
        : html`
          <table class="tenants">
            <thead>
              <tr>
                <th>Name</th>
                <th>Slug</th>
                <th>Role</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>${rows}</tbody>
          </table>
        `
    }`,
  );
};

/** `GET /ui/:tenant`: on to the tenant's runs. */
export const tenantHome: PageHandler = async function tenantHome(ctx) {
  const { tenant } = await pathTenant(ctx);
  return redirect(uiPath(tenant.slug, "flow-runs"));
};

/** `GET /ui/:tenant/flow-runs`: the newest runs. */
export const flowRunsPage: PageHandler = async function flowRunsPage(ctx) {
  const { tenant } = await pathTenant(ctx);
  const store = ctx.services.store;
  const { items } = await store.listFlowRuns(tenant.id, {
    limit: RECENT_RUNS,
  });
  const flows = flowLookup(store, tenant.id);
  const rows = await Promise.all(items.map(async (run) => {
    const flow = await flows(run.flowId);
    return html`
      <tr>
        <td>${link(uiPath(tenant.slug, "flow-runs", run.id), run.name)}</td>
        <td>${stateBadge(run.state)}</td>
        <td>${flowLink(tenant, run.flowId, flow)}</td>
        <td>${time(run.updatedAt)}</td>
      </tr>
    `;
  }));
  return page(
    ctx,
    `Flow runs · ${tenant.name}`,
    [[tenant.name, uiPath(tenant.slug, "flow-runs")]],
    html`<h1>Flow runs</h1>
<p class="muted">The newest ${RECENT_RUNS}, newest first.</p>
${
      rows.length === 0 ? html`<p class="empty">No flow runs yet.</p>` : html`
        <table class="flow-runs">
          <thead>
            <tr>
              <th>Name</th>
              <th>State</th>
              <th>Flow</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>${rows}</tbody>
        </table>
      `
    }`,
  );
};

/** `GET /ui/:tenant/flow-runs/:id`: a run, its timeline, task runs and logs. */
export const flowRunPage: PageHandler = async function flowRunPage(ctx) {
  const { tenant } = await pathTenant(ctx);
  const store = ctx.services.store;
  const run = await store.flowRun(tenant.id, ctx.params.id ?? "");
  if (!run) throw notFound("Flow run");
  const [flow, taskRuns, logs] = await Promise.all([
    store.flow(tenant.id, run.flowId),
    store.listTaskRuns(tenant.id, run.id, TASK_RUNS),
    store.recentLogs(tenant.id, {
      flowRunId: run.id,
      limit: RUN_LOG_LINES + 1,
    }),
  ]);
  const timeline = run.history.map((state) =>
    html`<li>${stateBadge(state)} ${time(state.timestamp)}${
      state.message === undefined || state.message === "" ? "" : html`
        <span class="message">${state.message}</span>
      `
    }</li>`
  );
  return page(
    ctx,
    run.name,
    [
      [tenant.name, uiPath(tenant.slug, "flow-runs")],
      ["Flow runs", uiPath(tenant.slug, "flow-runs")],
    ],
    html`
      <h1><span class="name">${run.name}</span> ${stateBadge(run.state)}</h1>
      <dl>
        <dt>Id</dt>
        <dd><code>${run.id}</code></dd>
        <dt>Flow</dt>
        <dd>${flowLink(tenant, run.flowId, flow)}</dd>
        <dt>Version</dt>
        <dd>${run.version}</dd>
        <dt>Scheduled start</dt>
        <dd>${time(run.scheduledStartTime)}</dd>
        <dt>Created</dt>
        <dd>${time(run.createdAt)}</dd>
        <dt>Updated</dt>
        <dd>${time(run.updatedAt)}</dd>
        <dt>Heartbeat</dt>
        <dd>${time(run.heartbeatAt)}</dd>
      </dl>
      <h2>Parameters</h2>
      <pre class="parameters">${JSON.stringify(run.parameters, null, 2)}</pre>
      <h2>State timeline</h2>
      <ol class="timeline">${timeline}</ol>
      <h2>Task runs</h2>
      ${taskRunTable(tenant, taskRuns)}
      <h2>Logs</h2>
      ${logTable(logs, RUN_LOG_LINES)}
    `,
  );
};

/** `GET /ui/:tenant/task-runs/:id`: a task run and its newest log lines. */
export const taskRunPage: PageHandler = async function taskRunPage(ctx) {
  const { tenant } = await pathTenant(ctx);
  const store = ctx.services.store;
  const taskRun = await store.taskRun(tenant.id, ctx.params.id ?? "");
  if (!taskRun) throw notFound("Task run");
  const [run, logs] = await Promise.all([
    store.flowRun(tenant.id, taskRun.flowRunId),
    store.recentLogs(tenant.id, {
      flowRunId: taskRun.flowRunId,
      taskRunId: taskRun.id,
      limit: TASK_LOG_LINES + 1,
    }),
  ]);
  const runPath = uiPath(tenant.slug, "flow-runs", taskRun.flowRunId);
  return page(
    ctx,
    `Task ${taskRun.taskId}`,
    [
      [tenant.name, uiPath(tenant.slug, "flow-runs")],
      [run?.name ?? "Flow run", runPath],
    ],
    html`
      <h1><span class="name">${taskRun.taskId}</span> ${stateBadge(
        taskRun.state,
      )}</h1>
      <dl>
        <dt>Id</dt>
        <dd><code>${taskRun.id}</code></dd>
        <dt>Flow run</dt>
        <dd>${link(runPath, run?.name ?? taskRun.flowRunId)}</dd>
        <dt>Map index</dt>
        <dd>${taskRun.mapIndex}</dd>
        <dt>Tags</dt>
        <dd>${tags(taskRun.tags)}</dd>
        <dt>Version</dt>
        <dd>${taskRun.version}</dd>
        <dt>Created</dt>
        <dd>${time(taskRun.createdAt)}</dd>
        <dt>Updated</dt>
        <dd>${time(taskRun.updatedAt)}</dd>
        <dt>Heartbeat</dt>
        <dd>${time(taskRun.heartbeatAt)}</dd>
      </dl>
      <h2>Logs</h2>
      ${logTable(logs, TASK_LOG_LINES)}
    `,
  );
};

/** `GET /ui/:tenant/flows/:id`: a flow version and its newest runs. */
export const flowPage: PageHandler = async function flowPage(ctx) {
  const { tenant } = await pathTenant(ctx);
  const store = ctx.services.store;
  const flow = await store.flow(tenant.id, ctx.params.id ?? "");
  if (!flow) throw notFound("Flow");
  const [project, runs] = await Promise.all([
    store.project(tenant.id, flow.projectId),
    store.listFlowRuns(tenant.id, { flowId: flow.id, limit: FLOW_RUNS }),
  ]);
  const projectPath = uiPath(tenant.slug, "projects", flow.projectId);
  const rows = runs.items.map((run) =>
    html`
      <tr>
        <td>${link(uiPath(tenant.slug, "flow-runs", run.id), run.name)}</td>
        <td>${stateBadge(run.state)}</td>
        <td>${time(run.updatedAt)}</td>
      </tr>
    `
  );
  return page(
    ctx,
    `Flow ${flow.name}`,
    [
      [tenant.name, uiPath(tenant.slug, "flow-runs")],
      [project?.name ?? "Project", projectPath],
    ],
    html`
      <h1><span class="name">${flow.name}</span></h1>
      <dl>
        <dt>Id</dt>
        <dd><code>${flow.id}</code></dd>
        <dt>Project</dt>
        <dd>${link(projectPath, project?.name ?? flow.projectId)}</dd>
        <dt>Version</dt>
        <dd>${flow.version}</dd>
        <dt>Version group</dt>
        <dd><code>${flow.versionGroupId}</code></dd>
        <dt>Archived</dt>
        <dd>${flow.archived ? "yes" : "no"}</dd>
        <dt>Schedule active</dt>
        <dd>${flow.scheduleActive ? "yes" : "no"}</dd>
        <dt>Created</dt>
        <dd>${time(flow.createdAt)}</dd>
      </dl>
      <h2>Newest runs</h2>
      ${rows.length === 0
        ? html`<p class="empty">No runs of this flow.</p>`
        : html`
          <table class="flow-runs">
            <thead>
              <tr>
                <th>Name</th>
                <th>State</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>${rows}</tbody>
          </table>
        `}
    `,
  );
};

/** `GET /ui/:tenant/projects/:id`: a project and its flows. */
export const projectPage: PageHandler = async function projectPage(ctx) {
  const { tenant } = await pathTenant(ctx);
  const store = ctx.services.store;
  const project = await store.project(tenant.id, ctx.params.id ?? "");
  if (!project) throw notFound("Project");
  const flows = await store.listFlows(tenant.id, project.id);
  const rows = flows.map((flow) =>
    html`
      <tr>
        <td>${link(uiPath(tenant.slug, "flows", flow.id), flow.name)}</td>
        <td>${flow.version}</td>
        <td>${flow.archived ? "yes" : "no"}</td>
        <td>${time(flow.createdAt)}</td>
      </tr>
    `
  );
  return page(
    ctx,
    `Project ${project.name}`,
    [[tenant.name, uiPath(tenant.slug, "flow-runs")]],
    html`
      <h1><span class="name">${project.name}</span></h1>
      <dl>
        <dt>Id</dt>
        <dd><code>${project.id}</code></dd>
        <dt>Description</dt>
        <dd>${project.description ?? ""}</dd>
        <dt>Created</dt>
        <dd>${time(project.createdAt)}</dd>
      </dl>
      <h2>Flows</h2>
      ${rows.length === 0
        ? html`<p class="empty">No flows in this project.</p>`
        : html`
          <table class="flows">
            <thead>
              <tr>
                <th>Name</th>
                <th>Version</th>
                <th>Archived</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>${rows}</tbody>
          </table>
        `}
    `,
  );
};

/** A signed-in page: breadcrumbs, then the content. */
function page(
  ctx: UiContext,
  title: string,
  crumbs: Array<[string, string]>,
  body: SafeHtml,
): Response {
  const trail = [
    link("/ui/", "Tenants"),
    ...crumbs.map(([text, href]) =>
      html`
        / ${link(href, text)}
      `
    ),
  ];
  return htmlResponse(layout({
    title,
    who: displayName(ctx.principal),
    canLogOut: ctx.principal.kind === "user" &&
      ctx.principal.via === "session",
    body: html`<nav class="crumbs">${trail}</nav>
${body}`,
  }));
}

function taskRunTable(tenant: Tenant, taskRuns: TaskRun[]): SafeHtml {
  if (taskRuns.length === 0) {
    return html`<p class="empty">No task runs.</p>`;
  }
  const rows = taskRuns.map((taskRun) =>
    html`
      <tr>
        <td>${link(
          uiPath(tenant.slug, "task-runs", taskRun.id),
          taskRun.taskId,
        )}</td>
        <td>${taskRun.mapIndex}</td>
        <td>${tags(taskRun.tags)}</td>
        <td>${stateBadge(taskRun.state)}</td>
        <td>${time(taskRun.updatedAt)}</td>
      </tr>
    `
  );
  return html`
    <table class="task-runs">
      <thead>
        <tr>
          <th>Task</th>
          <th>Map index</th>
          <th>Tags</th>
          <th>State</th>
          <th>Updated</th>
        </tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>
  `;
}

/** Log lines, oldest first; `lines` holds up to `shown + 1` so a cut can be told. */
function logTable(lines: LogEntry[], shown: number): SafeHtml {
  if (lines.length === 0) return html`<p class="empty">No log lines.</p>`;
  const cut = lines.length > shown;
  const rows = (cut ? lines.slice(lines.length - shown) : lines).map((line) =>
    html`
      <tr>
        <td>${time(line.timestamp)}</td>
        <td class="level level-${line.level}">${line.level}</td>
        <td class="message">${line.message}</td>
      </tr>
    `
  );
  return html`
    ${cut
      ? html`<p class="muted">The newest ${shown} lines.</p>`
      : ""}<table class="logs">
      <thead>
        <tr>
          <th>Time</th>
          <th>Level</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>
  `;
}

function tags(values: string[]): SafeHtml {
  if (values.length === 0) return html`<span class="muted">—</span>`;
  return html`${values.map((tag) => html`<span class="tag">${tag}</span>`)}`;
}

function flowLink(
  tenant: Tenant,
  flowId: string,
  flow: Flow | undefined,
): SafeHtml {
  return link(
    uiPath(tenant.slug, "flows", flowId),
    flow ? `${flow.name} v${flow.version}` : flowId,
  );
}

/** Looks flows up once each, for a page that lists many runs of few flows. */
function flowLookup(
  store: Store,
  tenantId: string,
): (id: string) => Promise<Flow | undefined> {
  const seen = new Map<string, Promise<Flow | undefined>>();
  return function lookUpFlow(id) {
    let found = seen.get(id);
    if (!found) {
      found = store.flow(tenantId, id);
      seen.set(id, found);
    }
    return found;
  };
}
