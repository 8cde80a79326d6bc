// GitLab tokens: personal/project/group access (glpat-), pipeline trigger (glptt-), deploy
// (gldt-), runner (glrt-, and the legacy GR1348941 registration tokens), OAuth app secrets
// (gloas-), CI build (glcbt-), feed (glft-), incoming mail (glimt-), agent (glagent-), SCIM (glsoat-).
import { tokenDetector } from './tokens.ts';

export const gitlab = tokenDetector('gitlab', 'GitLab tokens (glpat-, glptt-, gldt-, glrt-, gloas-, GR1348941…)', [
  { kind: 'gitlab-token', prefix: /gl(?:pat|ptt|dt|rt|oas|cbt|ft|imt|agent|soat)-/g, body: (c) => c === 46 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45, min: 25, max: 96, tooLong: 'cut' },
  { kind: 'gitlab-token', prefix: /GR1348941/g, min: 29, max: 29 },
]);
