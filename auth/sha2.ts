/**
 * SHA-256, SHA-384 and SHA-512 (FIPS 180-4) and HMAC (RFC 2104), computed
 * synchronously in plain TypeScript. Web Crypto would do the same work, but
 * each of its calls is an asynchronous hop to a thread pool that costs more
 * than signing a request here. An {@linkcode HmacKey} keeps the hash state
 * after its inner and outer pads, so each signature costs only the blocks of
 * its message and one more.
 *
 * The round constants and initial values are derived from the primes as the
 * standard defines them (fractional parts of square and cube roots), on
 * first use, instead of being copied out as tables. The tests check every
 * hash against the NIST and RFC 4231 vectors and against Web Crypto.
 *
 * @example
 * ```ts
 * import { digest, HmacKey, toHex } from "./sha2.ts";
 *
 * const bytes = new TextEncoder().encode("abc");
 * console.assert(toHex(digest("sha256", bytes)).startsWith("ba7816bf"));
 * const key = new HmacKey("sha256", new TextEncoder().encode("key"));
 * console.assert(key.sign(bytes).length === 32);
 * ```
 *
 * @module
 */

/** The hashes of the SHA-2 family this module computes. */
export type Sha2Name = "sha256" | "sha384" | "sha512";

interface Algorithm {
  /** Bytes per block: 64 or 128. */
  block: number;
  /** Bytes of output. */
  out: number;
  /** The initial state, as 32-bit words (high word first for SHA-512). */
  iv: Int32Array;
}

const TWO_32 = 0x100000000;
const MASK_64 = (1n << 64n) - 1n;

/** The first `count` primes. */
function primes(count: number): number[] {
  const found: number[] = [];
  for (let candidate = 2; found.length < count; candidate++) {
    if (found.every((p) => candidate % p !== 0)) found.push(candidate);
  }
  return found;
}

/** The first 64 bits of the fractional part of `p`'s square or cube root. */
function rootFraction(p: number, degree: 2n | 3n): bigint {
  const target = BigInt(p) << (64n * degree);
  // Start within 2^-50 of the root, then settle on floor(target^(1/degree)).
  let x = BigInt(Math.floor(Math.pow(p, 1 / Number(degree)) * 2 ** 52)) <<
    12n;
  for (let i = 0; i < 8; i++) {
    x = ((degree - 1n) * x + target / x ** (degree - 1n)) / degree;
  }
  while (x ** degree > target) x--;
  while ((x + 1n) ** degree <= target) x++;
  return x & MASK_64;
}

/** 64-bit values as pairs of 32-bit words, high word first. */
function words64(values: bigint[]): Int32Array {
  const words = new Int32Array(values.length * 2);
  values.forEach((value, i) => {
    words[2 * i] = Number(value >> 32n) | 0;
    words[2 * i + 1] = Number(value & 0xffffffffn) | 0;
  });
  return words;
}

/** The high words of 64-bit values: SHA-256's constants are SHA-512's, cut. */
function highWords(values: bigint[]): Int32Array {
  return Int32Array.from(values, (value) => Number(value >> 32n) | 0);
}

// Round constants and message schedules, filled by `algorithm()` on first
// use. Module constants rather than arguments or closure cells, so each
// block function reads them directly and V8 can inline it where it is called.
const K256 = new Int32Array(64);
const W256 = new Int32Array(64);
const K512 = new Int32Array(160);
const W512 = new Int32Array(160);

let algorithms: Record<Sha2Name, Algorithm> | undefined;

function algorithm(name: Sha2Name): Algorithm {
  if (algorithms === undefined) {
    const p = primes(80);
    const cubes = p.map((prime) => rootFraction(prime, 3n));
    const squares = p.slice(0, 16).map((prime) => rootFraction(prime, 2n));
    K256.set(highWords(cubes.slice(0, 64)));
    K512.set(words64(cubes));
    algorithms = {
      sha256: {
        block: 64,
        out: 32,
        iv: highWords(squares.slice(0, 8)),
      },
      sha384: {
        block: 128,
        out: 48,
        iv: words64(squares.slice(8, 16)),
      },
      sha512: {
        block: 128,
        out: 64,
        iv: words64(squares.slice(0, 8)),
      },
    };
  }
  return algorithms[name];
}

function sha256Block(s: Int32Array, m: Uint8Array, offset: number): void {
  const w = W256;
  for (let i = 0, p = offset; i < 16; i++, p += 4) {
    w[i] = (m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3];
  }
  sha256Rounds(s);
}

/** SHA-256's Σ0. */
function bigSigma0(a: number): number {
  return ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^
    ((a >>> 22) | (a << 10));
}

/** SHA-256's Σ1. */
function bigSigma1(e: number): number {
  return ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^
    ((e >>> 25) | (e << 7));
}

