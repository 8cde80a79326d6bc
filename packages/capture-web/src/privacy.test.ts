import { describe, expect, it } from 'vitest';
import * as privacy from './privacy.ts';
import { useBrowser } from './testing/fixture.ts';
import { pageWithModules } from './testing/inpage.ts';

const fx = useBrowser();

describe('key masking', () => {
  it('tells printable keys from named ones', () => {
    for (const k of ['a', 'Z', '7', '&', ' ', 'é', '😀']) expect(privacy.isPrintableKey(k), k).toBe(true);
    for (const k of ['Enter', 'Tab', 'Backspace', 'ArrowLeft', 'Shift', 'F1', 'Dead', 'Unidentified']) expect(privacy.isPrintableKey(k), k).toBe(false);
  });

  it('turns printable keys into Unidentified, keeps named keys, drops modifier keys', () => {
    expect(privacy.maskedKey('x')).toBe('Unidentified');
    expect(privacy.maskedKey('😀')).toBe('Unidentified');
    expect(privacy.maskedKey('Enter')).toBe('Enter');
    expect(privacy.maskedKey('Backspace')).toBe('Backspace');
    expect(privacy.maskedKey('ArrowLeft')).toBe('ArrowLeft');
    expect(privacy.maskedKey('Shift')).toBeNull();
    expect(privacy.maskedKey('CapsLock')).toBeNull();
  });

  it('recognises secret autocomplete tokens', () => {
    for (const v of ['cc-number', 'CC-CSC', 'shipping cc-exp', 'one-time-code', 'current-password', 'section-a new-password']) expect(privacy.isSecretAutocomplete(v), v).toBe(true);
    for (const v of [null, '', 'username', 'email', 'off', 'password-hint']) expect(privacy.isSecretAutocomplete(v), String(v)).toBe(false);
  });
});

const HTML = `
<input id="pw" type="password">
<input id="PW" type="PASSWORD">
<input id="cc" autocomplete="cc-number">
<input id="otp" autocomplete="one-time-code">
<input id="np" autocomplete="new-password">
<input id="mask" data-lockstep-mask>
<div data-lockstep-mask><textarea id="inmask"></textarea></div>
<section id="block" data-lockstep-block><p><input id="inblock"></p></section>
<input id="plain" autocomplete="username">
<div id="host"></div>
`;

describe('isMasked / blockOf', () => {
  it('masks password, card, one-time-code and marked fields, across shadow roots, and never reads values', async () => {
    const page = await fx.page();
    await pageWithModules(page, HTML, { privacy: new URL('./privacy.ts', import.meta.url) });
    const result = await page.evaluate(() => {
      const m = (window as unknown as { __m: { privacy: typeof privacy } }).__m.privacy;
      const host = document.getElementById('host') as HTMLElement;
      host.setAttribute('data-lockstep-block', '');
      const root = host.attachShadow({ mode: 'open' });
      root.innerHTML = '<input id="inshadow">';
      // Reading .value of any element from here on is an error.
      let reads = 0;
      for (const proto of [HTMLInputElement.prototype, HTMLTextAreaElement.prototype]) {
        const desc = Object.getOwnPropertyDescriptor(proto, 'value');
        Object.defineProperty(proto, 'value', { ...desc, get() { reads++; return desc?.get?.call(this); } });
      }
      const all = [...Array.from(document.querySelectorAll('input, textarea')), root.querySelector('#inshadow') as Element];
      const masked = Object.fromEntries(all.map((el) => [el.id, m.isMasked(el)]));
      const blocks = Object.fromEntries(all.map((el) => [el.id, m.blockOf(el)?.id ?? null]));
      // Once masked, always masked: a "show password" toggle does not unmask.
      const pw = document.getElementById('pw') as HTMLInputElement;
      pw.type = 'text';
      return { masked, blocks, afterToggle: m.isMasked(pw), reads };
    });
    expect(result.masked).toEqual({ pw: true, PW: true, cc: true, otp: true, np: true, mask: true, inmask: true, inblock: true, plain: false, inshadow: true });
    expect(result.blocks).toMatchObject({ inblock: 'block', inshadow: 'host', pw: null, mask: null });
    expect(result.afterToggle).toBe(true);
    expect(result.reads).toBe(0);
  });
});
