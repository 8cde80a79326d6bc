import { describe, expect, it } from 'vitest';
import { Target } from '@lockstep/schema';
import type * as TargetModule from './target.ts';
import type * as FrameModule from './frame.ts';
import { useBrowser } from './testing/fixture.ts';
import { addModules, pageWithModules } from './testing/inpage.ts';

const fx = useBrowser();
const modules = { target: new URL('./target.ts', import.meta.url), frame: new URL('./frame.ts', import.meta.url) };

const HTML = `<body style="margin:0">
<label for="user">User name</label><input id="user" value="ada-lovelace" style="position:absolute;left:40px;top:30px;width:100px;height:20px">
<label for="pw">Password</label><input id="pw" type="password" value="hunter2-secret" placeholder="Password">
<div contenteditable="true" id="ed" data-lockstep-mask>private diary text</div>
<section id="vault" data-lockstep-block aria-label="Vault"><button id="inner">Reveal balance 12345</button></section>
<button id="go">Continue</button>
<iframe src="http://unit.test/child.html" style="position:absolute;left:200px;top:100px;border:0;width:300px;height:100px"></iframe>
</body>`;
const CHILD = `<body style="margin:0"><button id="cb" style="margin-left:10px">Child button</button></body>`;

type Api = { target: typeof TargetModule; frame: typeof FrameModule };

describe('targetOf', () => {
  it('describes elements with privacy applied, and offsets frames into the top viewport', async () => {
    const page = await fx.page();
    await pageWithModules(page, HTML, modules, { 'http://unit.test/child.html': CHILD });
    const targets = await page.evaluate(() => {
      const m = (window as unknown as { __m: Api }).__m;
      const get = (id: string) => m.target.targetOf(document.getElementById(id) as Element);
      return { user: get('user'), pw: get('pw'), ed: get('ed'), inner: get('inner'), go: get('go') };
    });
    expect(targets.user).toEqual({ tag: 'input', role: 'textbox', name: 'User name', id: 'user', selector: '#user', box: { x: 40, y: 30, w: 100, h: 20 } });
    expect(targets.pw).toMatchObject({ tag: 'input', role: 'textbox', name: 'Password', selector: '#pw', masked: true });
    expect(targets.ed).toMatchObject({ tag: 'div', role: 'textbox', selector: '#ed', masked: true });
    expect(targets.ed.name).toBeUndefined();
    // Inside a block: the block itself, no inner details.
    expect(targets.inner).toMatchObject({ tag: 'section', role: 'region', name: 'Vault', id: 'vault', selector: '#vault', masked: true });
    expect(targets.go).toMatchObject({ tag: 'button', role: 'button', name: 'Continue', selector: '#go' });
    for (const t of Object.values(targets)) expect(Target.safeParse(t).success).toBe(true);
    expect(JSON.stringify(targets)).not.toMatch(/ada-lovelace|hunter2|diary|12345|Reveal/);

    const child = page.frames().find((f) => f.url().endsWith('/child.html'));
    if (!child) throw new Error('no child frame');
    await addModules(child, modules);
    const inFrame = await child.evaluate(() => {
      const m = (window as unknown as { __m: Api }).__m;
      return m.target.targetOf(document.getElementById('cb') as Element, { frame: m.frame.framePath(), offset: m.frame.frameOffset() });
    });
    expect(inFrame).toMatchObject({ tag: 'button', name: 'Child button', selector: '#cb', frame: [0] });
    expect(inFrame.box?.x).toBe(210);
    expect(inFrame.box?.y).toBe(100);
  });
});

describe('createTargetCache', () => {
  it('gives what targetOf gives, also right after the element, its label or its place change', async () => {
    const page = await fx.page();
    await pageWithModules(page, HTML, modules, { 'http://unit.test/child.html': CHILD });
    const steps = await page.evaluate(() => {
      const m = (window as unknown as { __m: Api }).__m;
      const cache = m.target.createTargetCache();
      const user = document.getElementById('user') as HTMLInputElement;
      const label = document.querySelector('label[for="user"]') as HTMLLabelElement;
      const out: Array<{ step: string; cached: unknown; fresh: unknown }> = [];
      // Every change is looked up in the same task, before any mutation callback could run.
      const check = (step: string, el: Element = user) => out.push({ step, cached: cache.targetOf(el), fresh: m.target.targetOf(el) });
      check('initial');
      check('again');
      label.textContent = 'Login name';
      check('label text changed');
      user.id = 'login';
      label.htmlFor = 'login';
      check('renamed');
      user.style.left = '90px';
      check('moved by style');
      const twin = document.createElement('input');
      twin.id = 'login';
      document.body.prepend(twin);
      check('id no longer unique');
      twin.remove();
      user.setAttribute('data-lockstep-mask', '');
      check('masked');
      user.removeAttribute('data-lockstep-mask');
      check('still masked once seen masked');
      const go = document.getElementById('go') as HTMLElement;
      check('button', go);
      go.textContent = 'Next';
      check('button text changed', go);
      (document.getElementById('vault') as HTMLElement).append(go);
      check('moved into a block', go);
      cache.disconnect();
      return out;
    });
    for (const s of steps) expect(s.cached, s.step).toEqual(s.fresh);
    const by = (step: string) => steps.find((s) => s.step === step)?.cached as Record<string, unknown>;
    expect(by('label text changed')).toMatchObject({ name: 'Login name' });
    expect(by('renamed')).toMatchObject({ id: 'login', selector: '#login' });
    expect(by('moved by style')).toMatchObject({ box: { x: 90 } });
    expect(by('masked')).toMatchObject({ masked: true });
    expect(by('button text changed')).toMatchObject({ name: 'Next' });
    expect(by('moved into a block')).toMatchObject({ tag: 'section', selector: '#vault', masked: true });
  });
});
