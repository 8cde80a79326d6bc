import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EMPTY_ROOT,
  Frontier,
  ProofError,
  consistencyPath,
  inclusionPath,
  leafHash,
  perfectFromLeaves,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';

// CI clones the repository with ../shared beside it; the vectors are part of the acceptance.
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const vectorsDir = join(repoRoot, '..', 'shared', 'vectors', 'merkle');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsonFiles(path) : name.endsWith('.json') ? [path] : [];
  });
}

/** Reads a vector, keeping the uint64 sizes exact (JSON numbers would round above 2^53). */
function readVector<T>(path: string): T {
  const text = readFileSync(path, 'utf8').replace(/"(leafIdx|treeSize|size1|size2)":\s*(\d+)/g, '"$1":"$2"');
  return JSON.parse(text) as T;
}

const b64 = (s: string) => Buffer.from(s, 'base64');

interface InclusionVector {
  leafIdx: string;
  treeSize: string;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: string;
  size2: string;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function outcome(check: () => void): boolean {
  try {
    check();
    return true;
  } catch (error) {
    if (error instanceof ProofError) return false;
    throw error;
  }
}

describe('RFC 6962 test vectors (transparency-dev/merkle)', () => {
  it('finds the vectors in ../shared/vectors/merkle', () => {
    expect(existsSync(vectorsDir), `missing ${vectorsDir}: clone the shared repository beside this one`).toBe(true);
    expect(jsonFiles(join(vectorsDir, 'inclusion')).length).toBeGreaterThan(50);
    expect(jsonFiles(join(vectorsDir, 'consistency')).length).toBeGreaterThan(50);
  });

  it('agrees with every inclusion vector', () => {
    const files = existsSync(vectorsDir) ? jsonFiles(join(vectorsDir, 'inclusion')) : [];
    expect(files.length, `no inclusion vectors under ${vectorsDir}`).toBeGreaterThan(0);
    let valid = 0;
    for (const file of files) {
      const v = readVector<InclusionVector>(file);
      const ok = outcome(() => verifyInclusion(BigInt(v.leafIdx), BigInt(v.treeSize), b64(v.leafHash), (v.proof ?? []).map(b64), b64(v.root)));
      expect(ok, `${relative(vectorsDir, file)} (${v.desc})`).toBe(!v.wantErr);
      if (ok) valid++;
    }
    expect(valid).toBeGreaterThan(0);
  });

  it('agrees with every consistency vector', () => {
    const files = existsSync(vectorsDir) ? jsonFiles(join(vectorsDir, 'consistency')) : [];
    expect(files.length, `no consistency vectors under ${vectorsDir}`).toBeGreaterThan(0);
    let valid = 0;
    for (const file of files) {
      const v = readVector<ConsistencyVector>(file);
      const ok = outcome(() => verifyConsistency(BigInt(v.size1), BigInt(v.size2), (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2)));
      expect(ok, `${relative(vectorsDir, file)} (${v.desc})`).toBe(!v.wantErr);
      if (ok) valid++;
    }
    expect(valid).toBeGreaterThan(0);
  });
});

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(`leaf ${i}`));

describe('tree hashing', () => {
  it('matches RFC 6962 for the empty tree and one leaf', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(leafHash('').toString('hex')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(rootOf([leafHash('')])).toEqual(leafHash(''));
  });

  it('keeps the frontier root equal to the recomputed root at every size', () => {
    const leaves = leavesOf(70);
    const frontier = new Frontier();
    expect(frontier.root()).toEqual(EMPTY_ROOT);
    leaves.forEach((leaf, i) => {
      frontier.push(leaf);
      expect(frontier.root(), `size ${i + 1}`).toEqual(rootOf(leaves.slice(0, i + 1)));
    });
  });
});

describe('proofs (property tests)', () => {
  const sizes = fc.integer({ min: 1, max: 300 }).chain((size) => fc.record({ size: fc.constant(size), index: fc.integer({ min: 0, max: size - 1 }), from: fc.integer({ min: 0, max: size }) }));

  it('inclusion proofs of every size verify, and the wrong leaf or index does not', () => {
    fc.assert(
      fc.property(sizes, ({ size, index }) => {
        const leaves = leavesOf(size);
        const root = rootOf(leaves);
        const proof = inclusionPath(perfectFromLeaves(leaves), index, size);
        verifyInclusion(index, size, leaves[index]!, proof, root);
        expect(outcome(() => verifyInclusion(index, size, leafHash('other'), proof, root))).toBe(false);
        if (size > 1) expect(outcome(() => verifyInclusion((index + 1) % size, size, leaves[index]!, proof, root))).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('consistency proofs between any two sizes verify', () => {
    fc.assert(
      fc.property(sizes, ({ size, from }) => {
        const leaves = leavesOf(size);
        const proof = consistencyPath(perfectFromLeaves(leaves), from, size);
        verifyConsistency(from, size, proof, rootOf(leaves.slice(0, from)), rootOf(leaves));
        if (from > 0 && from < size) {
          // A different history of the same length is not consistent.
          const forged = [...leaves.slice(0, from - 1), leafHash('forged'), ...leaves.slice(from)];
          expect(outcome(() => verifyConsistency(from, size, proof, rootOf(forged.slice(0, from)), rootOf(leaves)))).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('any single bit flipped in a proof, leaf or root makes it fail', () => {
    fc.assert(
      fc.property(
        sizes.filter(({ size, from }) => size > 1 && from > 0 && from < size),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        ({ size, index, from }, which, bit) => {
          const leaves = leavesOf(size);
          const root = rootOf(leaves);
          const flip = (h: Buffer) => {
            const copy = Buffer.from(h);
            copy[bit >> 3]! ^= 1 << (bit & 7);
            return copy;
          };
          const incl = inclusionPath(perfectFromLeaves(leaves), index, size);
          const parts = [...incl, leaves[index]!, root];
          const target = which % parts.length;
          const mutated = parts.map((h, i) => (i === target ? flip(h) : h));
          expect(outcome(() => verifyInclusion(index, size, mutated[incl.length]!, mutated.slice(0, incl.length), mutated[incl.length + 1]!))).toBe(false);

          const old = rootOf(leaves.slice(0, from));
          const cons = consistencyPath(perfectFromLeaves(leaves), from, size);
          const cparts = [...cons, old, root];
          const ctarget = which % cparts.length;
          const cm = cparts.map((h, i) => (i === ctarget ? flip(h) : h));
          expect(outcome(() => verifyConsistency(from, size, cm.slice(0, cons.length), cm[cons.length]!, cm[cons.length + 1]!))).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
