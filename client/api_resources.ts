/**
 * {@linkcode ApiResources}: the typed API of a client, one lazily built
 * resource per getter, each sending through the client's own `request()`.
 * `Client` extends it, so its request pipeline stays apart from the list of
 * resources.
 *
 * @module
 */

import { Tenants } from "./resources/tenants.ts";
import { Users } from "./resources/users.ts";
import { ApiTokens } from "./resources/api_tokens.ts";
import { AccessKeys } from "./resources/access_keys.ts";
import { Projects } from "./resources/projects.ts";
import { Flows } from "./resources/flows.ts";
import { FlowRuns } from "./resources/flow_runs.ts";
import { TaskRuns } from "./resources/task_runs.ts";
import { ConcurrencyLimits } from "./resources/concurrency_limits.ts";
import { Logs } from "./resources/logs.ts";
import { Secrets } from "./resources/secrets.ts";
import { Agents } from "./resources/agents.ts";
import type { RequestOptions } from "./request_options.ts";
import type { ResourceClient } from "./resources/types.ts";

/** The resources of a client; `Client` extends it. */
export abstract class ApiResources implements ResourceClient {
  #tenants: Tenants | undefined;
  #users: Users | undefined;
  #apiTokens: ApiTokens | undefined;
  #accessKeys: AccessKeys | undefined;
  #projects: Projects | undefined;
  #flows: Flows | undefined;
  #flowRuns: FlowRuns | undefined;
  #taskRuns: TaskRuns | undefined;
  #concurrencyLimits: ConcurrencyLimits | undefined;
  #logs: Logs | undefined;
  #secrets: Secrets | undefined;
  #agents: Agents | undefined;

  /**
   * Sends a request to the API and parses the JSON answer.
   *
   * @typeParam T The type of the parsed body.
   * @param method The HTTP method.
   * @param path The path below the API root.
   * @param options Query, body, headers, signal and idempotency key.
   * @returns The parsed body.
   */
  abstract request<T = unknown>(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<T>;

  /** Tenants: list, create (system admin), and the default tenant. See {@linkcode Tenants}. */
  get tenants(): Tenants {
    return this.#tenants ??= new Tenants(this);
  }

  /** Users and their memberships. See {@linkcode Users}. */
  get users(): Users {
    return this.#users ??= new Users(this);
  }

  /** API tokens. See {@linkcode ApiTokens}. */
  get apiTokens(): ApiTokens {
    return this.#apiTokens ??= new ApiTokens(this);
  }

  /** Keypairs for HMAC request signing. See {@linkcode AccessKeys}. */
  get accessKeys(): AccessKeys {
    return this.#accessKeys ??= new AccessKeys(this);
  }

  /** Projects of the current tenant. See {@linkcode Projects}. */
  get projects(): Projects {
    return this.#projects ??= new Projects(this);
  }

  /** Flows of the current tenant. See {@linkcode Flows}. */
  get flows(): Flows {
    return this.#flows ??= new Flows(this);
  }

  /** Flow runs of the current tenant. See {@linkcode FlowRuns}. */
  get flowRuns(): FlowRuns {
    return this.#flowRuns ??= new FlowRuns(this);
  }

  /** Task runs of the current tenant. See {@linkcode TaskRuns}. */
  get taskRuns(): TaskRuns {
    return this.#taskRuns ??= new TaskRuns(this);
  }

  /** Concurrency limits on task-run tags. See {@linkcode ConcurrencyLimits}. */
  get concurrencyLimits(): ConcurrencyLimits {
    return this.#concurrencyLimits ??= new ConcurrencyLimits(this);
  }

  /** Log lines of runs, and batching log writers. See {@linkcode Logs}. */
  get logs(): Logs {
    return this.#logs ??= new Logs(this);
  }

  /** Secrets of the current tenant. See {@linkcode Secrets}. */
  get secrets(): Secrets {
    return this.#secrets ??= new Secrets(this);
  }

  /** Agents of the current tenant. See {@linkcode Agents}. */
  get agents(): Agents {
    return this.#agents ??= new Agents(this);
  }
}
