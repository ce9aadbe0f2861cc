/**
 * A keypair client loads its signing code with its first request (so that
 * importing the client costs less). This file imports nothing that signs:
 * its process starts without that code, as a user's program does.
 */

import assert from "node:assert/strict";
import { Credentials } from "../../auth/credentials.ts";
import { InvalidArgumentError } from "../../errors.ts";
import { json, startServer } from "../_helpers/test_server.ts";
import { testClient } from "../_helpers/client.ts";

Deno.test("a keypair client's first requests, sent at once, all wait for the signing code and are signed", async () => {
  await using server = startServer(() => json({ ok: true }));
  const keys = [
    { accessKey: "AK1", secretKey: "first-secret", hashType: "sha256" },
    { accessKey: "AK2", secretKey: "second-secret", hashType: "sha512" },
  ] as const;
  const clients = keys.map(({ accessKey, secretKey, hashType }) =>
    testClient(server.url, {
      credentials: new Credentials({ accessKey, secretKey }),
      config: { hashType },
    })
  );
  try {
    // The unsignable one goes first: its failure must not spoil the others.
    await using unsignable = testClient(server.url, {
      credentials: new Credentials({ accessKey: "AK 1", secretKey: "s" }),
    });
    const refused = assert.rejects(
      unsignable.get("/projects"),
      InvalidArgumentError,
    );
    const answers = await Promise.all(
      clients.flatMap((client) =>
        Array.from({ length: 8 }, (_, i) => client.get(`/projects/${i}`))
      ),
    );
    await refused;
    assert.equal(answers.length, 16);
    assert.equal(server.requests.length, 16);
  } finally {
    for (const client of clients) await client.close();
  }
  const { verifySignatureSync } = await import("../../auth/hmac.ts");
  for (const request of server.requests) {
    const key = keys.find(({ accessKey }) =>
      request.headers.get("authorization")?.includes(
        `Credential=${accessKey},`,
      )
    );
    assert.ok(key, `${request.path} carries a known access key`);
    const verified = verifySignatureSync({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.bytes,
    }, { secretKey: key.secretKey });
    assert.ok(
      verified.ok && verified.accessKey === key.accessKey,
      `${request.path} is signed with ${key.accessKey}'s secret`,
    );
  }
});
