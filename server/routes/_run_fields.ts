/**
 * The fields flow runs and task runs read alike: their ids and the state a
 * caller proposes.
 *
 * @module
 */

import { STATE_TYPES, type StateInput } from "../../api/mod.ts";
import type { Fields } from "../validate.ts";

/** A day, the life of a run's idempotency key. */
export const DAY_MS = 24 * 60 * 60_000;

/** The bounds of a run's id in a body. */
export const RUN_ID = { max: 64 };

/** A state given as a type name, or as `{ type, message?, result?, cacheKey? }`. */
export function readState(fields: Fields): StateInput {
  if (typeof fields.any("state") === "string") {
    return { type: fields.enumValue("state", STATE_TYPES) };
  }
  const state = fields.nested("state");
  const input: StateInput = { type: state.enumValue("type", STATE_TYPES) };
  const message = state.optionalString("message", { min: 0, max: 10_000 });
  const cacheKey = state.optionalString("cacheKey");
  const result = state.any("result");
  if (message !== undefined) input.message = message;
  if (cacheKey !== undefined) input.cacheKey = cacheKey;
  if (result !== undefined) input.result = result;
  return input;
}
