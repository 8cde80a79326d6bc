import type { FastifySchemaCompiler } from 'fastify';
import { describeIssue } from '@lockstep/schema';
import type { ZodType } from 'zod';
import { RequestValidationError } from './errors.ts';

/**
 * Validates request parts with their zod schemas and, on failure, names the first offending
 * field the way the rest of Lockstep does (`events[3].target.selector`).
 */
export const validatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema }) =>
  (data) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    const { field, message } = describeIssue(result.error);
    return { error: new RequestValidationError(message, field) };
  };
