import { describe, expect, it } from 'vitest';
import type * as SelectorModule from './selector.ts';
import { useBrowser } from './testing/fixture.ts';
import { pageWithModules } from './testing/inpage.ts';

const fx = useBrowser();

const HTML = `
<form id="login">
  <input id="username">
  <input id=":r1:" name="email">
  <input id="a8f3k2j9x1" data-testid="phone">
  <input name="dup"><input name="dup">
  <div><span>one</span><span>two</span></div>
  <div class="x"><p><span>deep</span></p></div>
</form>
<div id="same"></div><div id="same"></div>
<section id="anchor"><ul><li>a</li><li>b</li></ul></section>
<ul><li>c</li><li>d</li></ul>
<div id="host"></div>
<div data-testid='quote"d'></div>
`;

describe('selectorOf', () => {
  it('prefers a unique hand-written id, then data-testid, then tag[name], then a short unique path', async () => {
    const page = await fx.page();
    await pageWithModules(page, HTML, { sel: new URL('./selector.ts', import.meta.url) });
    const result = await page.evaluate(() => {
      const m = (window as unknown as { __m: { sel: typeof SelectorModule } }).__m.sel;
      const host = document.getElementById('host') as HTMLElement;
      const root = host.attachShadow({ mode: 'open' });
      root.innerHTML = '<button>one</button><button id="inner">two</button>';
      const pick = (sel: string, i = 0) => document.querySelectorAll(sel)[i] as Element;
      const cases: [string, Element][] = [
        ['id', pick('#username')],
        ['generated id, name', pick('[name=email]')],
        ['testid', pick('[data-testid=phone]')],
        ['dup name 2', pick('[name=dup]', 1)],
        ['span two', pick('form div span', 1)],
        ['deep', pick('.x span')],
        ['duplicate id', pick('div#same', 1)],
        ['anchored li', pick('#anchor li', 1)],
        ['shadow', root.querySelector('#inner') as Element],
        ['shadow first', root.querySelector('button') as Element],
        ['quoted testid', pick('div[data-testid]')],
      ];
      const out: Record<string, { sel: string; unique: boolean }> = {};
      for (const [name, el] of cases) {
        const sel = m.selectorOf(el);
        // Resolve the selector the way Playwright's `a >> b` chaining would.
        const hits = sel.split(' >> ').reduce<Element[]>((acc, part, i) => {
          const roots: ParentNode[] = i === 0 ? [document] : acc.map((e) => e.shadowRoot as ParentNode);
          return roots.flatMap((r) => Array.from(r.querySelectorAll(part)));
        }, []);
        out[name] = { sel, unique: hits.length === 1 && hits[0] === el };
      }
      out.looks = { sel: ['username', ':r1:', 'ember123', 'a8f3k2j9x1', 'item-12', 'step2', '550e8400-e29b-41d4'].filter(m.looksGenerated).join(','), unique: true };
      return out;
    });
    expect(result.id?.sel).toBe('#username');
    expect(result['generated id, name']?.sel).toBe('input[name="email"]');
    expect(result.testid?.sel).toBe('[data-testid="phone"]');
    expect(result['dup name 2']?.sel).toBe('input:nth-of-type(5)');
    expect(result['span two']?.sel).toBe('span:nth-of-type(2)');
    expect(result['anchored li']?.sel).toBe('#anchor > ul > li:nth-of-type(2)');
    expect(result.shadow?.sel).toBe('#host >> #inner');
    expect(result['shadow first']?.sel).toBe('#host >> button:nth-of-type(1)');
    expect(result['quoted testid']?.sel).toBe('[data-testid="quote\\"d"]');
    expect(result.looks?.sel).toBe(':r1:,ember123,a8f3k2j9x1,550e8400-e29b-41d4');
    for (const [name, r] of Object.entries(result)) expect(r.unique, `${name}: ${r.sel}`).toBe(true);
  });
});
