import type { Finding, MaskStyle, Redactor, RedactorConfig } from './types.ts';
import { BUILTIN_KINDS, DETECTORS, type Detector } from './detectors/index.ts';
import { customTerms, RedactorConfigError } from './detectors/custom-terms.ts';
import { maskText, mergeFindings } from './mask.ts';

export { RedactorConfigError } from './detectors/custom-terms.ts';

const STYLES: readonly MaskStyle[] = ['shape', 'placeholder', 'drop'];
const CONFIG_KEYS = new Set(['style', 'terms', 'disabledKinds']);

/** Checks a config completely; throws RedactorConfigError naming the first problem. */
function validate(config: RedactorConfig): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new RedactorConfigError('the config must be an object');
  for (const key of Object.keys(config)) if (!CONFIG_KEYS.has(key)) throw new RedactorConfigError(`unknown field "${key}" (known: ${[...CONFIG_KEYS].join(', ')})`);
  if (config.style !== undefined && !STYLES.includes(config.style)) throw new RedactorConfigError(`style "${String(config.style)}" is not one of ${STYLES.join(', ')}`);
  if (config.terms !== undefined && !Array.isArray(config.terms)) throw new RedactorConfigError('terms must be an array');
  if (config.disabledKinds !== undefined) {
    if (!Array.isArray(config.disabledKinds)) throw new RedactorConfigError('disabledKinds must be an array');
    for (const k of config.disabledKinds) {
      // a typo here would silently keep masking; an unknown kind is more likely a mistake than a wish
      if (typeof k !== 'string' || !BUILTIN_KINDS.has(k)) throw new RedactorConfigError(`disabledKinds: "${String(k)}" is not a kind any detector reports (see describeDetectors())`);
    }
  }
}

/**
 * Builds a redactor. Throws RedactorConfigError on any bad config (unknown field or style, a
 * custom pattern that fails the linear-time check, …): a redactor is complete or not built.
 */
export function createRedactor(config: RedactorConfig = {}): Redactor {
  validate(config);
  const style = config.style ?? 'shape';
  const disabled = new Set(config.disabledKinds ?? []);
  const detectors: Detector[] = DETECTORS.filter((d) => d.kinds.some((k) => !disabled.has(k)));
  if (config.terms && config.terms.length > 0) detectors.push(customTerms(config.terms));
  const find = (text: string): Finding[] => {
    if (typeof text !== 'string') throw new TypeError('redactor.find: text must be a string');
    const raw: Finding[] = [];
    for (const d of detectors) d.find(text, raw);
    return mergeFindings(disabled.size ? raw.filter((f) => !disabled.has(f.kind)) : raw);
  };
  return Object.freeze({
    find,
    mask(text: string, findings?: readonly Finding[]): string {
      return maskText(text, findings ?? find(text), style);
    },
  });
}
