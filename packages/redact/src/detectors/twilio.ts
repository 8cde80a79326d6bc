// Twilio: API key SIDs (SK + 32 hex) and account SIDs (AC + 32 hex), which together with their
// secret make a credential; an auth token (32 hex, indistinguishable from an MD5 by itself)
// counts when it is quoted on the same line as an account SID.
import type { Detector } from './detector.ts';
import { scanTokens } from './tokens.ts';
import { isHex } from './util.ts';

const isLowerHex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
const AUTH_TOKEN = /["'`]([0-9a-f]{32})["'`]/g;

export const twilio: Detector = {
  name: 'twilio',
  family: 'secret',
  kinds: ['twilio-key'],
  description: 'Twilio API key and account SIDs; an auth token beside an account SID',
  gate: (f) => f.maxRun >= 34,
  find(text, out) {
    scanTokens(text, out, 'secret', { kind: 'twilio-key', prefix: /SK/g, body: isHex, min: 34, max: 34 });
    const before = out.length;
    scanTokens(text, out, 'secret', { kind: 'twilio-key', prefix: /AC/g, body: isLowerHex, min: 34, max: 34 });
    for (let k = before; k < out.length; k++) {
      const sid = out[k]!;
      const lineEnd = text.indexOf('\n', sid.end);
      const line = text.slice(sid.end, Math.min(lineEnd === -1 ? text.length : lineEnd, sid.end + 200));
      AUTH_TOKEN.lastIndex = 0;
      const m = AUTH_TOKEN.exec(line);
      if (m) out.push({ start: sid.end + m.index + 1, end: sid.end + m.index + 33, kind: 'twilio-key', family: 'secret' });
    }
  },
};