/** One SHA-256 block whose 16 message words are already in `W256`. */
function sha256Rounds(s: Int32Array): void {
  const w = W256;
  const k = K256;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15];
    const y = w[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^
      (y >>> 10);
    w[i] = (((w[i - 16] + s0) | 0) + ((w[i - 7] + s1) | 0)) | 0;
  }
  let a = s[0], b = s[1], c = s[2], d = s[3];
  let e = s[4], f = s[5], g = s[6], h = s[7];
  // Two rounds a turn: the first leaves the new `a` in `h` and the new `e`
  // in `d`, the second reads the letters one place on, and only then are
  // they renamed. Sums are cut to 32 bits pairwise, so V8 keeps them in
  // integer registers; choice and majority take their shorter forms. About
  // 20% faster than one round a turn with one wide sum (scratch benchmark,
  // 0.32 against 0.40 us a block).
  for (let i = 0; i < 64; i += 2) {
    let t1 = (((h + bigSigma1(e)) | 0) +
      (((g ^ (e & (f ^ g))) + ((k[i] + w[i]) | 0)) | 0)) | 0;
    d = (d + t1) | 0;
    h = (t1 + ((bigSigma0(a) + ((a & b) | (c & (a | b)))) | 0)) | 0;
    t1 = (((g + bigSigma1(d)) | 0) +
      (((f ^ (d & (e ^ f))) + ((k[i + 1] + w[i + 1]) | 0)) | 0)) | 0;
    c = (c + t1) | 0;
    g = (t1 + ((bigSigma0(h) + ((h & a) | (b & (h | a)))) | 0)) | 0;
    const newA = g, newB = h, newC = a, newD = b;
    const newE = c, newF = d, newG = e, newH = f;
    a = newA;
    b = newB;
    c = newC;
    d = newD;
    e = newE;
    f = newF;
    g = newG;
    h = newH;
  }
  s[0] = (s[0] + a) | 0;
  s[1] = (s[1] + b) | 0;
  s[2] = (s[2] + c) | 0;
  s[3] = (s[3] + d) | 0;
  s[4] = (s[4] + e) | 0;
  s[5] = (s[5] + f) | 0;
  s[6] = (s[6] + g) | 0;
  s[7] = (s[7] + h) | 0;
}

/**
 * One SHA-512 block. Each 64-bit word is a high and a low 32-bit half;
 * additions carry from the low half, whose sum stays exact in a double.
 */
function sha512Block(s: Int32Array, m: Uint8Array, offset: number): void {
  const w = W512;
  const k = K512;
  for (let i = 0, p = offset; i < 32; i++, p += 4) {
    w[i] = (m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3];
  }
  for (let i = 32; i < 160; i += 2) {
    let xh = w[i - 30], xl = w[i - 29];
    // σ0: rotate right 1 and 8, shift right 7.
    const s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^
      (xh >>> 7);
    const s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^
      ((xl >>> 7) | (xh << 25));
    xh = w[i - 4];
    xl = w[i - 3];
    // σ1: rotate right 19 and 61, shift right 6.
    const s1h = ((xh >>> 19) | (xl << 13)) ^ ((xl >>> 29) | (xh << 3)) ^
      (xh >>> 6);
    const s1l = ((xl >>> 19) | (xh << 13)) ^ ((xh >>> 29) | (xl << 3)) ^
      ((xl >>> 6) | (xh << 26));
    const lo = (s0l >>> 0) + (s1l >>> 0) + (w[i - 13] >>> 0) +
      (w[i - 31] >>> 0);
    w[i] = (s0h + s1h + w[i - 14] + w[i - 32] + ((lo / TWO_32) | 0)) | 0;
    w[i + 1] = lo | 0;
  }
  let ah = s[0], al = s[1], bh = s[2], bl = s[3];
  let ch = s[4], cl = s[5], dh = s[6], dl = s[7];
  let eh = s[8], el = s[9], fh = s[10], fl = s[11];
  let gh = s[12], gl = s[13], hh = s[14], hl = s[15];
  for (let i = 0; i < 160; i += 2) {
    // Σ1(e): rotate right 14, 18 and 41.
    const sum1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^
      ((el >>> 9) | (eh << 23));
    const sum1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^
      ((eh >>> 9) | (el << 23));
    const choiceh = (eh & fh) ^ (~eh & gh);
    const choicel = (el & fl) ^ (~el & gl);
    const t1lo = (hl >>> 0) + (sum1l >>> 0) + (choicel >>> 0) +
      (k[i + 1] >>> 0) + (w[i + 1] >>> 0);
    const t1h = (hh + sum1h + choiceh + k[i] + w[i] + ((t1lo / TWO_32) | 0)) |
      0;
    const t1l = t1lo | 0;
    // Σ0(a): rotate right 28, 34 and 39.
    const sum0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^
      ((al >>> 7) | (ah << 25));
    const sum0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^
      ((ah >>> 7) | (al << 25));
    const majorityh = (ah & bh) ^ (ah & ch) ^ (bh & ch);
    const majorityl = (al & bl) ^ (al & cl) ^ (bl & cl);
    const t2lo = (sum0l >>> 0) + (majorityl >>> 0);
    const t2h = (sum0h + majorityh + ((t2lo / TWO_32) | 0)) | 0;
    const t2l = t2lo | 0;
    hh = gh;
    hl = gl;
    gh = fh;
    gl = fl;
    fh = eh;
    fl = el;
    const elo = (dl >>> 0) + (t1l >>> 0);
    eh = (dh + t1h + ((elo / TWO_32) | 0)) | 0;
    el = elo | 0;
    dh = ch;
    dl = cl;
    ch = bh;
    cl = bl;
    bh = ah;
    bl = al;
    const alo = (t1l >>> 0) + (t2l >>> 0);
    ah = (t1h + t2h + ((alo / TWO_32) | 0)) | 0;
    al = alo | 0;
  }
  add64(s, 0, ah, al);
  add64(s, 2, bh, bl);
  add64(s, 4, ch, cl);
  add64(s, 6, dh, dl);
  add64(s, 8, eh, el);
  add64(s, 10, fh, fl);
  add64(s, 12, gh, gl);
  add64(s, 14, hh, hl);
}

