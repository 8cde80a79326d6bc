import { createHash, hash } from 'node:crypto';

/**
 * RFC 6962 Merkle tree hashing (section 2.1) and the verification of inclusion and consistency
 * proofs, following transparency-dev/merkle's proof/verify.go so that this verifier agrees with
 * its public test vectors. Leaf hash = SHA-256(0x00 || entry), interior node = SHA-256(0x01 ||
 * left || right), the root of the empty tree = SHA-256(""). Sizes and indices are bigints in the
 * verifier (the vectors use the whole uint64 range); the log itself uses numbers.
 */

export const HASH_BYTES = 32;
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export type Hash = Buffer;

export function leafHash(entry: Uint8Array | string): Hash {
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

// 0x01 || left || right, reused: one one-shot hash() per interior node instead of a Hash object
// and three updates (a log of n leaves hashes n - 1 interior nodes, as many as leaves).
const NODE_INPUT = Buffer.alloc(1 + 2 * HASH_BYTES);
NODE_INPUT[0] = 0x01;

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) {
    return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
  }
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 1 + HASH_BYTES);
  // A 'binary' (latin1) digest and Buffer.from cost about half of hash()'s 'buffer' output (Node 20).
  return Buffer.from(hash('sha256', NODE_INPUT, 'binary'), 'binary');
}

/** nodeHash over hex hashes, in hex (the verifier keeps the tree as hex strings, no Buffers). */
export function nodeHashHex(left: string, right: string): string {
  if (NODE_INPUT.write(left, 1, HASH_BYTES, 'hex') !== HASH_BYTES || NODE_INPUT.write(right, 1 + HASH_BYTES, HASH_BYTES, 'hex') !== HASH_BYTES) {
    throw new TypeError('nodeHashHex takes two 64-digit hex hashes');
  }
  return hash('sha256', NODE_INPUT, 'hex');
}

export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** A proof failed to verify; the message says why. */
export class ProofError extends Error {
  override name = 'ProofError';
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The root of the leaves `hashes` (RFC 6962 MTH) — for tests and small trees; the log keeps a
 * compact frontier instead of recomputing.
 */
export function rootOf(hashes: readonly Uint8Array[]): Hash {
  if (hashes.length === 0) return EMPTY_ROOT;
  return subtree(hashes, 0, hashes.length);
}

function subtree(hashes: readonly Uint8Array[], from: number, to: number): Hash {
  if (to - from === 1) return Buffer.from(hashes[from]!);
  const k = splitPoint(to - from);
  return nodeHash(subtree(hashes, from, from + k), subtree(hashes, from + k, to));
}

/**
 * The compact range [0, size): the roots of the perfect subtrees that size decomposes into,
 * largest first. Appending a leaf merges equal-sized neighbours; the root folds them right to left.
 */
export class Frontier {
  constructor(
    /** Perfect subtree roots, left to right. */
    readonly nodes: Hash[] = [],
    public size = 0,
  ) {}

  clone(): Frontier {
    return new Frontier([...this.nodes], this.size);
  }

  /**
   * Appends a leaf hash. `onNode(level, index, hash)` is told of every perfect subtree completed
   * on the way (level 0 = the leaf itself).
   */
  push(leaf: Hash, onNode?: (level: number, index: number, hash: Hash) => void): void {
    let hash = leaf;
    let level = 0;
    let index = this.size;
    onNode?.(0, index, hash);
    // The trailing ones of the old size are the subtrees that the new leaf completes.
    let s = this.size;
    while (s % 2 === 1) {
      hash = nodeHash(this.nodes.pop()!, hash);
      level++;
      index = Math.floor(index / 2);
      onNode?.(level, index, hash);
      s = Math.floor(s / 2);
    }
    this.nodes.push(hash);
    this.size++;
  }

