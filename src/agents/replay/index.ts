export {
  type ReplayAction,
  type ReplayDiff,
  type ReplayOptions,
  type ReplaySide,
  type ReplaySummary,
  replay,
} from "./replay.js";
