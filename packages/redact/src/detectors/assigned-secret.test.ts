import { describe, expect, it } from 'vitest';
import { assignedSecret } from './assigned-secret.ts';
import { spans } from './testing.ts';

describe('assigned-secret', () => {
  it.each([
    ['DB_PASSWORD=hunter22 ./run.sh', 'password', 'hunter22'],
    ['export API_TOKEN=abc123def456', 'assigned-secret', 'abc123def456'],
    ['  password: hunter22', 'password', 'hunter22'],
    ['spring.datasource.password=s3cr3t.Pass', 'password', 's3cr3t.Pass'],
    ['const password = "S3cr3t!pass";', 'password', 'S3cr3t!pass'],
    ['  "apiKey": "9f8a7d6c5b4a3928",', 'assigned-secret', '9f8a7d6c5b4a3928'],
    ["app.config['SECRET_KEY'] = 'dev-key-123'", 'assigned-secret', 'dev-key-123'],
    ['mysql --password=Tr0ub4dor', 'password', 'Tr0ub4dor'],
    ['./backup.sh --password hunter22 --fast', 'password', 'hunter22'],
    ['PGPASSWORD=xyz789 psql -h db', 'password', 'xyz789'],
    ['my password is Summer2024! dont tell', 'password', 'Summer2024!'],
    ['$token = \'abc-123-def\';', 'assigned-secret', 'abc-123-def'],
  ])('%s', (text, kind, value) => expect(spans(assignedSecret, text)).toEqual([[kind, value]]));

  it.each([
    'password = get_password()',
    'token: string;',
    'const token = await getToken();',
    'if (password == confirm) ok()',
    '    "password": "",',
    'api_key = os.environ["API_KEY"]',
    'DB_PASSWORD=${DB_PASSWORD:?missing}',
    'API_KEY=your-api-key-here',
    '"token": "<your token>",',
    'PASSWORD_MIN_LENGTH = 12',
    'the password is on the wiki',
    'The token is valid for 24 hours.',
    'passwordLabel = "Enter your password"',
    'The bypass road passes the passenger terminal.',
    'tokens = tokenizer.encode(text)',
    'password = user.password',
  ])('leaves %s alone', (text) => expect(spans(assignedSecret, text)).toEqual([]));
});
