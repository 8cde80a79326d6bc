import { describe, expect, it } from 'vitest';
import { discord } from './discord.ts';
import { spans } from './testing.ts';

describe('discord', () => {
  it('finds bot tokens (base64 of a numeric id first) and webhook paths', () => {
    const token = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789Ab';
    expect(spans(discord, `DISCORD_TOKEN=${token}`)).toEqual([['discord-token', token]]);
    const hook = `123456789012345678/${'Ab1_Cd2-'.repeat(8)}AbCd`;
    expect(spans(discord, `https://discord.com/api/webhooks/${hook}`)).toEqual([['discord-webhook', hook]]);
  });
  it('does not take other dotted base64 for a bot token', () => {
    expect(spans(discord, 'NzaBcDeFgHiJkLmNoPqRsTuVw.GaBcDe.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789Ab')).toEqual([]);
  });
});
