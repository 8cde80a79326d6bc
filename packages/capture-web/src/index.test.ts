import { describe, expect, it } from 'vitest';
import * as api from './index.ts';

describe('public API', () => {
  it('exports the recorder, uploader, launcher and privacy helpers', () => {
    for (const name of ['attachRecorder', 'recorderScript', 'Uploader', 'openRecordingBrowser', 'launchChromium', 'isMasked', 'blockOf', 'maskedKey', 'isPrintableKey', 'isSecretAutocomplete']) {
      expect(typeof (api as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(api.MASK_ATTR).toBe('data-lockstep-mask');
    expect(api.BLOCK_ATTR).toBe('data-lockstep-block');
  });
});
