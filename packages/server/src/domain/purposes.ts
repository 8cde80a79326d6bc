import { z } from 'zod';

/**
 * The fixed vocabulary of purposes a program may declare and a grant may name. There is, on
 * purpose, no purpose for judging a person's work (performance review, productivity scoring,
 * discipline): a program or grant naming anything outside this list is refused. The same list
 * is written into policies.cedar ("grants-name-a-declared-purpose"); policy/promises.ts checks
 * that the two agree.
 */
export const PURPOSES = ['agent-training', 'evaluation', 'safety-research', 'product-research'] as const;
export type Purpose = (typeof PURPOSES)[number];
export const Purpose = z.enum(PURPOSES, { error: () => `must be one of ${PURPOSES.join(', ')} (there is no purpose for judging a person's work)` });

/**
 * What a program may declare it collects: the capture event kinds (`window` and `frame` are the
 * desktop agent's: the active window, and screenshots of it).
 */
export const MODALITIES = ['pointer', 'wheel', 'scroll', 'key', 'input', 'focus', 'navigation', 'viewport', 'marker', 'window', 'frame'] as const;
export const Modality = z.enum(MODALITIES, { error: () => `must be one of ${MODALITIES.join(', ')}` });
