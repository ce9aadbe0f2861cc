/**
 * A report the gateway loads on first use. It finds the caller's client in
 * the active scope rather than being handed it.
 *
 * @module
 */

import { getActiveClient } from "../../mod.ts";

/** The caller's tenant and project names. */
export async function projectReport(): Promise<
  { tenant: string | null; projects: string[] }
> {
  const client = getActiveClient();
  if (client === undefined) {
    throw new Error("projectReport needs an active client");
  }
  const me = await client.get<{ tenant?: { slug: string } }>("/me");
  const projects = await client.projects.list().toArray();
  return {
    tenant: me.tenant?.slug ?? null,
    projects: projects.map((project) => project.name),
  };
}
