/**
 * The web UI's pages: the caller's tenants, a tenant's flow runs, and one flow
 * run (with its cancel action), task run, flow or project. The parts they
 * share are in `page_parts.ts`, the run pictures in `run_timeline.ts` and the
 * log lines in `log_lines.ts`.
 *
 * @module
 */

import { invalidParameter, notFound } from "../http_error.ts";
import {
  publicOrigin,
  requireRole,
  requireSameOrigin,
} from "../authentication.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";
import { StoreError } from "../store.ts";
import {
  ROLES,
  type State,
  STATE_TYPES,
  type StateType,
  type TaskRun,
  type Tenant,
  TERMINAL_STATE_TYPES,
} from "../../api/mod.ts";
import { displayName, type PageHandler, pathTenant } from "./context.ts";
import { html, type HtmlValue, type SafeHtml } from "./html.ts";
import {
  duration,
  link,
  redirect,
  stateBadge,
  time,
  uiPath,
} from "./layout.ts";
import {
  clip,
  dataTable,
  details,
  flowLink,
  flowLookup,
  page,
} from "./page_parts.ts";
import { gantt, timeline } from "./run_timeline.ts";
import {
  levelFilter,
  LOG_PAGE_LINES,
  logCursor,
  logTable,
} from "./log_lines.ts";

/** How many runs a page of the runs list shows. */
const RECENT_RUNS = 50;
/** How many task runs a flow-run page shows. */
const TASK_RUNS = 200;
/** How much of a run's parameters, as JSON, a page shows. */
const PARAMETERS_PREVIEW = 20_000;
/** How often the page of an unfinished run reloads itself. */
const REFRESH_SECONDS = 5;
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
  const table = dataTable(
    "tenants",
    ["Name", "Slug", "Role", "Created"],
    tenants.map((tenant) => [
      link(uiPath(tenant.slug, "flow-runs"), tenant.name),
      html`<code>${tenant.slug}</code>`,
      tenant.role ?? "admin",
      time(tenant.createdAt),
    ]),
    "You are not a member of any tenant.",
  );
  return page(ctx, "Tenants", [], html`<h1>Tenants</h1>${table}`);
};

/** `GET /ui/:tenant`: on to the tenant's runs. */
export const tenantHome: PageHandler = async function tenantHome(ctx) {
  const { tenant } = await pathTenant(ctx);
  return redirect(uiPath(tenant.slug, "flow-runs"));
};

/**
 * `GET /ui/:tenant/flow-runs`: the runs, newest first, a page at a time,
 * filtered by `state` (any case) and `flow` (a flow id); `cursor` is where
 * the next page starts. A filter the page cannot read is a 400 that says so,
 * never silently ignored.
 */
export const flowRunsPage: PageHandler = async function flowRunsPage(ctx) {
  const { tenant } = await pathTenant(ctx);
  const store = ctx.services.store;
  const query = ctx.url.searchParams;
  const state = stateFilter(query.get("state"));
  const flowId = query.get("flow") || undefined;
  const from = dayFilter("from", query.get("from"));
  const to = dayFilter("to", query.get("to"));
  const { items, next } = await store.listFlowRuns(tenant.id, {
    state,
    flowId,
    // Days are UTC days; `to` takes in the whole of its day.
    createdAfter: from && `${from}T00:00:00.000Z`,
    createdBefore: to && nextDay(to),
    limit: RECENT_RUNS,
    after: decodeCursor(query.get("cursor") || undefined),
  });
  const flows = flowLookup(store, tenant.id);
  const rows = await Promise.all(items.map(async (run) => [
    link(uiPath(tenant.slug, "flow-runs", run.id), run.name),
    stateBadge(run.state),
    flowLink(tenant, run.flowId, await flows(run.flowId)),
    time(run.startTime),
    duration(run.durationMs),
    time(run.updatedAt),
  ]));
  const filtered = state !== undefined || flowId !== undefined ||
    from !== undefined || to !== undefined;
  const later = encodeCursor(next);
  const here = uiPath(tenant.slug, "flow-runs");
  const filters = new URLSearchParams();
  if (state) filters.set("state", state);
  if (flowId) filters.set("flow", flowId);
  if (from) filters.set("from", from);
  if (to) filters.set("to", to);
  return page(
    ctx,
    `Flow runs · ${tenant.name}`,
    [[tenant.name, here]],
    html`<h1>Flow runs</h1>
<form class="filters" method="get" action="${here}">
  <label>State <select name="state">
    <option value="">Any</option>${
      STATE_TYPES.map((type) =>
        html`<option${type === state ? " selected" : ""}>${type}</option>`
      )
    }
  </select></label>
  <label>Created from <input type="date" name="from" value="${
      from ?? ""
    }"></label>
  <label>to <input type="date" name="to" value="${to ?? ""}"></label>
  ${flowId ? html`<input type="hidden" name="flow" value="${flowId}">` : ""}
  <button type="submit">Filter</button>
  ${filtered ? link(here, "Clear filters") : ""}
</form>
${
      rows.length === 0 && !filtered && !query.has("cursor")
        ? FIRST_RUN
        : dataTable(
          "flow-runs",
          ["Name", "State", "Flow", "Started", "Duration", "Updated"],
          rows,
          "No flow runs match these filters.",
        )
    }${
      later === null ? "" : html`<p class="pages">${
        link(
          `${here}?${new URLSearchParams([...filters, ["cursor", later]])}`,
          `Older ${RECENT_RUNS} runs`,
        )
      }</p>`
    }`,
  );
};

