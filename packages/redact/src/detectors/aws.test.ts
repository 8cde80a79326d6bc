import { describe, expect, it } from 'vitest';
import { aws } from './aws.ts';
import { spans } from './testing.ts';

describe('aws', () => {
  it('finds access key ids and the secret key next to its name or its key id', () => {
    expect(spans(aws, 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE')).toEqual([['aws-access-key-id', 'AKIAIOSFODNN7EXAMPLE']]);
    expect(spans(aws, 'export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toEqual([['aws-secret-access-key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']]);
    expect(spans(aws, 'ci,ASIAY34FZKBOKMUTVV7A,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toEqual([
      ['aws-access-key-id', 'ASIAY34FZKBOKMUTVV7A'],
      ['aws-secret-access-key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ]);
  });
  it('leaves look-alikes alone', () => {
    expect(spans(aws, 'AKIAIOSFODNN7EXAMPLEX is too long, xAKIAIOSFODNN7EXAMPLE glued')).toEqual([]);
    expect(spans(aws, 'commit 9fceb02d0ae598e95dc970b74767f19372d61af8 near AKIA')).toEqual([]);
    expect(spans(aws, 'aws_secret_access_key = 9fceb02d0ae598e95dc970b74767f19372d61af8')).toEqual([]); // a sha1, not base64
  });
});
