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

// Fake GitHub tokens, built from words: 36 letters and digits after the prefix.
const TOKEN = ['ghp_', 'FakeSync', 'Token', 'Lockstep', 'NotReal', 'Value123'].join('');
const TOKEN2 = ['ghp_', 'Another', 'Fake', 'Token', 'ForSync', 'Tests', '2024xyz9'].join('');

// Page scripts that change values without any input event: Enter clears a field (as the
// board sample does after adding a card) or replaces its text; Escape reverts a rename.
const SYNC_PAGE = `<!doctype html>
<label>New item <input id="todo"></label>
<label>Other <input id="other" value="preset"></label>
<label>PIN <input id="pin" autocomplete="one-time-code"></label>
<label>Note <input id="note"></label>
<div id="title" contenteditable="true" aria-label="Title">Draft</div>
<script>
  const byId = (id) => document.getElementById(id);
  byId('todo').addEventListener('keydown', (e) => { if (e.key === 'Enter') byId('todo').value = ''; });
  byId('pin').addEventListener('keydown', (e) => { if (e.key === 'Enter') byId('pin').value = ''; });
  byId('note').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); byId('note').value = 'deploy with ' + ${JSON.stringify(TOKEN)}; }
  });
  byId('title').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { byId('title').textContent = 'Draft'; byId('title').contentEditable = 'false'; byId('title').blur(); }
  });
</script>`;

const syncs = (events: Parameters<typeof ofType>[0]) => ofType(events, 'input').filter((i) => i.inputType === 'sync');

