// Azure: storage account keys and Service Bus / Event Hubs shared access keys (inside connection
// strings), SAS signatures (`sig=` in a SAS URL or token), and Entra ID client secrets (the
// 40-character format with `Q~` at position 4).
import { tokenDetector } from './tokens.ts';
import { isAlnum } from './util.ts';

const isB64 = (c: number) => isAlnum(c) || c === 43 || c === 47 || c === 61;
const isSasChar = (c: number) => isAlnum(c) || c === 37 || c === 43 || c === 47 || c === 61;
const isSecretChar = (c: number) => isAlnum(c) || c === 95 || c === 126 || c === 46 || c === 45;

export const azure = tokenDetector('azure', 'Azure storage keys, shared access keys, SAS signatures, Entra client secrets', [
  { kind: 'azure-storage-key', prefix: /AccountKey=/gi, body: isB64, min: 88, max: 88, valueOnly: true, shape: /=[A-Za-z0-9+/]{86}==$/ },
  { kind: 'azure-shared-access-key', prefix: /SharedAccessKey=/gi, body: isB64, min: 44, max: 44, valueOnly: true, shape: /=[A-Za-z0-9+/]{43}=$/ },
  { kind: 'azure-sas-signature', prefix: /[?&;]sig=/g, body: isSasChar, min: 40, max: 120, valueOnly: true, before: () => false },
  // xxx8Q~ + 31–34: the prefix is matched as the 3 characters before the digit and "Q~"
  { kind: 'azure-client-secret', prefix: /[A-Za-z0-9_~.-]{3}\dQ~/g, needs: 'Q~', body: isSecretChar, min: 37, max: 40, before: isSecretChar },
]);
