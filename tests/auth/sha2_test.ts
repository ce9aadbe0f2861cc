import assert from "node:assert/strict";
import fc from "fast-check";
import { digest, HmacKey, type Sha2Name, toHex } from "../../auth/sha2.ts";

const encoder = new TextEncoder();
const text = (value: string) => encoder.encode(value);
const hex = (value: string) =>
  Uint8Array.from(value.match(/../g) ?? [], (pair) => parseInt(pair, 16));
const repeat = (byte: number, count: number) =>
  new Uint8Array(count).fill(byte);
const NAMES: readonly Sha2Name[] = ["sha256", "sha384", "sha512"];
const WEB_NAMES: Record<Sha2Name, string> = {
  sha256: "SHA-256",
  sha384: "SHA-384",
  sha512: "SHA-512",
};

/** Web Crypto's digest, as hex. */
async function webDigest(name: Sha2Name, message: Uint8Array): Promise<string> {
  const bytes = await crypto.subtle.digest(
    WEB_NAMES[name],
    message as Uint8Array<ArrayBuffer>,
  );
  return toHex(new Uint8Array(bytes));
}

/** Web Crypto's HMAC with `key`, as a function of the message, in hex. */
async function webHmac(
  name: Sha2Name,
  key: Uint8Array,
): Promise<(message: Uint8Array) => Promise<string>> {
  const webKey = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: WEB_NAMES[name] },
    false,
    ["sign"],
  );
  return async (message) =>
    toHex(
      new Uint8Array(
        await crypto.subtle.sign(
          "HMAC",
          webKey,
          message as Uint8Array<ArrayBuffer>,
        ),
      ),
    );
}

Deno.test("digest() matches the NIST FIPS 180 example vectors", async (t) => {
  const messages: Array<[string, Uint8Array]> = [
    ['"abc"', text("abc")],
    ["the empty message", new Uint8Array(0)],
    [
      "448 bits",
      text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    ],
    [
      "896 bits",
      text(
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
      ),
    ],
    ["one million a", repeat(0x61, 1_000_000)],
  ];
  const expected: Record<Sha2Name, string[]> = {
    sha256: [
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
    ],
    sha384: [
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
      "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
      "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b",
      "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039",
      "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985",
    ],
    sha512: [
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
      "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445",
      "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
      "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b",
    ],
  };
  for (const name of NAMES) {
    await t.step(name, () => {
      messages.forEach(([label, message], i) => {
        assert.equal(toHex(digest(name, message)), expected[name][i], label);
      });
    });
  }
});

Deno.test("HmacKey.sign() matches the RFC 4231 test cases", async (t) => {
  const bigKey = repeat(0xaa, 131);
  const cases: Array<[Uint8Array, Uint8Array]> = [
    [repeat(0x0b, 20), text("Hi There")],
    [text("Jefe"), text("what do ya want for nothing?")],
    [repeat(0xaa, 20), repeat(0xdd, 50)],
    [
      hex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
      repeat(0xcd, 50),
    ],
    [repeat(0x0c, 20), text("Test With Truncation")],
    [bigKey, text("Test Using Larger Than Block-Size Key - Hash Key First")],
    [
      bigKey,
      text(
        "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
      ),
    ],
  ];
  const expected: Record<Sha2Name, string[]> = {
    sha256: [
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
      "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
      "a3b6167473100ee06e0c796c2955552b",
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    ],
    sha384: [
      "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
      "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
      "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
      "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
      "3abf34c3503b2a23a46efc619baef897",
      "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
      "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
    ],
    sha512: [
      "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
      "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
      "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
      "415fad6271580a531d4179bc891d87a6",
      "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
      "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
    ],
  };
  for (const name of NAMES) {
    await t.step(name, () => {
      cases.forEach(([key, data], i) => {
        const mac = toHex(new HmacKey(name, key).sign(data));
        // Test case 5 compares the first 128 bits only.
        const want = expected[name][i];
        assert.equal(mac.slice(0, want.length), want, `test case ${i + 1}`);
      });
    });
  }
});

Deno.test("digest() and HmacKey.sign() agree with Web Crypto on random keys and messages", async (t) => {
  for (const name of NAMES) {
    await t.step(name, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 1, maxLength: 300 }),
          fc.uint8Array({ maxLength: 600 }),
          async (key, message) => {
            assert.equal(
              toHex(digest(name, message)),
              await webDigest(name, message),
            );
            const webMac = await (await webHmac(name, key))(message);
            const hmacKey = new HmacKey(name, key);
            assert.equal(toHex(hmacKey.sign(message)), webMac);
            // A key signs many messages: its precomputed state is not spent.
            assert.equal(toHex(hmacKey.sign(message)), webMac);
          },
        ),
        { numRuns: 200 },
      );
    });
  }
});

Deno.test("digest(), HmacKey.sign() and HmacKey.signHex() agree with Web Crypto at every length across block boundaries", async (t) => {
  // Every length from 0 to 300 bytes: each way the padding can fall, for
  // 64-byte and 128-byte blocks (55, 56, 63, 64, 111, 112, 119, 120, 127,
  // 128, ...), in one call and with the message inside a larger buffer. One
  // key signs them all, so most start with a first block it has seen.
  const buffer = Uint8Array.from(
    { length: 400 },
    (_, i) => (i * 131 + 7) & 255,
  );
  const key = text("block boundaries");
  for (const name of NAMES) {
    await t.step(name, async () => {
      const webMac = await webHmac(name, key);
      const hmacKey = new HmacKey(name, key);
      for (let length = 0; length <= 300; length++) {
        const message = buffer.slice(0, length);
        assert.equal(
          toHex(digest(name, message)),
          await webDigest(name, message),
          `digest of ${length} bytes`,
        );
        const mac = await webMac(message);
        assert.equal(toHex(hmacKey.sign(message)), mac, `${length} bytes`);
        assert.equal(
          hmacKey.signHex(buffer, length),
          mac,
          `${length} bytes`,
        );
      }
      // A key reuses the work on a first block it has seen: a message that
      // differs only in that block's last byte must not be taken for it.
      const changed = buffer.slice(0, 200);
      changed[63] ^= 1;
      changed[127] ^= 1;
      assert.equal(hmacKey.signHex(changed, 200), await webMac(changed));
      assert.equal(
        hmacKey.signHex(buffer, 200),
        await webMac(buffer.slice(0, 200)),
      );
    });
  }
});
