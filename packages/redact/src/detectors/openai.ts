// OpenAI API keys: project (sk-proj-), service-account (sk-svcacct-), admin (sk-admin-) keys,
// the legacy user keys (sk- + 48, and the sk-…T3BlbkFJ… form). Anthropic's sk-ant- keys are
// left to anthropic.ts.
import { tokenDetector } from './tokens.ts';
import { isAlnum } from './util.ts';

export const openai = tokenDetector('openai', 'OpenAI API keys (sk-proj-, sk-svcacct-, sk-admin-, legacy sk-)', [
  { kind: 'openai-key', prefix: /sk-(?:proj|svcacct|admin|None)-/g, min: 40, max: 256 },
  { kind: 'openai-key', prefix: /sk-(?!ant-|proj-|svcacct-|admin-|None-)/g, body: isAlnum, min: 51, max: 51 },
  { kind: 'openai-key', prefix: /sk-(?!ant-|proj-|svcacct-|admin-|None-)/g, body: isAlnum, min: 51, max: 60, shape: /^sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}$/ },
]);
