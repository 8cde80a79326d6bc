// The registry: every built-in detector, in priority order (when two overlapping findings of
// the same family and length compete for a merged span, the earlier detector names it).
import type { Detector } from './detector.ts';
import { anthropic } from './anthropic.ts';
import { assignedSecret } from './assigned-secret.ts';
import { authHeader } from './auth-header.ts';
import { aws } from './aws.ts';
import { azure } from './azure.ts';
import { cardNumber } from './card-number.ts';
import { discord } from './discord.ts';
import { docker } from './docker.ts';
import { email } from './email.ts';
import { gcp } from './gcp.ts';
import { github } from './github.ts';
import { gitlab } from './gitlab.ts';
import { highEntropy } from './high-entropy.ts';
import { huggingface } from './huggingface.ts';
import { iban } from './iban.ts';
import { ipAddress } from './ip-address.ts';
import { jwt } from './jwt.ts';
import { npm } from './npm.ts';
import { openai } from './openai.ts';
import { otherTokens } from './other-tokens.ts';
import { phone } from './phone.ts';
import { privateKey } from './private-key.ts';
import { pypi } from './pypi.ts';
import { sendgrid } from './sendgrid.ts';
import { shopify } from './shopify.ts';
import { slack } from './slack.ts';
import { stripe } from './stripe.ts';
import { telegram } from './telegram.ts';
import { twilio } from './twilio.ts';
import { ukNino } from './uk-nino.ts';
import { urlCredentials } from './url-credentials.ts';
import { usSsn } from './us-ssn.ts';

export type { Detector } from './detector.ts';

/** Secret detectors first: provider formats, then structural ones, then the generic rules. */
export const SECRET_DETECTORS: readonly Detector[] = [
  privateKey,
  aws,
  gcp,
  azure,
  github,
  gitlab,
  slack,
  stripe,
  twilio,
  sendgrid,
  anthropic,
  openai,
  huggingface,
  npm,
  pypi,
  docker,
  shopify,
  discord,
  telegram,
  otherTokens,
  jwt,
  urlCredentials,
  authHeader,
  assignedSecret,
  highEntropy,
];

export const PII_DETECTORS: readonly Detector[] = [email, cardNumber, iban, usSsn, ukNino, phone, ipAddress];

export const DETECTORS: readonly Detector[] = [...SECRET_DETECTORS, ...PII_DETECTORS];

/** Every kind a built-in detector can report. */
export const BUILTIN_KINDS: ReadonlySet<string> = new Set(DETECTORS.flatMap((d) => d.kinds));

/** Name, family, kinds and description of every built-in detector (and of the custom-term one). */
export function describeDetectors(): { name: string; family: string; kinds: readonly string[]; description: string }[] {
  return [
    ...DETECTORS.map(({ name, family, kinds, description }) => ({ name, family, kinds, description })),
    { name: 'custom-terms', family: 'pii (configurable)', kinds: ['custom-term (configurable)'], description: 'terms and patterns the program configures' },
  ];
}
