import assert from "node:assert/strict";
import { Client } from "../../client/client.ts";
import { Credentials, type CredentialsInit } from "../../auth/credentials.ts";
import { loadConfig, type LoadConfigOptions } from "../../config/config.ts";
import {
  AuthenticationError,
  ConfigError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  RunplaneError,
} from "../../errors.ts";
import { spawnReferenceServer } from "../_helpers/reference_server.ts";

/** A value that cannot appear anywhere by chance. */
function distinct(label: string): string {
  return `${label}-SCAN${crypto.randomUUID().replaceAll("-", "")}`;
}

/**
 * Everything the scenario let out: log lines, messages, and every string
 * form of every object a user might print.
 */
class Corpus {
  readonly parts: Array<[string, string]> = [];

  add(where: string, text: string): void {
    this.parts.push([where, text]);
  }

  /** Every string form of a value. */
  show(where: string, value: unknown): void {
    this.add(`${where} inspect`, Deno.inspect(value, { depth: 10 }));
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined;
    }
    this.add(`${where} JSON`, json ?? "");
    this.add(`${where} String`, String(value));
    if (value instanceof Error) {
      this.add(`${where} message`, value.message);
      this.add(`${where} stack`, value.stack ?? "");
      let cause: unknown = value.cause;
      for (let depth = 0; cause !== undefined && depth < 5; depth++) {
        this.add(`${where} cause`, Deno.inspect(cause, { depth: 10 }));
        cause = cause instanceof Error ? cause.cause : undefined;
      }
    }
  }

  /** Where each secret shows up. */
  find(secrets: Iterable<string>): string[] {
    const hits: string[] = [];
    for (const secret of secrets) {
      for (const [where, text] of this.parts) {
        if (text.includes(secret)) hits.push(`${where} shows ${secret}`);
      }
    }
    return hits;
  }
}

