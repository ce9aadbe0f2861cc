/**
 * `runplane tenants` and `runplane projects`.
 *
 * @module
 */

import type { Flow, Project, Tenant } from "../../api/mod.ts";
import { formatTable, shown } from "../_output.ts";
import { listPage, PAGE_FLAGS, PAGE_USAGE } from "../_paging.ts";
import { type Command, positional, text, UsageError } from "../command.ts";

/** `tenants list|create`, `projects list|create|delete`, `flows list|get`. */
export const PROJECT_COMMANDS: readonly Command[] = [
  {
    name: "tenants",
    aliases: ["tenants list"],
    usage: PAGE_USAGE,
    flags: PAGE_FLAGS,
    async run(ctx) {
      const { print } = ctx;
      const tenants = await listPage<Tenant>(ctx, "/tenants", {});
      print(tenants, () => formatTable(tenants, ["slug", "name", "id"]));
      return 0;
    },
  },
  {
    name: "tenants create",
    usage: "<slug> --name N",
    flags: { "name": { type: "string" } },
    async run({ client, args, flags, print }) {
      const slug = positional(args, "the tenant's slug");
      const name = text(flags.name);
      if (name === undefined) {
        throw new UsageError("tenants create needs --name");
      }
      const tenant = await client.tenants.create({ slug, name });
      print(
        tenant,
        () => `Created tenant ${shown(tenant.slug)} (${shown(tenant.id)})`,
      );
      return 0;
    },
  },
  {
    name: "projects list",
    aliases: ["projects"],
    usage: PAGE_USAGE,
    flags: PAGE_FLAGS,
    async run(ctx) {
      const { print } = ctx;
      const projects = await listPage<Project>(ctx, "/projects", {});
      print(projects, () => formatTable(projects, ["name", "id", "createdAt"]));
      return 0;
    },
  },
  {
    name: "projects create",
    usage: "<name> [--description D]",
    flags: { "description": { type: "string" } },
    async run({ client, args, flags, print }) {
      const project = await client.projects.create({
        name: positional(args, "the project's name"),
        description: text(flags.description),
      });
      print(
        project,
        () => `Created project ${shown(project.name)} (${shown(project.id)})`,
      );
      return 0;
    },
  },
  {
    name: "projects delete",
    usage: "<id>",
    async run({ client, args, print }) {
      const id = positional(args, "the project's id");
      await client.projects.delete(id);
      print({ deleted: id }, () => `Deleted project ${shown(id)}`);
      return 0;
    },
  },
  {
    name: "flows list",
    aliases: ["flows"],
    usage: `[--project-id P] [--name N] ${PAGE_USAGE}`,
    flags: {
      "project-id": { type: "string" },
      "name": { type: "string" },
      ...PAGE_FLAGS,
    },
    async run(ctx) {
      const { flags, print } = ctx;
      const flows = await listPage<Flow>(ctx, "/flows", {
        projectId: text(flags["project-id"]),
        name: text(flags.name),
      });
      print(
        flows,
        () => formatTable(flows, ["name", "version", "id", "archived"]),
      );
      return 0;
    },
  },
  {
    name: "flows get",
    usage: "<id>",
    async run({ client, args, print }) {
      const flow = await client.flows.get(positional(args, "the flow's id"));
      print(flow, () => formatTable([flow], ["name", "version", "id"]));
      return 0;
    },
  },
];
