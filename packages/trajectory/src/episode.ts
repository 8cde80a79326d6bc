// Episodes: task-sized slices of a session, cut at idle gaps, app switches and explicit markers,
// and split, merged and labelled by their subject. These types may move to packages/schema
// (episode.ts) once the schema is free to change.
import { z } from 'zod';
import { ACTION_KINDS } from './actions.ts';

const seq = z.number().int().nonnegative();
const ms = z.number().finite().nonnegative();

/**
 * Why an episode starts where it does. `start`: the session's first event; `idle`: after a gap
 * without events; `app`: the person moved to another app (for the web: another origin);
 * `marker`: after a pause/resume or stop/start marker; `subject`: the subject split it there.
 */
export const CutReason = z.enum(['start', 'idle', 'app', 'marker', 'subject']);
export type CutReason = z.infer<typeof CutReason>;

/** An episode boundary: the episode starts with event `seq` (at session time `t`). */
export const Cut = z.object({ seq, t: ms, reason: CutReason }).strict();
export type Cut = z.infer<typeof Cut>;

/** Most characters in a subject's label. */
export const MAX_LABEL = 500;

/** The task in the subject's own words. */
export const EpisodeLabel = z.string().trim().min(1).max(MAX_LABEL);

export const ActionCounts = z.partialRecord(z.enum(ACTION_KINDS), z.number().int().positive());
export type ActionCounts = z.infer<typeof ActionCounts>;

export const Episode = z
  .object({
    /** Position in the session, from 0. */
    index: z.number().int().nonnegative(),
    start: z.object({ seq, t: ms }).strict(),
    /** The episode's last event. */
    end: z.object({ seq, t: ms }).strict(),
    reason: CutReason,
    /** From its first to its last event, in ms. */
    duration: ms,
    /** Apps used (for the web: origins), in order of first use. */
    apps: z.array(z.string().max(2048)).max(1000),
    events: z.number().int().nonnegative(),
    actions: z.number().int().nonnegative(),
    counts: ActionCounts,
    label: EpisodeLabel.optional(),
  })
  .strict();
export type Episode = z.infer<typeof Episode>;
