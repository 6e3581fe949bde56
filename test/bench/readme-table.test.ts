import { describe, expect, it } from "vitest";
import {
  endMarker,
  readmeStates,
  renderBenchTable,
  startMarker,
  withBenchTable,
} from "../../scripts/bench-table.mjs";

describe("README benchmark table", () => {
  it("is what `npm run bench:table` writes from the committed bench/results.json", () => {
    const { readme, expected } = readmeStates();
    // On failure: run `npm run bench:table` and commit README.md with bench/results.json.
    expect(readme).toBe(expected);
  });

  it("renders one row per result, escaping pipes and marking misses", () => {
    const table = renderBenchTable({
      updatedAt: "2026-12-07T02:00:00.000Z",
      machine: { node: "v20.20.2", platform: "linux-x64" },
      results: [
        { benchmark: "wiz", metric: "a | b", value: 1.5, unit: "×", target: "<= 1.3", pass: false },
        { benchmark: "pipeline", metric: "throughput", value: 367000, unit: "findings/s" },
      ],
    });
    expect(table).toContain("| wiz | a \\| b | 1.50 | × | <= 1.3 | **no** |");
    expect(table).toContain("| pipeline | throughput | 367,000 | findings/s |  |  |");
    expect(table).toContain("2026-12-07 (linux-x64, Node v20.20.2)");
  });

  it("replaces only the text between the markers", () => {
    const readme = `# x\n\nbefore\n${startMarker}\nold\n${endMarker}\nafter\n`;
    const results = { updatedAt: "2026-12-07T02:00:00.000Z", results: [] };
    const written = withBenchTable(readme, results);
    expect(written.startsWith(`# x\n\nbefore\n${startMarker}\n\n`)).toBe(true);
    expect(written.endsWith(`\n\n${endMarker}\nafter\n`)).toBe(true);
    expect(withBenchTable(written, results)).toBe(written);
  });
});
