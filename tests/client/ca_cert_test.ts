// caCertFile: a client trusts a private CA through Deno.createHttpClient,
// and without it the same server's certificate is refused. TLS checks are
// never turned off. The CA and the server certificate are made with openssl.

import assert from "node:assert/strict";
import { ConnectionError } from "../../errors.ts";
import { Credentials } from "../../auth/credentials.ts";
import { rejection, testClient } from "../_helpers/client.ts";

function opensslMissing(): boolean {
  try {
    return !new Deno.Command("openssl", { args: ["version"], stdout: "null" })
      .outputSync().success;
  } catch {
    return true;
  }
}

async function openssl(cwd: string, ...args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command("openssl", {
    args,
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
}

/** A private CA, and a certificate for 127.0.0.1 that it signed. */
async function makeCertificates(folder: string) {
  const curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
  await openssl(
    folder,
    "req",
    "-x509",
    ...curve,
    "-nodes",
    "-days",
    "1",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-subj",
    "/CN=Runplane Test CA",
  );
  await openssl(
    folder,
    "req",
    ...curve,
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=127.0.0.1",
  );
  await Deno.writeTextFile(
    `${folder}/server.ext`,
    "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
  );
  await openssl(
    folder,
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "1",
    "-out",
    "server.pem",
    "-extfile",
    "server.ext",
  );
}

const missing = opensslMissing();
if (missing) {
  // deno-lint-ignore no-console
  console.warn("Skipping the caCertFile test: openssl is not installed");
}

Deno.test({
  name:
    "Client with caCertFile trusts a private CA, and without it refuses the server",
  ignore: missing,
  async fn() {
    const folder = await Deno.makeTempDir();
    try {
      await makeCertificates(folder);
      const server = Deno.serve({
        hostname: "127.0.0.1",
        port: 0,
        cert: await Deno.readTextFile(`${folder}/server.pem`),
        key: await Deno.readTextFile(`${folder}/server.key`),
        onListen() {},
      }, () => Response.json({ secure: true }));
      const endpoint = `https://127.0.0.1:${server.addr.port}`;
      const credentials = new Credentials({ token: "rp_tls" });
      try {
        await using trusting = testClient(endpoint, {
          credentials,
          config: { caCertFile: `${folder}/ca.pem` },
        });
        assert.deepEqual(await trusting.get("/status"), { secure: true });

        await using plain = testClient(endpoint, {
          credentials,
          config: { maxRetries: 0 },
        });
        const error = await rejection(() => plain.get("/status"));
        assert.ok(error instanceof ConnectionError, String(error));
        assert.match(
          error.message,
          /^Cannot reach https:\/\/127\.0\.0\.1:\d+ for GET \/api\/v1\/status: TLS handshake failed \(1 attempt\)$/,
        );
      } finally {
        await server.shutdown();
      }
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  },
});