function add64(s: Int32Array, i: number, high: number, low: number): void {
  const lo = (s[i + 1] >>> 0) + (low >>> 0);
  s[i] = (s[i] + high + ((lo / TWO_32) | 0)) | 0;
  s[i + 1] = lo | 0;
}

/** The padded last block or two, reused: hashing is synchronous. */
const tail = new Uint8Array(256);
/** An inner HMAC digest of SHA-384 or SHA-512, reused. */
const innerDigest = new Uint8Array(64);

/**
 * One block into `state`. Two direct calls rather than a function kept on
 * the algorithm: each call site stays monomorphic, so V8 inlines the block.
 */
function compress(
  block: number,
  state: Int32Array,
  data: Uint8Array,
  offset: number,
): void {
  if (block === 64) sha256Block(state, data, offset);
  else sha512Block(state, data, offset);
}

/**
 * Hashes the first `length` bytes of `data`, then the padding, on from
 * `state`, which has already taken `prefix` bytes before `data` and the
 * first `start` bytes of it (both whole blocks). The digest is left in
 * `state`.
 */
function absorb(
  block: number,
  state: Int32Array,
  prefix: number,
  data: Uint8Array,
  start: number,
  length: number,
): void {
  const rest = length % block;
  const whole = length - rest;
  for (let offset = start; offset < whole; offset += block) {
    compress(block, state, data, offset);
  }
  // The length field is 8 bytes for SHA-256, 16 for SHA-512.
  const size = rest + 1 + block / 8 <= block ? block : 2 * block;
  for (let i = 0; i < rest; i++) tail[i] = data[whole + i];
  tail[rest] = 0x80;
  tail.fill(0, rest + 1, size - 8);
  const bits = (prefix + length) * 8;
  writeWord(tail, size - 8, Math.floor(bits / TWO_32));
  writeWord(tail, size - 4, bits >>> 0);
  for (let offset = 0; offset < size; offset += block) {
    compress(block, state, tail, offset);
  }
}

/** The first `count` bytes of a state, big-endian, into `out`. */
function stateBytes(state: Int32Array, out: Uint8Array, count: number): void {
  for (let i = 0; i < count; i += 4) writeWord(out, i, state[i >> 2]);
}

function writeWord(bytes: Uint8Array, offset: number, word: number): void {
  bytes[offset] = word >>> 24;
  bytes[offset + 1] = word >>> 16;
  bytes[offset + 2] = word >>> 8;
  bytes[offset + 3] = word;
}

/**
 * The digest of some bytes.
 *
 * @param name `"sha256"`, `"sha384"` or `"sha512"`.
 * @param data The bytes to hash.
 * @returns The digest: 32, 48 or 64 bytes.
 */
export function digest(name: Sha2Name, data: Uint8Array): Uint8Array {
  const algo = algorithm(name);
  const state = algo.iv.slice();
  absorb(algo.block, state, 0, data, 0, data.length);
  const out = new Uint8Array(algo.out);
  stateBytes(state, out, algo.out);
  return out;
}

/**
 * An HMAC key, ready to sign: the hash states after the key's inner and
 * outer pads are computed once, here.
 */
