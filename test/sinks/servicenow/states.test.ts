import { describe, expect, it } from "vitest";
import {
  serviceNowInitialStates,
  serviceNowStates,
  serviceNowStatesFromChoices,
} from "../../../src/sinks/servicenow/states.js";
import { servicenowEmulation } from "../../../src/testing/sandbox/servicenow.js";

const choices = (...pairs: [string, string][]) => pairs.map(([value, label]) => ({ value, label }));

describe("serviceNowStatesFromChoices", () => {
  it("maps the emulation's sys_choice of every known table to exactly the built-in defaults", () => {
    const rows = servicenowEmulation().records("sys_choice");
    for (const [table, defaults] of Object.entries(serviceNowStates)) {
      const { resolveFields: _, ...expected } = defaults;
      const list = rows
        .filter((row) => row.name === table && row.element === "state")
        .map(({ value, label, sequence }) => ({ value: value!, label: label!, sequence }));
      expect(serviceNowStatesFromChoices(list), table).toEqual(expected);
      // New records start in a listed state that is neither done nor in progress.
      const initial = serviceNowInitialStates[table]!;
      expect(
        list.map((choice) => choice.value),
        table,
      ).toContain(initial);
      expect([...expected.done, ...expected.inProgress], table).not.toContain(initial);
    }
  });

  it("reads the values of a customized instance from their labels", () => {
    expect(
      serviceNowStatesFromChoices(
        choices(
          ["1", "New"],
          ["5", "Work in Progress"],
          ["9", "Awaiting Vendor"],
          ["42", "Resolved"],
          ["43", "Closed"],
          ["44", "Canceled"],
        ),
      ),
    ).toEqual({ resolved: "42", reopened: "5", done: ["42", "43", "44"], inProgress: ["5", "9"] });
  });

  it("orders by sequence, ignores duplicate values and never resolves to a cancelled or incomplete state", () => {
    expect(
      serviceNowStatesFromChoices([
        { value: "8", label: "Closed Incomplete", sequence: "50" },
        { value: "7", label: "Cancelled", sequence: "40" },
        { value: "3", label: "Closed Complete", sequence: "60" },
        { value: "2", label: "Open", sequence: "10" },
        { value: "2", label: "Open", sequence: "10" },
        { value: "4", label: "Pending", sequence: "20" },
      ]),
    ).toEqual({ resolved: "3", reopened: "2", done: ["7", "8", "3"], inProgress: ["4"] });
  });

  it("gives nothing when no label reads as resolved or as reopened", () => {
    expect(serviceNowStatesFromChoices([])).toBeUndefined();
    expect(serviceNowStatesFromChoices(choices(["1", "New"], ["2", "Cancelled"]))).toBeUndefined();
    expect(serviceNowStatesFromChoices(choices(["a", "Alpha"], ["b", "Beta"]))).toBeUndefined();
    expect(serviceNowStatesFromChoices(choices(["9", "Resolved"]))).toBeUndefined();
  });
});