describe.concurrent('input observer: values set by the page (sync)', () => {
  it('records a field the page cleared on Enter when it loses focus: a sync input with "", just before the blur', async () => {
    const page = await fx.page();
    await routePages(page, { '/': SYNC_PAGE });
    const rec = await attachRecorder(page);
    await page.goto('http://lockstep.test/');
    await page.click('#todo', FORCE);
    await page.keyboard.type('Buy milk');
    await page.keyboard.press('Enter');
    expect(await page.inputValue('#todo')).toBe('');
    await page.click('#other', FORCE);
    const events = await rec.stop();
    checkInvariants(events);
    const todo = events.filter((e) => e.type !== 'pointer' && 'target' in e && e.target?.selector === '#todo');
    expect(todo.slice(-3).map((e) => (e.type === 'input' ? `input ${e.inputType}:${JSON.stringify(e.value)}` : `${e.type} ${'kind' in e ? e.kind : ''}`))).toEqual([
      'key up',
      'input sync:""',
      'focus blur',
    ]);
    expect(syncs(events)).toEqual([expect.objectContaining({ value: '', target: expect.objectContaining({ selector: '#todo', role: 'textbox', name: 'New item' }) })]);
    await page.close();
  });

  it('records nothing when the value did not change: typed and left, or focused and left as the page filled it', async () => {
    const page = await fx.page();
    await routePages(page, { '/': SYNC_PAGE });
    const rec = await attachRecorder(page);
    await page.goto('http://lockstep.test/');
    await page.click('#todo', FORCE);
    await page.keyboard.type('Buy milk');
    await page.click('#other', FORCE); // value "preset", seen at focus
    await page.click('#title', FORCE);
    await page.keyboard.press('End');
    await page.keyboard.type(' two');
    await page.click('#todo', FORCE);
    const events = await rec.stop(); // stop checks the fields touched, the focused one too
    checkInvariants(events);
    expect(syncs(events)).toEqual([]);
    const last = (sel: string) => ofType(events, 'input').filter((i) => i.target.selector === sel).at(-1)?.value;
    expect([last('#todo'), last('#title'), last('#other')]).toEqual(['Buy milk', 'Draft two', undefined]);
    await page.close();
  });

  it('records a value set while the field has focus at stop, and one set after the person left it at a pause', async () => {
    const page = await fx.page();
    await routePages(page, { '/': SYNC_PAGE });
    const rec = await attachRecorder(page);
    await page.goto('http://lockstep.test/');
    await page.click('#todo', FORCE);
    await page.keyboard.type('abc');
    await page.click('#other', FORCE);
    // A form reset by script, after the person left the field: no focus change follows.
    await page.evaluate("document.getElementById('todo').value = 'reset'");
    await rec.pause();
    await rec.resume();
    await page.keyboard.press('End');
    await page.keyboard.type('!');
    await page.evaluate("document.getElementById('other').value = 'set while focused'");
    const events = await rec.stop();
    checkInvariants(events);
    const pause = events.findIndex((e) => e.type === 'marker' && e.kind === 'pause');
    const list = syncs(events).map((i) => [i.target.selector, i.value, events.indexOf(i) < pause ? 'before pause' : 'after']);
    expect(list).toEqual([
      ['#todo', 'reset', 'before pause'],
      ['#other', 'set while focused', 'after'],
    ]);
    await page.close();
  });

  it('never reads a masked field for a sync: no event, no value', async () => {
    const page = await fx.page();
    await routePages(page, { '/': SYNC_PAGE });
    const rec = await attachRecorder(page);
    await page.goto('http://lockstep.test/');
    // Count every read of the PIN field's value (writes by the page still work).
    await page.evaluate(`(() => {
      const pin = document.getElementById('pin');
      const desc = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
      window.pinReads = 0;
      Object.defineProperty(pin, 'value', {
        configurable: true,
        get() { window.pinReads++; return desc.get.call(this); },
        set(v) { desc.set.call(this, v); },
      });
    })()`);
    await page.click('#pin', FORCE);
    await page.keyboard.type('913542');
    await page.keyboard.press('Enter'); // the page reads and clears it
    const readsByPage = await page.evaluate('window.pinReads');
    await page.click('#todo', FORCE);
    const events = await rec.stop();
    expect(await page.evaluate('window.pinReads')).toBe(readsByPage);
    const pin = ofType(events, 'input').filter((i) => i.target.selector === '#pin');
    expect(pin).toHaveLength(6);
    for (const i of pin) expect(i).toMatchObject({ masked: true, inputType: 'insertText' });
    expect(pin.every((i) => i.value === undefined)).toBe(true);
    expect(syncs(events)).toEqual([]);
    expect(JSON.stringify(events)).not.toContain('913542');
    await page.close();
  });

  it('redacts a sync value like any other value: tokens the page put in fields are masked', async () => {
    const page = await fx.page();
    await routePages(page, { '/': SYNC_PAGE });
    const rec = await attachRecorder(page);
    await page.goto('http://lockstep.test/');
    await page.click('#other', FORCE); // seen at focus: "preset"
    await page.click('#note', FORCE);
    await page.keyboard.type('ship it');
    await page.keyboard.press('Enter'); // the page puts TOKEN in the field
    expect(await page.inputValue('#note')).toBe(`deploy with ${TOKEN}`);
    await page.click('#todo', FORCE); // blur: the browser's change reports it
    // Set while #other has no focus: found when the recording stops.
    await page.evaluate(`document.getElementById('other').value = 'key ' + ${JSON.stringify(TOKEN2)}`);
    const events = await rec.stop();
    checkInvariants(events);
    const [note, other, ...more] = syncs(events);
    expect(more).toEqual([]);
    const prefix = 'deploy with ';
    expect(note).toMatchObject({ target: { selector: '#note' }, redactions: [{ start: prefix.length, end: prefix.length + TOKEN.length, kind: 'github-token', family: 'secret' }] });
    expect(note?.value?.startsWith(prefix)).toBe(true);
    expect(note?.value).toHaveLength(prefix.length + TOKEN.length);
    expect(other).toMatchObject({ target: { selector: '#other' }, redactions: [{ start: 4, end: 4 + TOKEN2.length, kind: 'github-token', family: 'secret' }] });
    expect(other?.value).toMatch(/^key \S{40}$/);
    const text = JSON.stringify(events);
    for (const token of [TOKEN, TOKEN2]) {
      expect(token).toMatch(/^ghp_[A-Za-z0-9]{36}$/);
      for (let i = 0; i + 8 <= token.length; i++) expect(text).not.toContain(token.slice(i, i + 8));
    }
    await page.close();
  });

  it('records a contenteditable region the page reverted and made read-only as it left it', async () => {
    const page = await fx.page();
    await routePages(page, { '/': SYNC_PAGE });
    const rec = await attachRecorder(page);
    await page.goto('http://lockstep.test/');
    await page.click('#title', FORCE);
    await page.keyboard.press('End');
    await page.keyboard.type(' two');
    await page.keyboard.press('Escape'); // the page restores "Draft", ends editing, and blurs
    const events = await rec.stop();
    checkInvariants(events);
    const title = ofType(events, 'input').filter((i) => i.target.selector === '#title');
    expect(title.map((i) => `${i.inputType}:${i.value}`).slice(-2)).toEqual(['insertText:Draft two', 'sync:Draft']);
    await page.close();
  });
});
