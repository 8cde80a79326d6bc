import { describe, expect, it } from 'vitest';
import { privateKey } from './private-key.ts';
import { matched } from './testing.ts';

describe('private-key', () => {
  it('finds whole PEM blocks, JSON-escaped ones too', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc==\n-----END RSA PRIVATE KEY-----';
    expect(matched(privateKey, `key.pem:\n${pem}\n`)).toEqual([pem]);
    const escaped = '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----';
    expect(matched(privateKey, `{"private_key": "${escaped}\\n"}`)).toEqual([escaped]);
  });
  it('masks a block without its END line up to the end of its body', () => {
    expect(matched(privateKey, '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nAAAA\n\nnext paragraph')).toEqual(['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nAAAA']);
    expect(matched(privateKey, '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123\n\nMIIEow\nabc')).toEqual(['-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123\n\nMIIEow\nabc']);
  });
  it('leaves public keys and certificates alone', () => {
    expect(matched(privateKey, '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----')).toEqual([]);
  });
});
