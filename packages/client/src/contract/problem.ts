import { type Static, Type } from 'typebox';

/** The content type of every error answer of the API, whose body is a {@link Problem}. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details: the body of every error answer. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'A URI reference naming the kind of problem' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String({ description: 'What went wrong, for a human' })),
    instance: Type.Optional(Type.String()),
    code: Type.Optional(Type.String({ description: 'Machine-readable error code' })),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }), {
        description: 'One entry per invalid value',
      }),
    ),
  },
  { title: 'Problem' },
);
/** An RFC 9457 problem: the body of every error answer of the API (see `ApiError.problem`). */
export type Problem = Static<typeof ProblemSchema>;