/** The runs page of a tenant with no runs yet: how to make the first one. */
const FIRST_RUN: SafeHtml = html`<div class="empty">
  <p>No flow runs yet. Run a flow with the SDK and it shows up here:</p>
  <pre>import { flow } from "jsr:@runplane/client";

const hello = flow("hello", { project: "first" }, () =&gt; "hi");
await hello.run({}, { client });</pre>
  <p>The README's quick start shows the whole program.</p>
</div>`;

/** The `state` query parameter, in any case; a 400 naming the states for another value. */
function stateFilter(value: string | null): StateType | undefined {
  if (value === null || value === "") return undefined;
  const type = value.toUpperCase() as StateType;
  if (STATE_TYPES.includes(type)) return type;
  throw invalidParameter(
    `Unknown state filter: ${
      JSON.stringify(value.slice(0, 40))
    } is not one of ${STATE_TYPES.join(", ")}`,
  );
}

/** A `YYYY-MM-DD` day from a date field, or `undefined` when empty. */
function dayFilter(name: string, value: string | null): string | undefined {
  if (value === null || value === "") return undefined;
  if (
    /^\d{4}-\d{2}-\d{2}$/.test(value) &&
    !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
  ) {
    return value;
  }
  throw invalidParameter(
    `Filter ${name} must be a day such as 2026-11-29: got ${
      JSON.stringify(value.slice(0, 40))
    }`,
  );
}

/** The start of the UTC day after `day`, as an ISO time. */
function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
}

/** `GET /ui/:tenant/flow-runs/:id`: a run, its timeline, task runs and logs. */
export const flowRunPage: PageHandler = async function flowRunPage(ctx) {
  const { tenant, role } = await pathTenant(ctx);
  const canChange = () => ROLES.indexOf(role) >= ROLES.indexOf("member");
  const store = ctx.services.store;
  const run = await store.flowRun(tenant.id, ctx.params.id ?? "");
  if (!run) throw notFound("Flow run");
  const [flow, taskRuns, logs] = await Promise.all([
    store.flow(tenant.id, run.flowId),
    store.listTaskRuns(tenant.id, run.id, TASK_RUNS + 1),
    store.recentLogs(tenant.id, {
      flowRunId: run.id,
      levels: levelFilter(ctx),
      limit: LOG_PAGE_LINES,
      before: logCursor(ctx),
    }),
  ]);
  const parameters = JSON.stringify(run.parameters, null, 2);
  return page(
    ctx,
    run.name,
    [
      [tenant.name, uiPath(tenant.slug, "flow-runs")],
      ["Flow runs", uiPath(tenant.slug, "flow-runs")],
    ],
    html`
      <h1><span class="name">${run.name}</span> ${stateBadge(
        run.state,
      )}${live(run) !== undefined && canChange()
        ? html`
          <form class="action" method="post"
            action="${uiPath(
              tenant.slug,
              "flow-runs",
              run.id,
              "cancel",
            )}"><button type="submit">Cancel run</button></form>
        `
        : ""}</h1>
      ${details([
        ["Id", html`<code>${run.id}</code>`],
        ["Flow", flowLink(tenant, run.flowId, flow)],
        ["Version", run.version],
        ["Scheduled start", time(run.scheduledStartTime)],
        ...changeTimes(run),
      ])}
      <h2>Parameters</h2>
      <pre class="parameters">${clip(parameters, PARAMETERS_PREVIEW)}</pre>
      <h2>State history</h2>
      ${timeline(run.history)}
      <h2>Timeline</h2>
      ${gantt(ctx, run, taskRuns.slice(0, TASK_RUNS))}
      <h2>Task runs</h2>
      ${taskRuns.length > TASK_RUNS
        ? html`<p class="muted">The first ${TASK_RUNS} task runs.</p>`
        : ""}
      ${taskRunTable(tenant, taskRuns.slice(0, TASK_RUNS))}
      <h2>Logs</h2>
      ${logTable(ctx, tenant, logs)}
    `,
    { refreshSeconds: live(run) },
  );
};

/**
 * `POST /ui/:tenant/flow-runs/:id/cancel`: a member cancels an unfinished
 * run, then sees its page again. Refused across sites as the login form is
 * (a browser sends Basic credentials to any site). A run that ended or
 * changed meanwhile is left as it is: its page shows what happened.
 */
