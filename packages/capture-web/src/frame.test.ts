import { describe, expect, it } from 'vitest';
import type * as FrameModule from './frame.ts';
import { useBrowser } from './testing/fixture.ts';
import { addModules, pageWithModules } from './testing/inpage.ts';

const fx = useBrowser();
const modules = { frame: new URL('./frame.ts', import.meta.url) };

const TOP = `<body style="margin:0">
<div style="height:50px"></div>
<iframe id="f0" src="http://b.test/cross.html" style="position:absolute;left:10px;top:20px;width:200px;height:100px;border:0"></iframe>
<iframe id="f1" src="http://unit.test/same.html" style="position:absolute;left:300px;top:40px;width:300px;height:200px;border:5px solid #000;padding:7px"></iframe>
</body>`;
const SAME = `<body style="margin:0"><iframe src="http://unit.test/leaf.html" style="margin-left:30px;margin-top:11px;border:0;width:100px;height:50px"></iframe></body>`;

type Info = { path: number[] | null; offset: { x: number; y: number; complete: boolean } };

describe('framePath / frameOffset', () => {
  it('finds the frame path across origins and the offset through same-origin frames', async () => {
    const page = await fx.page();
    await pageWithModules(page, TOP, modules, {
      'http://b.test/cross.html': '<p>cross</p>',
      'http://unit.test/same.html': SAME,
      'http://unit.test/leaf.html': '<p>leaf</p>',
    });
    await page.waitForLoadState('load');
    const frames = page.frames();
    const byUrl = (u: string) => {
      const f = frames.find((fr) => fr.url() === u);
      if (!f) throw new Error(`no frame ${u}`);
      return f;
    };
    const info = async (f: (typeof frames)[number]): Promise<Info> => {
      await addModules(f, modules);
      return f.evaluate(() => {
        const m = (window as unknown as { __m: { frame: typeof FrameModule } }).__m.frame;
        return { path: m.framePath() ?? null, offset: m.frameOffset() };
      });
    };
    expect(await info(page.mainFrame())).toEqual({ path: null, offset: { x: 0, y: 0, complete: true } });
    expect(await info(byUrl('http://b.test/cross.html'))).toEqual({ path: [0], offset: { x: 0, y: 0, complete: false } });
    expect(await info(byUrl('http://unit.test/same.html'))).toEqual({ path: [1], offset: { x: 312, y: 52, complete: true } });
    expect(await info(byUrl('http://unit.test/leaf.html'))).toEqual({ path: [1, 0], offset: { x: 342, y: 63, complete: true } });
  });
});
