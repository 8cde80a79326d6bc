import { describe, expect, it } from 'vitest';
import { azure } from './azure.ts';
import { matched, spans } from './testing.ts';

const key86 = 'Ab1+Cd2/'.repeat(10) + 'Ef3+Gh';
describe('azure', () => {
  it('finds storage keys, shared access keys, SAS signatures and client secrets', () => {
    expect(spans(azure, `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${key86}==;EndpointSuffix=core.windows.net`)).toEqual([['azure-storage-key', `${key86}==`]]);
    expect(matched(azure, `SharedAccessKey=${'Ab1+Cd2/'.repeat(5)}Ef3=`)).toEqual([`${'Ab1+Cd2/'.repeat(5)}Ef3=`]);
    expect(matched(azure, '?sv=2022-11-02&sp=r&sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%2Babcd%3D')).toEqual(['AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%2Babcd%3D']);
    expect(spans(azure, 'AZURE_CLIENT_SECRET=abc8Q~Zy1xW2vU3tS4rQ5pO6nM7lK8jI9hG0fE1d')).toEqual([['azure-client-secret', 'abc8Q~Zy1xW2vU3tS4rQ5pO6nM7lK8jI9hG0fE1d']]);
  });
  it('ignores the parts of a connection string that are not keys', () => {
    expect(spans(azure, 'DefaultEndpointsProtocol=https;AccountName=x;EndpointSuffix=core.windows.net')).toEqual([]);
  });
});
