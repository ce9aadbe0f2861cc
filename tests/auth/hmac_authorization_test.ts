import assert from "node:assert/strict";
import fc from "fast-check";
import { parseHmacAuthorization, signRequestSync } from "../../auth/hmac.ts";
import { InvalidArgumentError } from "../../errors.ts";

// The scheme's one Authorization header: what the server's parser takes, and
// what the signer refuses to put in it.

const KEY = { accessKey: "AK1", secretKey: "sk_SECRET" };

Deno.test("parseHmacAuthorization() reads the scheme's header and nothing else", async (t) => {
  const mac = "0f".repeat(64);
  const header =
    `RUNPLANE-HMAC-SHA512 Credential=AK1, Date=2026-11-22T14:43:04Z, Nonce=n-1, Signature=${mac}`;
  await t.step("the scheme's header", () => {
    assert.deepEqual(parseHmacAuthorization(header), {
      hashType: "sha512",
      accessKey: "AK1",
      date: "2026-11-22T14:43:04Z",
      nonce: "n-1",
      signature: mac,
    });
  });
  await t.step("anything else", () => {
    for (
      const value of [
        "Bearer abc",
        header.replace("SHA512", "MD5"),
        header.replace("SHA512", "SHA256"),
        `RUNPLANE-HMAC-SHA512 Credential=AK1, Signature=${mac}`,
        header.replace("Credential=AK1", "Credential=A K"),
        header.replace("Nonce=n-1", "Nonce=n\u00e9"),
      ]
    ) {
      assert.equal(parseHmacAuthorization(value), undefined, value);
    }
  });
  await t.step("hostile input: refused whole, without throwing", () => {
    // Long runs of what each part accepts, cut where the next part starts:
    // a backtracking parser would stall on these, this one reads them once.
    const long = 64 * 1024;
    for (
      const value of [
        `RUNPLANE-HMAC-SHA256 Credential=${"A".repeat(long)}`,
        `RUNPLANE-HMAC-SHA256 Credential=AK1, Date=2026-11-22T14:43:04Z, Nonce=${
          "n".repeat(long)
        }`,
        `RUNPLANE-HMAC-SHA256 ${"Credential=AK1, ".repeat(long / 16)}`,
        `RUNPLANE-HMAC-SHA256 Credential=AK1, Date=2026-11-22T14:43:04Z, Nonce=n, Signature=${
          "0".repeat(long)
        }`,
        header.replace("Date=", "Date=" + "9".repeat(long)),
      ]
    ) {
      assert.equal(parseHmacAuthorization(value), undefined);
    }
    fc.assert(
      fc.property(
        fc.string({ maxLength: 400 }),
        fc.nat(header.length),
        (junk, at) => {
          const value = header.slice(0, at) + junk + header.slice(at);
          const parsed = parseHmacAuthorization(value);
          // Whatever parses is a header the client could have sent.
          if (parsed !== undefined) {
            assert.equal(
              `RUNPLANE-HMAC-${parsed.hashType.toUpperCase()} Credential=${parsed.accessKey}, Date=${parsed.date}, Nonce=${parsed.nonce}, Signature=${parsed.signature}`,
              value,
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

Deno.test("signRequestSync() refuses an access key or nonce that Authorization cannot carry", () => {
  const request = {
    method: "GET",
    url: "http://127.0.0.1:4200/api/v1/projects",
  };
  for (
    const [key, nonce] of [
      [{ accessKey: "AK 1", secretKey: "s" }, undefined],
      [{ accessKey: "AK1,", secretKey: "s" }, undefined],
      [{ accessKey: "", secretKey: "s" }, undefined],
      [KEY, "n,1"],
      [KEY, ""],
      [KEY, "n".repeat(129)],
      [KEY, "n\u00e9"],
    ] as const
  ) {
    assert.throws(
      () => signRequestSync(request, key, { nonce }),
      (error: unknown) =>
        error instanceof InvalidArgumentError &&
        /^Cannot sign with this (access key|nonce): use 1 to 128 visible ASCII characters without a comma$/
          .test(error.message) &&
        !error.message.includes("AK") && !error.message.includes(KEY.secretKey),
    );
  }
  // A fit key after an unfit one still signs.
  assert.equal(signRequestSync(request, KEY).signature.length, 64);
});
