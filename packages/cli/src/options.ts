import { InvalidArgumentError } from 'commander';

export function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a TCP port (0–65535).`);
  return n;
}

export interface ServerOption {
  server: string;
  token?: string;
  json?: boolean;
}