Deno.test("no secret shows in logs, errors or printed objects", async () => {
  const corpus = new Corpus();
  /** Every secret seen on the wire, or chosen by the test. */
  const secrets = new Set<string>();
  const adminToken = distinct("admin");
  secrets.add(adminToken);

  /** A fetch that notes the secrets on the wire in both directions. */
  const wiretap: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    const authorization = headers.get("authorization");
    if (authorization?.startsWith("Bearer ")) {
      secrets.add(authorization.slice(7));
    }
    if (authorization?.startsWith("Basic ")) {
      const pair = atob(authorization.slice(6));
      secrets.add(pair.slice(pair.indexOf(":") + 1));
    }
    const cookie = headers.get("cookie");
    if (cookie) secrets.add(cookie.split("=").slice(1).join("="));
    const response = await fetch(input, init);
    for (const line of response.headers.getSetCookie()) {
      const value = line.split(";")[0].split("=").slice(1).join("=");
      if (value) secrets.add(value);
    }
    const text = await response.clone().text();
    for (
      const match of text.matchAll(
        /"(token|accessToken|refreshToken|secretKey|value)":"([^"]{8,})"/g,
      )
    ) {
      secrets.add(match[2]);
    }
    return response;
  };

  const folder = await Deno.makeTempDir({ prefix: "runplane_scan_" });
  const server = await spawnReferenceServer({
    database: `${folder}/runplane.db`,
    adminToken,
  });
  const clients: Client[] = [];
  const client = (
    credentials: CredentialsInit,
    config: LoadConfigOptions = {},
  ): Client => {
    const made = new Client({
      credentials: new Credentials(credentials),
      config: {
        endpoints: server.url.href,
        envFile: false,
        env: {},
        maxRetries: 0,
        ...config,
      },
      fetch: wiretap,
      logger: (event) => corpus.add("client log", JSON.stringify(event)),
    });
    clients.push(made);
    return made;
  };
  /** Runs a call that must fail, and keeps every form of its error. */
  const failing = async <E extends Error>(
    where: string,
    Class: new (...args: never[]) => E,
    fn: () => unknown,
  ) => {
    try {
      await fn();
    } catch (error) {
      assert.ok(error instanceof Class, `${where}: ${error}`);
      corpus.show(where, error);
      return;
    }
    assert.fail(`${where} did not fail`);
  };

  try {
    // Provision: a tenant, an admin and a viewer, tokens and a keypair.
    const admin = client({ token: adminToken });
    await admin.tenants.create({ slug: "scan", name: "Scan" });
    const adminPassword = distinct("admin-pw");
    const viewerPassword = distinct("viewer-pw");
    secrets.add(adminPassword).add(viewerPassword);
    await admin.users.create({
      username: "scan-admin",
      password: adminPassword,
      tenant: "scan",
      role: "admin",
    });
    await admin.users.create({
      username: "scan-viewer",
      password: viewerPassword,
      tenant: "scan",
      role: "viewer",
    });
    // Shown once at creation, where the API intends it.
    const tenantToken = (await admin.apiTokens.create({
      name: "scan",
      scope: "tenant",
      username: "scan-admin",
      tenant: "scan",
    })).token;
    const keypair = await admin.accessKeys.create({
      username: "scan-admin",
      tenant: "scan",
    });
    secrets.add(tenantToken).add(keypair.secretKey);

    // Token mode, with a secret set and read back.
    const byToken = client({ token: tenantToken });
    const secretValue = distinct("secret-value");
    secrets.add(secretValue);
    await byToken.secrets.set("db-password", secretValue);
    assert.equal(await byToken.secrets.get("db-password"), secretValue);
    await byToken.projects.create({ name: "scan" });

    // Basic mode, keypair mode, session mode.
    const byBasic = client(
      { username: "scan-admin", password: adminPassword },
      { tenant: "scan" },
    );
    await byBasic.projects.list().toArray();
    const byKeypair = client(keypair);
    await byKeypair.projects.list().toArray();
    await byKeypair.secrets.get("db-password");
    const bySession = client(
      { username: "scan-admin", password: adminPassword },
      { tenant: "scan", endpointType: "session" },
    );
    await bySession.projects.list().toArray();

    // A user-scoped token, then a tenant access token from it.
    const userToken = (await byBasic.apiTokens.create({
      name: "mine",
      scope: "user",
    }).catch(async () =>
      // A user token needs a credential not bound to a tenant.
      await client({ username: "scan-admin", password: adminPassword })
        .apiTokens.create({ name: "mine", scope: "user" })
    )).token;
    secrets.add(userToken);
    const byTenantLogin = client({ token: userToken });
    await byTenantLogin.loginToTenant({ slug: "scan" });
    const accessToken = await byTenantLogin.getAuthToken();
    secrets.add(accessToken!);
    await byTenantLogin.projects.list().toArray();

    // Failures: a wrong password, a forged token, a viewer writing, a missing
    // object, a bad argument.
    const wrongPassword = distinct("wrong-pw");
    secrets.add(wrongPassword);
    await failing(
      "basic login with a wrong password",
      AuthenticationError,
      () =>
        client({ username: "scan-admin", password: wrongPassword }, {
          tenant: "scan",
        }).projects.list().toArray(),
    );
    await failing(
      "session login with a wrong password",
      AuthenticationError,
      () =>
        client({ username: "scan-admin", password: wrongPassword }, {
          tenant: "scan",
          endpointType: "session",
        }).projects.list().toArray(),
    );
    const forged = distinct("forged-token");
    secrets.add(forged);
    await failing(
      "forged token",
      AuthenticationError,
      () => client({ token: forged }).projects.list().toArray(),
    );
    const forgedKey = distinct("forged-secret-key");
    secrets.add(forgedKey);
    await failing(
      "forged keypair",
      AuthenticationError,
      () =>
        client({ accessKey: keypair.accessKey, secretKey: forgedKey }).projects
          .list(),
    );
    await failing(
      "viewer writes",
      PermissionDeniedError,
      () =>
        client({ username: "scan-viewer", password: viewerPassword }, {
          tenant: "scan",
        }).secrets.set("x", secretValue),
    );
    await failing(
      "missing secret",
      NotFoundError,
      () => byToken.secrets.get("no-such-secret"),
    );
    await failing(
      "token with a line break",
      InvalidArgumentError,
      () => new Credentials({ token: `${forged}\n` }),
    );
    await failing(
      "bad extra header",
      InvalidArgumentError,
      () =>
        new Credentials({
          token: "t",
          extraHeaders: { "x-key": `${forged}\r\ninjected: 1` },
        }),
    );

    // Bad configs with secrets in the environment.
    const envSecret = distinct("env-secret");
    secrets.add(envSecret);
    const badEnvs: Array<Record<string, string>> = [
      { RUNPLANE_TOKEN: `bad\n${envSecret}` },
      { RUNPLANE_PASSWORD: envSecret },
      { RUNPLANE_SECRET_KEY: envSecret },
      {
        RUNPLANE_USERNAME: "u",
        RUNPLANE_PASSWORD: envSecret,
        RUNPLANE_TIMEOUT_MS: "x",
      },
      { RUNPLANE_ENDPOINT: `http://user:${envSecret}@127.0.0.1:1` },
      { RUNPLANE_TOKEN: envSecret, RUNPLANE_MAX_RETRIES: envSecret },
    ];
    for (const env of badEnvs) {
      await failing(
        `config ${Object.keys(env)}`,
        ConfigError,
        () =>
          new Client({
            credentials: new Credentials({ useEnv: true }),
            config: { env, envFile: false },
          }),
      );
    }
    const good = loadConfig({
      env: { RUNPLANE_TOKEN: envSecret, RUNPLANE_ENDPOINT: server.url.href },
      envFile: false,
    });
    corpus.show("config", good);
    corpus.show("config credentials", good.credentials);
    const fromEnv = new Client({
      credentials: new Credentials({ useEnv: true }),
      config: good,
      fetch: wiretap,
    });
    clients.push(fromEnv);
    await failing(
      "env token",
      AuthenticationError,
      () => fromEnv.projects.list().toArray(),
    );

    // Every client and its credentials, printed every way.
    for (const [k, each] of clients.entries()) {
      corpus.show(`client ${k}`, each);
      corpus.show(`client ${k} credentials`, each.credentials);
      corpus.show(`client ${k} config`, each.config);
    }
    await byTenantLogin.logoutFromTenant();
    await bySession.logout();
  } catch (error) {
    if (error instanceof RunplaneError) corpus.show("unexpected", error);
    throw error;
  } finally {
    await Promise.allSettled(clients.map((each) => each.close()));
    await server.kill("SIGTERM");
    await Deno.remove(folder, { recursive: true });
  }
  corpus.add("server stderr", server.stderr);

  // The scenario really ran: the request log and client log are full.
  assert.ok(server.stderr.split("\n").length > 20);
  assert.ok(
    corpus.parts.filter(([where]) => where === "client log").length > 20,
  );
  assert.ok(secrets.size >= 12, `only ${secrets.size} secrets seen`);
  assert.deepEqual(corpus.find(secrets), []);
});
