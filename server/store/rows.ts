/**
 * What the store modules share: paging and the rules of state changes.
 *
 * @module
 */

import type { Row } from "../db/database.ts";
import {
  type CursorPosition,
  type Page,
  type State,
  StoreError,
  TERMINAL_STATES,
} from "../store.ts";

/**
 * A page of `limit` rows from `limit + 1` read; its cursor is the last row's
 * `position`, by default its `seq` and `id`.
 */
export function toPage<T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
  position: (row: Row) => CursorPosition = bySeq,
): Page<T> {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return {
    items: page.map(map),
    next: more && last ? position(last) : null,
  };
}

function bySeq(row: Row): CursorPosition {
  return { key: row.seq as number, id: row.id as string };
}

/** A state change must name the current version of a run that is not finished. */
export function checkTransition(
  row: { version: number; state_type: string },
  version: number,
): void {
  if (row.version !== version) {
    throw new StoreError(
      "stale_version",
      `Version ${version} is stale: the current version is ${row.version}`,
    );
  }
  if (TERMINAL_STATES.has(row.state_type)) {
    throw new StoreError(
      "invalid_transition",
      `The run is in the terminal state ${row.state_type}`,
    );
  }
}

/**
 * Keeps a run's timing as its states are written: the first `RUNNING` sets
 * the start, a terminal state the end (a run never leaves one).
 */
export const TIMING_UPDATE =
  "start_time = COALESCE(start_time, ?), end_time = ?";

/** The parameters of {@linkcode TIMING_UPDATE} for a new state. */
export function timingParameters(state: State): [string | null, string | null] {
  return [
    state.type === "RUNNING" ? state.timestamp : null,
    TERMINAL_STATES.has(state.type) ? state.timestamp : null,
  ];
}

/** A run's start, end and duration, from its row. */
export function timing(
  row: Row,
): {
  startTime: string | null;
  endTime: string | null;
  durationMs: number | null;
} {
  const startTime = row.start_time as string | null;
  const endTime = row.end_time as string | null;
  return {
    startTime,
    endTime,
    durationMs: startTime === null || endTime === null
      ? null
      : Date.parse(endTime) - Date.parse(startTime),
  };
}
