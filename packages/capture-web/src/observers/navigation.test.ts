import { describe, expect, it } from 'vitest';
import { attachRecorder } from '../playwright.ts';
import { checkInvariants, FORCE, ofType, routePages, useBrowser } from '../testing/fixture.ts';

const fx = useBrowser();

describe('navigation observer', () => {
  it('records load, push, replace, back/forward and fragment changes with URL and title', async () => {
    const page = await fx.page();
    await routePages(page, {
      '/app': '<!doctype html><title>App</title><a id="frag" href="#part">part</a><iframe src="/child"></iframe>',
      '/child': '<!doctype html><title>Child</title>',
    });
    const rec = await attachRecorder(page);
    await page.goto('http://lockstep.test/app');
    await page.evaluate(() => {
      document.title = 'List';
      history.pushState({ n: 1 }, '', '/app/list');
    });
    await page.evaluate(() => history.replaceState({ n: 2 }, '', '/app/list?sort=name'));
    await page.click('#frag', FORCE);
    await page.waitForURL('**#part');
    await page.goBack();
    await page.waitForURL('**/app/list?sort=name');
    await page.goBack();
    await page.waitForURL('http://lockstep.test/app');
    const events = await rec.stop();
    checkInvariants(events);
    const navs = ofType(events, 'navigation').map((n) => [n.kind, n.url.replace('http://lockstep.test', ''), n.title, n.frame ?? null]);
    expect(navs).toEqual(
      expect.arrayContaining([
        ['load', '/app', 'App', null],
        ['load', '/child', 'Child', [0]],
      ]),
    );
    expect(navs.filter((n) => n[3] === null)).toEqual([
      ['load', '/app', 'App', null],
      ['push', '/app/list', 'List', null],
      ['replace', '/app/list?sort=name', 'List', null],
      ['hash', '/app/list?sort=name#part', 'List', null],
      // Back over a fragment change is a hash change (popstate is not recorded twice).
      ['hash', '/app/list?sort=name', 'List', null],
      ['pop', '/app', 'List', null],
    ]);
    // The page still sees its own History API working.
    expect(await page.evaluate(() => history.state)).toBeNull();
    await page.close();
  });
});
