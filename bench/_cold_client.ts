// Cold start, measured: import the client and build one.
import { Client, Credentials } from "../mod.ts";

const client = new Client({
  credentials: new Credentials({ token: "cold-start" }),
  config: { envFile: false, env: {} },
});
await client.close();
