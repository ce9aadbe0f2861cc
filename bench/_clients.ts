import { Client, Credentials } from "../mod.ts";

/** A token client and a keypair client for one endpoint, without retries. */
export function benchClients(
  url: string,
  fetch?: typeof globalThis.fetch,
): { token: Client; keypair: Client } {
  const config = {
    endpoints: url,
    envFile: false as const,
    env: {},
    maxRetries: 0,
  };
  return {
    token: new Client({
      credentials: new Credentials({ token: "bench-token" }),
      config,
      fetch,
    }),
    keypair: new Client({
      credentials: new Credentials({
        accessKey: "AKBENCH",
        secretKey: "bench-secret",
      }),
      config,
      fetch,
    }),
  };
}
