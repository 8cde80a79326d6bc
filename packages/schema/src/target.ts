import { z } from 'zod';

/** A rectangle in CSS pixels of the top-level viewport. */
export const Box = z
  .object({
    x: z.number().finite(),
    y: z.number().finite(),
    w: z.number().finite().nonnegative(),
    h: z.number().finite().nonnegative(),
  })
  .strict();
export type Box = z.infer<typeof Box>;

/**
 * Where an event landed: enough to find the element again (selector, role + name) and to
 * place it on screen (box), never its content. `frame` is the path of frame indices from the
 * top document to the document holding the element (empty or absent for the top document).
 */
export const Target = z
  .object({
    tag: z.string().min(1).max(64),
    role: z.string().max(64).optional(),
    name: z.string().max(256).optional(),
    id: z.string().max(256).optional(),
    selector: z.string().min(1).max(1024),
    box: Box.optional(),
    frame: z.array(z.number().int().nonnegative()).max(16).optional(),
    /** The element is one whose content Lockstep never reads (password, card, one-time code, masked). */
    masked: z.literal(true).optional(),
  })
  .strict();
export type Target = z.infer<typeof Target>;
