import { describe, expect, it } from 'vitest';
import { huggingface } from './huggingface.ts';
import { matched } from './testing.ts';

describe('huggingface', () => {
  it('finds access tokens', () => expect(matched(huggingface, 'HF_TOKEN=hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh')).toEqual(['hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh']));
  it('ignores identifiers that start with hf_', () => expect(matched(huggingface, 'hf_hub_download hf_tokenizer_config_loaded_from_cache')).toEqual([]));
});
