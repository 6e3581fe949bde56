import { describe, expect, it } from "vitest";
import {
  compensatingControlsByWeakness,
  compensatingControlsFor,
  defaultEntries,
  defaultKnowledge,
} from "../../../src/agents/knowledge/index.js";

describe("compensating controls", () => {
  it("every built-in archetype has at least one, each with how to verify it", () => {
    const entries = defaultEntries();
    expect(entries.length).toBeGreaterThan(850);
    for (const entry of entries) {
      const controls = compensatingControlsFor(entry);
      expect(controls.length, entry.id).toBeGreaterThan(0);
      for (const control of controls) expect(control.verification.length, entry.id).toBeGreaterThan(10);
    }
  });

  it("takes those of the weakness whose control bundle the entry includes, unless the entry names its own", () => {
    const rdp = defaultKnowledge.get("aws-sg-rdp-open");
    expect(rdp && compensatingControlsFor(rdp)).toEqual(compensatingControlsByWeakness.inboundNetwork);
    const ssh = defaultKnowledge.get("aws-sg-ssh-open");
    expect(ssh && compensatingControlsFor(ssh)).toEqual(ssh?.compensatingControls);
    expect(ssh?.compensatingControls?.length).toBe(3);
  });
});