export class HmacKey {
  #algo: Algorithm;
  #inner: Int32Array;
  #outer: Int32Array;
  #work: Int32Array;
  /** The character codes of the hex MAC, reused by {@linkcode signHex}. */
  #hex: number[];
  // The first block of the last message longer than a block, and the inner
  // state after it. A request signed again for the same method and a long
  // path (polling one run, the same GET retried) starts with the same block,
  // date and nonce coming later: one block of four or five not hashed again.
  #first: Uint8Array;
  #afterFirst: Int32Array;
  #firstSaved = false;

  /**
   * @param name The hash.
   * @param key The key bytes, of any length.
   */
  constructor(name: Sha2Name, key: Uint8Array) {
    const algo = algorithm(name);
    const pad = new Uint8Array(algo.block);
    pad.set(key.length > algo.block ? digest(name, key) : key);
    for (let i = 0; i < pad.length; i++) pad[i] ^= 0x36;
    this.#inner = algo.iv.slice();
    compress(algo.block, this.#inner, pad, 0);
    for (let i = 0; i < pad.length; i++) pad[i] ^= 0x36 ^ 0x5c;
    this.#outer = algo.iv.slice();
    compress(algo.block, this.#outer, pad, 0);
    this.#algo = algo;
    this.#work = new Int32Array(algo.iv.length);
    this.#hex = new Array(algo.out * 2).fill(0);
    this.#first = new Uint8Array(algo.block);
    this.#afterFirst = new Int32Array(algo.iv.length);
  }

  /**
   * The HMAC of a message.
   *
   * @param message The bytes to sign.
   * @returns The MAC: as long as the hash's digest.
   */
  sign(message: Uint8Array): Uint8Array {
    this.#mac(message, message.length);
    const out = new Uint8Array(this.#algo.out);
    stateBytes(this.#work, out, out.length);
    return out;
  }

  /**
   * The HMAC of the first `length` bytes of a buffer, as lower-case hex:
   * the same as `toHex(sign(message.subarray(0, length)))`, without the
   * view or the MAC's bytes.
   *
   * @param message The buffer that holds the bytes to sign.
   * @param length How many of its bytes to sign.
   * @returns Two hex digits per byte of the MAC.
   */
  signHex(message: Uint8Array, length: number): string {
    this.#mac(message, length);
    return hexWords(this.#work, this.#hex);
  }

  /** Leaves the MAC of `message` in `#work`. */
  #mac(message: Uint8Array, length: number): void {
    const block = this.#algo.block;
    const work = this.#work;
    let start = 0;
    if (length >= block) {
      start = block;
      if (this.#firstSaved && sameBlock(this.#first, message)) {
        work.set(this.#afterFirst);
      } else {
        work.set(this.#inner);
        compress(block, work, message, 0);
        for (let i = 0; i < block; i++) this.#first[i] = message[i];
        this.#afterFirst.set(work);
        this.#firstSaved = true;
      }
    } else {
      work.set(this.#inner);
    }
    absorb(block, work, block, message, start, length);
    if (block === 64) {
      // The outer message is the inner digest: one block, whose words are
      // the inner state, then the padding of 64 + 32 bytes.
      const w = W256;
      for (let i = 0; i < 8; i++) w[i] = work[i];
      w[8] = 0x80000000 | 0;
      w.fill(0, 9, 15);
      w[15] = (64 + 32) * 8;
      work.set(this.#outer);
      sha256Rounds(work);
    } else {
      const out = this.#algo.out;
      stateBytes(work, innerDigest, out);
      work.set(this.#outer);
      absorb(block, work, block, innerDigest, 0, out);
    }
  }
}

const HEX = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

/**
 * Whether `message` starts with the bytes of `first`. Not constant-time: a
 * message to sign is the request's own method, path and date, no secret.
 */
function sameBlock(first: Uint8Array, message: Uint8Array): boolean {
  for (let i = 0; i < first.length; i++) {
    if (first[i] !== message[i]) return false;
  }
  return true;
}

const HEX_DIGITS = Array.from(
  "0123456789abcdef",
  (digit) => digit.charCodeAt(0),
);

/**
 * Lower-case hex of a state's first `codes.length / 8` words, big-endian,
 * built in `codes`: one flat string made at once from character codes,
 * rather than a rope of 32 to 64 pieces that `fetch` would flatten later.
 */
function hexWords(state: Int32Array, codes: number[]): string {
  for (let i = 0; i < codes.length; i += 8) {
    const word = state[i >> 3];
    for (let j = 0; j < 8; j++) {
      codes[i + j] = HEX_DIGITS[(word >>> (28 - 4 * j)) & 15];
    }
  }
  return String.fromCharCode.apply(null, codes);
}

/**
 * Lower-case hex of some bytes.
 *
 * @param bytes The bytes.
 * @returns Two hex digits per byte.
 */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}
