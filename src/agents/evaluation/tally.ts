/** Cases and passes of one group of an evaluation table. */
export interface Tally {
  cases: number;
  passed: number;
}

/** Counts cases and passes per group (`keyOf`), in first-seen order: one table row each. */
export function tally<T extends { passed: boolean }>(
  results: readonly T[],
  keyOf: (result: T, index: number) => string,
): Record<string, Tally> {
  const rows: Record<string, Tally> = {};
  for (const [index, result] of results.entries()) {
    const key = keyOf(result, index);
    const row = rows[key] ?? { cases: 0, passed: 0 };
    rows[key] = row;
    row.cases++;
    if (result.passed) row.passed++;
  }
  return rows;
}

/** `count` of `total` in percent with one decimal; 0 of 0 is 0. */
export function percent(count: number, total: number): number {
  return total === 0 ? 0 : Math.round((count / total) * 1000) / 10;
}

/** `provider:modelId` of the model evaluated, or the name of the path without one. */
export function modelLabel(
  model: { provider: string; modelId: string } | undefined,
  without: string,
): string {
  return model ? `${model.provider}:${model.modelId}` : without;
}

/** The head of an evaluation: the model (or `path`), the prompt version (or `path`), cases, passes and rate. */
export function evaluationSummary(
  results: readonly { passed: boolean }[],
  model: { provider: string; modelId: string } | undefined,
  path: string,
  promptVersion: string,
): { model: string; promptVersion: string; cases: number; passed: number; passRate: number } {
  const passed = results.filter((result) => result.passed).length;
  return {
    model: modelLabel(model, path),
    promptVersion: model ? promptVersion : path,
    cases: results.length,
    passed,
    passRate: percent(passed, results.length),
  };
}