export const cancelFlowRun: PageHandler = async function cancelFlowRun(ctx) {
  requireSameOrigin(ctx.request, publicOrigin(ctx.url, ctx.services));
  const { tenant, role } = await pathTenant(ctx);
  requireRole(role, "member");
  const store = ctx.services.store;
  const run = await store.flowRun(tenant.id, ctx.params.id ?? "");
  if (!run) throw notFound("Flow run");
  if (live(run) !== undefined) {
    try {
      await store.setFlowRunState(tenant.id, run.id, run.version, {
        type: "CANCELLED",
        message: `Cancelled by ${displayName(ctx.principal)} in the web view`,
      });
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
    }
  }
  return redirect(uiPath(tenant.slug, "flow-runs", run.id));
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
      levels: levelFilter(ctx),
      limit: LOG_PAGE_LINES,
      before: logCursor(ctx),
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
      ${details([
        ["Id", html`<code>${taskRun.id}</code>`],
        ["Flow run", link(runPath, run?.name ?? taskRun.flowRunId)],
        ["Map index", mapIndex(taskRun.mapIndex)],
        ["Tags", tags(taskRun.tags)],
        ["Version", taskRun.version],
        ...changeTimes(taskRun),
      ])}
      <h2>State history</h2>
      ${timeline(taskRun.history)}
      <h2>Logs</h2>
      ${logTable(ctx, tenant, logs)}
    `,
    { refreshSeconds: live(taskRun) },
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
  return page(
    ctx,
    `Flow ${flow.name}`,
    [
      [tenant.name, uiPath(tenant.slug, "flow-runs")],
      [project?.name ?? "Project", projectPath],
    ],
    html`
      <h1><span class="name">${flow.name}</span></h1>
      ${details([
        ["Id", html`<code>${flow.id}</code>`],
        ["Project", link(projectPath, project?.name ?? flow.projectId)],
        ["Version", flow.version],
        ["Version group", html`<code>${flow.versionGroupId}</code>`],
        ["Archived", flow.archived ? "yes" : "no"],
        ["Schedule active", flow.scheduleActive ? "yes" : "no"],
        ["Created", time(flow.createdAt)],
      ])}
      <h2>Newest runs</h2>
      ${dataTable(
        "flow-runs",
        ["Name", "State", "Duration", "Updated"],
        runs.items.map((run) => [
          link(uiPath(tenant.slug, "flow-runs", run.id), run.name),
          stateBadge(run.state),
          duration(run.durationMs),
          time(run.updatedAt),
        ]),
        "No runs of this flow.",
      )}
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
  return page(
    ctx,
    `Project ${project.name}`,
    [[tenant.name, uiPath(tenant.slug, "flow-runs")]],
    html`
      <h1><span class="name">${project.name}</span></h1>
      ${details([
        ["Id", html`<code>${project.id}</code>`],
        ["Description", project.description ?? ""],
        ["Created", time(project.createdAt)],
      ])}
      <h2>Flows</h2>
      ${dataTable(
        "flows",
        ["Name", "Version", "Archived", "Created"],
        flows.map((flow) => [
          link(uiPath(tenant.slug, "flows", flow.id), flow.name),
          flow.version,
          flow.archived ? "yes" : "no",
          time(flow.createdAt),
        ]),
        "No flows in this project.",
      )}
    `,
  );
};

function taskRunTable(tenant: Tenant, taskRuns: TaskRun[]): SafeHtml {
  return dataTable(
    "task-runs",
    ["Task", "Map index", "Tags", "State", "Duration", "Updated"],
    taskRuns.map((taskRun) => [
      link(uiPath(tenant.slug, "task-runs", taskRun.id), taskRun.taskId),
      mapIndex(taskRun.mapIndex),
      tags(taskRun.tags),
      stateBadge(taskRun.state),
      duration(taskRun.durationMs),
      time(taskRun.updatedAt),
    ]),
    "No task runs.",
  );
}

/** How often a page of an unfinished run reloads itself, or `undefined` for a finished one. */
function live(run: { state: Pick<State, "type"> }): number | undefined {
  return TERMINAL_STATE_TYPES.includes(run.state.type)
    ? undefined
    : REFRESH_SECONDS;
}

/**
 * When a run was created, started, ended, last changed and last sent a
 * heartbeat, and how long it ran.
 */
function changeTimes(
  run: Pick<
    TaskRun,
    | "createdAt"
    | "updatedAt"
    | "heartbeatAt"
    | "startTime"
    | "endTime"
    | "durationMs"
  >,
): Array<[string, HtmlValue]> {
  return [
    ["Created", time(run.createdAt)],
    ["Started", time(run.startTime)],
    ["Ended", time(run.endTime)],
    ["Duration", duration(run.durationMs)],
    ["Updated", time(run.updatedAt)],
    ["Heartbeat", time(run.heartbeatAt)],
  ];
}

/** A task run's map index; `-1` means the task is not mapped. */
function mapIndex(index: number): HtmlValue {
  return index === -1 ? html`<span class="muted">—</span>` : index;
}

function tags(values: string[]): SafeHtml {
  if (values.length === 0) return html`<span class="muted">—</span>`;
  return html`${values.map((tag) => html`<span class="tag">${tag}</span>`)}`;
}
