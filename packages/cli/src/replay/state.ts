// The replay check: read the page's final state where a trajectory record's `final` looks (its
// top-level URL, mapped back to the recorded site, and each field in its frame) and compare it
// with what was recorded. The generated script carries the same rules in JavaScript for its
// standalone run; replay.test.ts checks that both agree.
import type { FrameLocator, Page } from 'playwright-core';
import { recordedUrl } from '@lockstep/trajectory';
import type { FinalState, SiteRoute } from '@lockstep/trajectory';

/** What the page shows for one expected field. `editable`: read as text (rich text, any non-form element). */
export interface ObservedField {
  selector: string;
  found: boolean;
  value?: string;
  checked?: boolean;
  editable?: boolean;
}

export interface ObservedState {
  /** The page's URL, mapped back to the recorded site. */
  url: string;
  /** One per field of `final.fields`, in its order. */
  fields: ObservedField[];
}

export interface FieldCheck {
  selector: string;
  /** The recorded value, `checked` state, or `[masked]` for a field whose content was never read. */
  expected: string | boolean | null;
  /** What the page shows; `[filled]`/`''` for masked fields (the replay's stand-in is not shown); null when the field is missing. */
  actual: string | boolean | null;
  ok: boolean;
}

export interface StateCheck {
  ok: boolean;
  url: { expected: string | null; actual: string; ok: boolean };
  fields: FieldCheck[];
}

interface ReadField {
  value: string;
  checked?: boolean;
  editable: boolean;
}

// Built from a string so that no compiler can wrap it in helpers before Playwright sends its
// source into the page.
const READ_FIELD = new Function(
  'el',
  "const tag = el.localName; " +
    "if (tag === 'input' && (el.type === 'checkbox' || el.type === 'radio')) return { value: el.value, checked: el.checked, editable: false }; " +
    "if (tag === 'input' || tag === 'textarea' || tag === 'select') return { value: el.value, editable: false }; " +
    'return { value: el.innerText, editable: true };',
) as (el: Element) => ReadField;

/** The page or nested frame of a frame path (indices of frames in document order, as the recorder counts them). */
function scopeOf(page: Page, frame: readonly number[] | undefined): Page | FrameLocator {
  let scope: Page | FrameLocator = page;
  for (const index of frame ?? []) scope = scope.frameLocator('iframe, frame').nth(index);
  return scope;
}

/** Reads the state `final` describes from `page`. */
export async function readFinalState(page: Page, final: FinalState, routes: readonly SiteRoute[]): Promise<ObservedState> {
  const fields: ObservedField[] = [];
  for (const f of final.fields) {
    const locator = scopeOf(page, f.frame).locator(f.selector);
    const n = await locator.count().catch(() => 0);
    if (n === 0) {
      fields.push({ selector: f.selector, found: false });
      continue;
    }
    const read = await locator
      .first()
      .evaluate(READ_FIELD, undefined, { timeout: 5000 })
      .catch(() => null);
    fields.push(read ? { selector: f.selector, found: true, ...read } : { selector: f.selector, found: false });
  }
  return { url: recordedUrl(page.url(), routes), fields };
}

/** Text of rich text may end in line breaks no one typed (a trailing `<br>`): they do not count. */
const normalise = (value: string, editable: boolean | undefined): string => (editable ? value.replace(/\n+$/, '') : value);

/**
 * Compares an observed state with the recorded one: the URL exactly, values exactly (rich text up
 * to trailing line breaks), `checked` for check boxes and radios, and masked fields only for
 * being non-empty.
 */
export function compareFinalState(expected: FinalState, observed: ObservedState): StateCheck {
  const url = { expected: expected.url ?? null, actual: observed.url, ok: expected.url === undefined || expected.url === observed.url };
  const fields = expected.fields.map((f, i): FieldCheck => {
    const seen = observed.fields[i];
    const want = f.masked ? '[masked]' : f.checked !== undefined ? f.checked : (f.value ?? '');
    if (!seen?.found) return { selector: f.selector, expected: want, actual: null, ok: false };
    if (f.masked) {
      const filled = (seen.value ?? '') !== '';
      return { selector: f.selector, expected: want, actual: filled ? '[filled]' : '', ok: filled };
    }
    if (f.checked !== undefined) return { selector: f.selector, expected: want, actual: seen.checked ?? null, ok: seen.checked === f.checked };
    const actual = seen.value ?? '';
    return { selector: f.selector, expected: want, actual, ok: normalise(actual, seen.editable) === normalise(f.value ?? '', seen.editable) };
  });
  return { ok: url.ok && fields.every((f) => f.ok), url, fields };
}
