import { z } from "zod";

/**
 * Zod schemas for the Wiz responses the client reads whole: the OAuth token, the GraphQL envelope and a
 * connection page. Records (the page's `nodes`) are not parsed here: `normalize` reads each field with
 * the shared `FieldReader`, which checks its type as it goes and names the path of a bad one.
 */

/** The token endpoint's answer (docs/wiz.md, Sources: authentication). */
export const wizTokenSchema = z.object({
  access_token: z.string().min(1),
  // Seconds; some identity providers send it as a numeric string, or null.
  expires_in: z
    .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
    .pipe(z.number().positive())
    .nullish(),
});

/** A GraphQL response: `data`, `errors`, or both. */
export const wizEnvelopeSchema = z.object({
  data: z.record(z.string(), z.unknown()).nullable().optional(),
  errors: z
    .array(z.looseObject({ message: z.string().optional() }))
    .nullable()
    .optional(),
});

/** One page of a Wiz connection (`nodes` + `pageInfo`). */
export const wizConnectionSchema = z.object({
  nodes: z.array(z.unknown()),
  pageInfo: z.object({
    hasNextPage: z.boolean(),
    endCursor: z.string().nullish(),
  }),
});
