/** Types of scripts/bench-table.mjs, for the bench runner and the README test. */
export interface BenchResults {
  updatedAt: string;
  machine?: { node?: string; platform?: string };
  results: ReadonlyArray<{
    benchmark: string;
    metric: string;
    value: number;
    unit: string;
    target?: string;
    pass?: boolean;
  }>;
}
export declare const startMarker: string;
export declare const endMarker: string;
export declare function renderBenchTable(results: BenchResults): string;
export declare function withBenchTable(readme: string, results: BenchResults): string;
export declare function readmeStates(): { readme: string; expected: string };
