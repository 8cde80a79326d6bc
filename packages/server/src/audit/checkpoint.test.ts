import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  CheckpointError,
  checkpointText,
  keyId,
  openCheckpoint,
  openNote,
  parseCheckpointText,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  signerFromSeed,
} from './checkpoint.ts';
import { EMPTY_ROOT, leafHash } from './merkle.ts';

// The example of golang.org/x/mod/sumdb/note (the reference implementation of C2SP signed notes).
const GO_SIGNER = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VERIFIER = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
const goSeed = () => Buffer.from(GO_SIGNER.split('+').slice(4).join('+'), 'base64').subarray(1);

describe('signed notes (c2sp.org/signed-note)', () => {
  it('reproduces the Go reference note byte for byte, with its key id and verifier key', () => {
    const signer = signerFromSeed('PeterNeumann', goSeed());
    expect(signer.text).toBe(GO_VERIFIER);
    expect(keyId('PeterNeumann', Buffer.from(GO_VERIFIER.split('+')[2]!, 'base64').subarray(1)).toString('hex')).toBe('c74f20a3');
    expect(signNote(GO_TEXT, signer)).toBe(GO_NOTE);
    expect(openNote(GO_NOTE, parseVerifierKey(GO_VERIFIER))).toBe(GO_TEXT);
  });

  it('rejects tampered text, a wrong key, a forged key id and malformed verifier keys', () => {
    const verifier = parseVerifierKey(GO_VERIFIER);
    expect(() => openNote(GO_NOTE.replace('problem,', 'problem;'), verifier)).toThrow(CheckpointError);
    expect(() => openNote(GO_NOTE, signerFromSeed('PeterNeumann', randomBytes(32)))).toThrow(/not signed by/);
    expect(() => openNote(GO_NOTE.replace('x08go/ZJ', 'x08go/ZK'), verifier)).toThrow(CheckpointError);
    expect(() => openNote(GO_TEXT, verifier)).toThrow(/no blank line/);
    expect(() => parseVerifierKey(GO_VERIFIER.replace('c74f20a3', 'c74f20a4'))).toThrow(/key id/);
    expect(() => parseVerifierKey('Peter Neumann+c74f20a3+ARpc')).toThrow(CheckpointError);
    expect(() => parseVerifierKey(GO_VERIFIER.replace('+AR', '+Ax'))).toThrow(CheckpointError);
  });

  it('ignores other signatures (a witness cosignature) and still needs its own', () => {
    const log = signerFromSeed('example.com/log', randomBytes(32));
    const witness = signerFromSeed('witness.example', randomBytes(32));
    const note = signCheckpoint({ origin: 'example.com/log', size: 5, root: leafHash('x') }, log);
    const cosigned = note + signNote(checkpointText({ origin: 'example.com/log', size: 5, root: leafHash('x') }), witness).split('\n\n')[1];
    expect(openCheckpoint(cosigned, log).size).toBe(5);
    expect(() => openCheckpoint(signNote(checkpointText({ origin: 'example.com/log', size: 5, root: leafHash('x') }), witness), log)).toThrow(/not signed by/);
  });
});

describe('checkpoints (c2sp.org/tlog-checkpoint)', () => {
  const signer = signerFromSeed('lockstep/audit/test', Buffer.alloc(32, 7));

  it('has the exact layout: origin, size, base64 root, blank line, one em-dash signature line', () => {
    const root = leafHash('entry');
    const note = signCheckpoint({ origin: 'lockstep/audit/test', size: 42, root }, signer);
    const lines = note.split('\n');
    expect(lines.slice(0, 4)).toEqual(['lockstep/audit/test', '42', root.toString('base64'), '']);
    expect(lines[4]).toMatch(/^\u2014 lockstep\/audit\/test [A-Za-z0-9+/]{91}=$/);
    expect(lines[5]).toBe('');
    expect(lines).toHaveLength(6);
    const blob = Buffer.from(lines[4]!.split(' ')[2]!, 'base64');
    expect(blob).toHaveLength(68);
    expect(blob.subarray(0, 4)).toEqual(signer.keyId);
    // Ed25519 is deterministic: the same tree head, the same note.
    expect(signCheckpoint({ origin: 'lockstep/audit/test', size: 42, root }, signer)).toBe(note);
    expect(openCheckpoint(note, parseVerifierKey(signer.text), 'lockstep/audit/test')).toEqual({ origin: 'lockstep/audit/test', size: 42, root, extensions: [] });
  });

  it('refuses a checkpoint of another origin, a changed size or root, and malformed bodies', () => {
    const note = signCheckpoint({ origin: 'lockstep/audit/test', size: 0, root: EMPTY_ROOT }, signer);
    expect(() => openCheckpoint(note, signer, 'lockstep/audit/other')).toThrow(/not "lockstep\/audit\/other"/);
    expect(() => openCheckpoint(note.replace('\n0\n', '\n1\n'), signer)).toThrow(/invalid/);
    expect(() => parseCheckpointText('o\n01\nAAAA\n')).toThrow(/size/);
    expect(() => parseCheckpointText(`o\n1\n${Buffer.alloc(31).toString('base64')}\n`)).toThrow(/root/);
    expect(() => parseCheckpointText('o\n1\n')).toThrow(/origin, a size and a root/);
    expect(parseCheckpointText(`o\n1\n${EMPTY_ROOT.toString('base64')}\nextra line\n`).extensions).toEqual(['extra line']);
  });
});
