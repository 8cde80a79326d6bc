// Lockstep's trajectory record, version 1: one episode as training data. This is the line format
// of the `jsonl` export (one record per line) and the input of every other writer (parquet, chat,
// playwright). A record is always de-identified: `subject` is a per-export pseudonym, times are
// offsets from the episode's start, URLs carry site aliases instead of host names unless the
// program lets a site's name through, and nothing names a device, account or network.
import { z } from 'zod';
import { RedactionKind } from '@lockstep/schema';
import { Action, Observation, Screen } from '../actions.ts';
import { ActionCounts, EpisodeLabel } from '../episode.ts';

export const TRAJECTORY_FORMAT = 'lockstep.trajectory' as const;
export const TRAJECTORY_VERSION = 1 as const;

const ms = z.number().finite().nonnegative();

/** One step: the last settled observation before the action, and the action. Times are ms from the episode start. */
export const Step = z
  .object({
    /** Position in the episode, from 0. */
    index: z.number().int().nonnegative(),
    observation: Observation.optional(),
    action: Action,
  })
  .strict();
export type Step = z.infer<typeof Step>;

/**
 * A field's value at the end of the episode, as recorded (already redacted on the device). The
 * replay check compares these with the page after replaying. `masked`: the field's content was
 * never read, so only its having been filled is known.
 */
export const FinalField = z
  .object({
    selector: z.string().min(1).max(1024),
    role: z.string().max(64).optional(),
    name: z.string().max(256).optional(),
    /** Frame path when the field is in an iframe. */
    frame: z.array(z.number().int().nonnegative()).max(16).optional(),
    value: z.string().max(1_000_000).optional(),
    /** For checkboxes and radio buttons. */
    checked: z.boolean().optional(),
    masked: z.literal(true).optional(),
  })
  .strict();
export type FinalField = z.infer<typeof FinalField>;

/** What the page looked like at the end of a web episode: the top-level URL and the fields the episode touched. */
export const FinalState = z
  .object({
    url: z.string().max(8192).optional(),
    fields: z.array(FinalField).max(10_000),
  })
  .strict();
export type FinalState = z.infer<typeof FinalState>;

export const TrajectoryRecord = z
  .object({
    format: z.literal(TRAJECTORY_FORMAT),
    version: z.literal(TRAJECTORY_VERSION),
    /** The episode's id in this export only (the export's manifest and the revocation feed use it). */
    id: z.string().min(1).max(128),
    /** The person recorded, as a pseudonym that is stable within this export only. */
    subject: z.string().min(1).max(128),
    /** The task in the subject's words, when they gave one. */
    task: EpisodeLabel.nullable(),
    platform: z.enum(['web', 'desktop']),
    /** The screen at the start (CSS px and device pixel ratio); each pointer action carries its own. */
    screen: Screen.optional(),
    duration: ms,
    /** Apps (web: site origins, aliased unless the program names them) in order of first use. */
    apps: z.array(z.string().max(2048)).max(1000),
    /** Raw events the episode was compiled from. */
    events: z.number().int().nonnegative(),
    /** Actions per kind. */
    counts: ActionCounts,
    /** Spans masked on the device or by the server's second check, per kind. */
    redactions: z.partialRecord(RedactionKind, z.number().int().positive()),
    steps: z.array(Step).max(1_000_000),
    /** Web episodes: the recorded final state, for the replay check. */
    final: FinalState.optional(),
  })
  .strict();
export type TrajectoryRecord = z.infer<typeof TrajectoryRecord>;