  root(): Hash {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let hash = this.nodes[this.nodes.length - 1]!;
    for (let i = this.nodes.length - 2; i >= 0; i--) hash = nodeHash(this.nodes[i]!, hash);
    return hash;
  }
}

// ---- proof generation, over any source of perfect-subtree hashes -------------------------------

/** The hash of the perfect subtree of 2^level leaves starting at leaf index·2^level. */
export type PerfectSource = (level: number, index: number) => Hash;

const isPowerOfTwo = (n: number) => n > 0 && Number.isInteger(Math.log2(n));

/** MTH(D[from:to]) for a range that RFC 6962's recursion produces (from aligned to the range). */
export function rangeHash(perfect: PerfectSource, from: number, to: number): Hash {
  const n = to - from;
  if (n <= 0) throw new RangeError(`empty range [${from}, ${to})`);
  if (isPowerOfTwo(n) && from % n === 0) return perfect(Math.log2(n), from / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(perfect, from, from + k), rangeHash(perfect, from + k, to));
}

/** RFC 6962 PATH(m, D[0:size]): the audit path of leaf `index` in the tree of `size` leaves. */
export function inclusionPath(perfect: PerfectSource, index: number, size: number): Hash[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const path: Hash[] = [];
  const walk = (m: number, from: number, to: number) => {
    const n = to - from;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, from, from + k);
      path.push(rangeHash(perfect, from + k, to));
    } else {
      walk(m - k, from + k, to);
      path.push(rangeHash(perfect, from, from + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** RFC 6962 PROOF(m, D[0:n]): the consistency proof between the trees of `from` and `to` leaves. */
export function consistencyPath(perfect: PerfectSource, from: number, to: number): Hash[] {
  if (!(from >= 0 && from <= to)) throw new RangeError(`no consistency proof from ${from} to ${to}`);
  if (from === 0 || from === to) return [];
  const proof: Hash[] = [];
  const sub = (m: number, start: number, end: number, complete: boolean) => {
    const n = end - start;
    if (m === n) {
      if (!complete) proof.push(rangeHash(perfect, start, end));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, start + k, complete);
      proof.push(rangeHash(perfect, start + k, end));
    } else {
      sub(m - k, start + k, end, false);
      proof.push(rangeHash(perfect, start, start + k));
    }
  };
  sub(from, 0, to, true);
  return proof;
}

/** A PerfectSource over an array of leaf hashes (tests, small trees). */
export function perfectFromLeaves(leaves: readonly Uint8Array[]): PerfectSource {
  return (level, index) => {
    const width = 2 ** level;
    return subtree(leaves, index * width, index * width + width);
  };
}

// ---- verification (transparency-dev/merkle proof/verify.go) ------------------------------------

type Size = bigint | number;
const big = (n: Size) => BigInt(n);

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

function onesCount(x: bigint): number {
  let count = 0;
  for (const c of x.toString(2)) if (c === '1') count++;
  return count;
}

function trailingZeros(x: bigint): number {
  if (x === 0n) return 64;
  let n = 0;
  while (((x >> BigInt(n)) & 1n) === 0n) n++;
  return n;
}

function decompose(index: bigint, size: bigint): { inner: number; border: number } {
  const inner = bitLength(index ^ (size - 1n));
  const border = onesCount(index >> BigInt(inner));
  return { inner, border };
}

function chainInner(seed: Uint8Array, proof: readonly Uint8Array[], index: bigint): Uint8Array {
  proof.forEach((h, i) => {
    seed = ((index >> BigInt(i)) & 1n) === 0n ? nodeHash(seed, h) : nodeHash(h, seed);
  });
  return seed;
}

function chainInnerRight(seed: Uint8Array, proof: readonly Uint8Array[], index: bigint): Uint8Array {
  proof.forEach((h, i) => {
    if (((index >> BigInt(i)) & 1n) === 1n) seed = nodeHash(h, seed);
  });
  return seed;
}

function chainBorderRight(seed: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  for (const h of proof) seed = nodeHash(h, seed);
  return seed;
}

function checkHashes(what: string, hashes: readonly Uint8Array[]): void {
  hashes.forEach((h, i) => {
    if (h.length !== HASH_BYTES) throw new ProofError(`${what} ${i} has ${h.length} bytes, not ${HASH_BYTES}`);
  });
}

function match(calculated: Uint8Array, expected: Uint8Array, what: string): void {
  if (expected.length !== HASH_BYTES) throw new ProofError(`${what} has ${expected.length} bytes, not ${HASH_BYTES}`);
  if (!Buffer.from(calculated).equals(Buffer.from(expected))) throw new ProofError(`${what} does not match the proof`);
}

/** The root that an inclusion proof implies; throws ProofError if the proof is malformed. */
export function rootFromInclusionProof(index: Size, size: Size, leaf: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  const i = big(index);
  const n = big(size);
  if (i < 0n || i >= n) throw new ProofError(`index ${i} is beyond the tree size ${n}`);
  if (leaf.length !== HASH_BYTES) throw new ProofError(`the leaf hash has ${leaf.length} bytes, not ${HASH_BYTES}`);
  checkHashes('proof node', proof);
  const { inner, border } = decompose(i, n);
  if (proof.length !== inner + border) throw new ProofError(`the proof has ${proof.length} nodes; a leaf ${i} of ${n} needs ${inner + border}`);
  return chainBorderRight(chainInner(leaf, proof.slice(0, inner), i), proof.slice(inner));
}

/** Throws ProofError unless `proof` shows that `leaf` is leaf `index` of the tree of `size` with `root`. */
export function verifyInclusion(index: Size, size: Size, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void {
  match(rootFromInclusionProof(index, size, leaf, proof), root, 'the root');
}

/** Throws ProofError unless `proof` shows that the tree (size2, root2) extends the tree (size1, root1). */
export function verifyConsistency(size1: Size, size2: Size, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): void {
  const m = big(size1);
  const n = big(size2);
  if (m < 0n || n < m) throw new ProofError(`size2 (${n}) < size1 (${m})`);
  // The empty tree has exactly one root.
  if (m === 0n && !Buffer.from(root1).equals(EMPTY_ROOT)) throw new ProofError('root1 is not the root of the empty tree');
  if (m === n) {
    if (proof.length > 0) throw new ProofError('the sizes are equal but the proof is not empty');
    if (!Buffer.from(root1).equals(Buffer.from(root2))) throw new ProofError('the sizes are equal but the roots differ');
    return;
  }
  if (root1.length !== HASH_BYTES || root2.length !== HASH_BYTES) throw new ProofError(`a root has ${root1.length === HASH_BYTES ? root2.length : root1.length} bytes, not ${HASH_BYTES}`);
  if (m === 0n) {
    if (proof.length > 0) throw new ProofError(`expected an empty proof from size 0, got ${proof.length} nodes`);
    return;
  }
  if (proof.length === 0) throw new ProofError('empty proof');
  checkHashes('proof node', proof);

  const decomposed = decompose(m - 1n, n);
  const shift = trailingZeros(m);
  const inner = decomposed.inner - shift;
  const border = decomposed.border;
  let seed = proof[0]!;
  let start = 1;
  if (m === 1n << BigInt(shift)) {
    seed = root1;
    start = 0;
  }
  if (proof.length !== start + inner + border) throw new ProofError(`the proof has ${proof.length} nodes; from ${m} to ${n} needs ${start + inner + border}`);
  const rest = proof.slice(start);
  const mask = (m - 1n) >> BigInt(shift);
  const hash1 = chainBorderRight(chainInnerRight(seed, rest.slice(0, inner), mask), rest.slice(inner));
  match(hash1, root1, 'root1');
  const hash2 = chainBorderRight(chainInner(seed, rest.slice(0, inner), mask), rest.slice(inner));
  match(hash2, root2, 'root2');
}
