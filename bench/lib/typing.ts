/**
 * What the agent bench types: lower-case prose with spaces, commas, full stops and line ends,
 * nothing that needs Shift or Ctrl and nothing a redactor would take for a secret.
 */
export const PROSE =
  'the weekly report goes out on friday, so the numbers for each region need a last check. ' +
  'open the sheet, sort by region, then copy the totals into the summary.\n' +
  'when the totals match the ledger, send the draft to the team for a quick look.\n';
