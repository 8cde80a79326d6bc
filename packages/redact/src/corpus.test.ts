// The acceptance numbers, on the committed corpus (packages/redact/corpus/corpus.jsonl).
//
// Recall: an expected finding counts as found when ONE reported finding of the SAME FAMILY
// covers all of it (start <= expected.start, end >= expected.end) — see corpus/score.ts. A decoy
// line counts as flagged when anything at all is reported on it.
import { describe, expect, it } from 'vitest';
import corpusText from '../corpus/corpus.jsonl?raw';
import { CORPUS_TERMS, generateCorpus, type CorpusCase } from '../corpus/generate.ts';
import { score } from '../corpus/score.ts';
import { createRedactor } from './index.ts';

declare const console: { log(...args: unknown[]): void };

const cases: CorpusCase[] = corpusText
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as CorpusCase);

describe('the redaction corpus', () => {
  it('is the generator output (run `npm run corpus -w @lockstep/redact` after changing the generator)', () => {
    expect(cases).toEqual(generateCorpus());
  });

  it('is large, labelled and covers every family, detector kind and decoy category', () => {
    expect(cases.length).toBeGreaterThanOrEqual(3000);
    for (const c of cases) for (const f of c.findings) expect(c.text.slice(f.start, f.end).length).toBe(f.end - f.start);
    const kinds = new Set(cases.flatMap((c) => c.findings.map((f) => f.kind)));
    for (const k of ['aws-access-key-id', 'aws-secret-access-key', 'gcp-api-key', 'private-key', 'azure-storage-key', 'github-token', 'gitlab-token', 'slack-token', 'slack-webhook', 'stripe-key', 'twilio-key', 'sendgrid-key', 'openai-key', 'anthropic-key', 'huggingface-token', 'npm-token', 'pypi-token', 'docker-token', 'shopify-token', 'discord-token', 'telegram-bot-token', 'jwt', 'url-password', 'url-token', 'password', 'assigned-secret', 'high-entropy-token', 'email', 'phone', 'card-number', 'us-ssn', 'uk-nino', 'iban', 'ip-address', 'custom-term', 'project-id']) {
      expect(kinds, k).toContain(k);
    }
    const decoys = new Set(cases.filter((c) => c.category.startsWith('decoy:')).map((c) => c.category));
    for (const d of ['commit-hash', 'uuid', 'order-number', 'version', 'code-mentions-secret', 'prose', 'file-path', 'url', 'date-time']) expect(decoys).toContain(`decoy:${d}`);
  });

  it('meets the recall and decoy targets: secrets ≥ 99%, personal data ≥ 98%, decoys flagged ≤ 1%', () => {
    const redactor = createRedactor({ terms: CORPUS_TERMS });
    const s = score(cases, (t) => redactor.find(t));
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    console.log(
      [
        `recall secret ${pct(s.byFamily.secret.recall)} (${s.byFamily.secret.found}/${s.byFamily.secret.expected}), pii ${pct(s.byFamily.pii.recall)} (${s.byFamily.pii.found}/${s.byFamily.pii.expected})`,
        `decoys flagged ${pct(s.decoys.rate)} (${s.decoys.flagged}/${s.decoys.lines}), precision ${pct(s.precision)}`,
        ...Object.entries(s.byKind)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `  ${k.padEnd(28)} ${pct(v.recall).padStart(8)}  ${v.found}/${v.expected}`),
        ...s.decoys.examples.map((e) => `  flagged decoy: ${e}`),
      ].join('\n'),
    );
    expect(s.byFamily.secret.recall).toBeGreaterThanOrEqual(0.99);
    expect(s.byFamily.pii.recall).toBeGreaterThanOrEqual(0.98);
    expect(s.decoys.rate).toBeLessThanOrEqual(0.01);
  });
});
