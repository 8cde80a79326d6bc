import { describe, expect, it } from 'vitest';
import type * as RoleModule from './role.ts';
import { useBrowser } from './testing/fixture.ts';
import { pageWithModules } from './testing/inpage.ts';

const fx = useBrowser();

// Every element with data-expect must get that role ('' = none).
const HTML = `
<button data-expect="button">Go</button>
<a href="/x" data-expect="link">x</a>
<a data-expect="">no href</a>
<input data-expect="textbox">
<input type="email" data-expect="textbox">
<input type="password" data-expect="textbox">
<input type="search" data-expect="searchbox">
<input type="number" data-expect="spinbutton">
<input type="range" data-expect="slider">
<input type="checkbox" data-expect="checkbox">
<input type="radio" data-expect="radio">
<input type="submit" data-expect="button">
<input type="hidden" data-expect="">
<input list="dl" data-expect="combobox"><datalist id="dl"></datalist>
<textarea data-expect="textbox"></textarea>
<div contenteditable="true" data-expect="textbox"><b data-expect="">bold</b></div>
<select data-expect="combobox"><option data-expect="option">A</option></select>
<select multiple data-expect="listbox"></select>
<h1 data-expect="heading">T</h1><h4 data-expect="heading">T</h4>
<img alt="Logo" data-expect="img"><img alt="" data-expect="presentation">
<ul data-expect="list"><li data-expect="listitem">i</li></ul>
<nav data-expect="navigation"></nav>
<div role="tab" data-expect="tab"></div>
<div role="menuitem checkbox" data-expect="menuitem"></div>
<span role="Switch" data-expect="switch"></span>
<section data-expect="">s</section>
<section aria-label="Named" data-expect="region">s</section>
<div data-expect="">plain</div>
`;

describe('roleOf', () => {
  it('uses the explicit role, else the implicit role of common elements', async () => {
    const page = await fx.page();
    await pageWithModules(page, HTML, { role: new URL('./role.ts', import.meta.url) });
    const rows = await page.evaluate(() => {
      const m = (window as unknown as { __m: { role: typeof RoleModule } }).__m.role;
      return Array.from(document.querySelectorAll('[data-expect]')).map((el) => [el.outerHTML.slice(0, 60), el.getAttribute('data-expect'), m.roleOf(el) ?? '']);
    });
    expect(rows.length).toBeGreaterThan(30);
    for (const [html, want, got] of rows) expect(got, html ?? '').toBe(want);
  });
});
