import { describe, expect, it } from 'vitest';
import type * as NameModule from './name.ts';
import type * as RoleModule from './role.ts';
import { useBrowser } from './testing/fixture.ts';
import { pageWithModules } from './testing/inpage.ts';

const fx = useBrowser();

const HTML = `
<span id="l1">First</span><span id="l2">Last</span>
<input id="a" aria-labelledby="l1 l2" aria-label="ignored">
<input id="b" aria-label="  Search   the site ">
<label for="c">User name</label><input id="c" value="typed-secret-value">
<label>Remember <input id="d" type="checkbox"> me</label>
<label>Plan <select id="e"><option>Free plan option</option></select></label>
<input id="f" placeholder="Your email">
<input id="g" title="Tooltip only">
<input id="h" type="submit" value="Send it">
<input id="i" type="reset">
<input id="j" type="image" alt="Go">
<img id="k" alt="Company logo">
<button id="l">  Save
   <img alt="disk"> changes </button>
<a id="m" href="#">Read <span hidden>hidden</span>more<span aria-hidden="true"> icon</span></a>
<h2 id="n">Title <em>here</em></h2>
<textarea id="o">typed textarea secret</textarea>
<div id="p">Just text, no role</div>
<button id="q" data-lockstep-mask>Masked caption</button>
<button id="r">Pay <span data-lockstep-mask>4111</span> now</button>
<button id="s">${'x'.repeat(300)}</button>
<input id="t" value="value-without-label">
<label for="u">Password</label><input id="u" type="password" placeholder="min 8 chars">
`;

type Rows = Record<string, string | null>;

describe('nameOf', () => {
  it('follows a practical subset of accname and never uses a text field value', async () => {
    const page = await fx.page();
    await pageWithModules(page, HTML, { role: new URL('./role.ts', import.meta.url), name: new URL('./name.ts', import.meta.url) });
    const names: Rows = await page.evaluate(() => {
      const m = (window as unknown as { __m: { name: typeof NameModule; role: typeof RoleModule } }).__m;
      const rows: Record<string, string | null> = {};
      for (const el of Array.from(document.querySelectorAll('[id]'))) {
        const masked = el.id === 'q' || el.id === 'u';
        rows[el.id] = m.name.nameOf(el, m.role.roleOf(el), masked) ?? null;
      }
      return rows;
    });
    expect(names).toMatchObject({
      a: 'First Last',
      b: 'Search the site',
      c: 'User name',
      d: 'Remember me',
      e: 'Plan',
      f: 'Your email',
      g: 'Tooltip only',
      h: 'Send it',
      i: 'Reset',
      j: 'Go',
      k: 'Company logo',
      l: 'Save disk changes',
      m: 'Read more',
      n: 'Title here',
      o: null,
      p: null,
      q: null,
      r: 'Pay now',
      t: null,
      u: 'Password',
    });
    expect(names.s).toHaveLength(256);
    expect(JSON.stringify(names)).not.toMatch(/secret|value-without|4111|Free plan/);
  });
});
