import { describe, expect, it } from 'vitest';
import { attachRecorder } from '../playwright.ts';
import { checkInvariants, FORCE, ofType, routePages, useBrowser } from '../testing/fixture.ts';

const fx = useBrowser();

const PAGE = `<!doctype html>
<label>Name <input id="name"></label>
<label>Bio <textarea id="bio"></textarea></label>
<label><input type="checkbox" id="agree"> I agree</label>
<fieldset><label><input type="radio" name="size" id="s" value="s"> Small</label><label><input type="radio" name="size" id="l" value="l"> Large</label></fieldset>
<label>Colour <select id="colour"><option value="red">Red</option><option value="blue">Blue</option></select></label>
<div id="doc" contenteditable="true" aria-label="Document"><p>Hi</p></div>
<div id="private" contenteditable="true" data-lockstep-mask>diary</div>
<input id="pin" autocomplete="one-time-code">
<input type="file" id="upload">
<div id="host"></div>
<script>
  const root = document.getElementById('host').attachShadow({ mode: 'open' });
  root.innerHTML = '<label for="inner">Inner</label><input id="inner">';
</script>`;

// Each test has its own page: they run side by side in the file's browser.
describe.concurrent('input observer', () => {
  it('records new values exactly, with inputType, and skips a change that repeats the last value', async () => {
    const page = await fx.page();
    await routePages(page, { '/': PAGE });
    const rec = await attachRecorder(page);
    await page.goto('http://lockstep.test/');
    await page.click('#name', FORCE);
    await page.keyboard.type('Grace');
    await page.keyboard.press('Backspace');
    await page.click('#bio', FORCE); // blur: change with the same value, not recorded again
    await page.keyboard.type('Line 1\nLine 2');
    await page.check('#agree');
    await page.uncheck('#agree');
    await page.check('#l');
    await page.selectOption('#colour', 'blue');
    await page.click('#doc p', FORCE);
    await page.keyboard.press('End');
    await page.keyboard.type(' there');
    await page.locator('#host input').fill('shadow value');
    const events = await rec.stop();
    checkInvariants(events);
    const inputs = ofType(events, 'input');
    const by = (sel: string) => inputs.filter((i) => i.target.selector === sel);
    expect(by('#name').map((i) => i.value)).toEqual(['G', 'Gr', 'Gra', 'Grac', 'Grace', 'Grac']);
    expect(by('#name').map((i) => i.inputType).slice(-2)).toEqual(['insertText', 'deleteContentBackward']);
    expect(by('#name')[0]?.target).toMatchObject({ role: 'textbox', name: 'Name' });
    expect(by('#bio').at(-1)?.value).toBe('Line 1\nLine 2');
    expect(by('#agree').map((i) => i.checked)).toEqual([true, false]);
    expect(by('#agree')[0]?.target).toMatchObject({ role: 'checkbox', name: 'I agree' });
    expect(by('#l')).toEqual([expect.objectContaining({ checked: true, target: expect.objectContaining({ role: 'radio', name: 'Large' }) })]);
    expect(by('#colour').map((i) => i.value)).toEqual(['blue']);
    expect(by('#doc').at(-1)).toMatchObject({ value: 'Hi there', target: { role: 'textbox', name: 'Document' } });
    expect(by('#host >> #inner').at(-1)).toMatchObject({ value: 'shadow value', target: { name: 'Inner' } });
    await page.close();
  });

  it('never reads masked fields: no value, masked flag; file names are withheld too', async () => {
    const page = await fx.page();
    await routePages(page, { '/': PAGE });
    const rec = await attachRecorder(page);
    await page.goto('http://lockstep.test/');
    // Trap every read of the masked fields' content.
    await page.evaluate(() => {
      const w = window as unknown as { reads: string[] };
      w.reads = [];
      const trap = (el: Element, prop: string, proto: object) => {
        const desc = Object.getOwnPropertyDescriptor(proto, prop);
        Object.defineProperty(el, prop, {
          configurable: true,
          get() {
            w.reads.push(`${el.id}.${prop}`);
            return desc?.get?.call(this);
          },
          set(v: unknown) {
            desc?.set?.call(this, v);
          },
        });
      };
      const pin = document.getElementById('pin') as HTMLInputElement;
      const priv = document.getElementById('private') as HTMLElement;
      trap(pin, 'value', HTMLInputElement.prototype);
      for (const prop of ['innerText', 'textContent', 'innerHTML']) trap(priv, prop, prop === 'textContent' ? Node.prototype : prop === 'innerHTML' ? Element.prototype : HTMLElement.prototype);
    });
    await page.click('#private', FORCE);
    await page.keyboard.type('my secret diary');
    await page.click('#pin', FORCE);
    await page.keyboard.type('913542');
    await page.setInputFiles('#upload', { name: 'tax-return-2024.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF') });
    const events = await rec.stop();
    expect(await page.evaluate(() => (window as unknown as { reads: string[] }).reads)).toEqual([]);
    const inputs = ofType(events, 'input');
    expect(inputs.filter((i) => i.target.selector === '#private').length).toBe('my secret diary'.length);
    expect(inputs.filter((i) => i.target.selector === '#pin').length).toBe(6);
    expect(inputs.filter((i) => i.target.selector === '#upload')).toHaveLength(1);
    for (const i of inputs) {
      expect(i.masked).toBe(true);
      expect(i.value).toBeUndefined();
    }
    expect(JSON.stringify(events)).not.toMatch(/secret|diary|913542|tax-return/);
    await page.close();
  });
});
