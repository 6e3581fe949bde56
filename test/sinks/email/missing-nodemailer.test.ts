import { expect, it, vi } from "vitest";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { email } from "../../../src/sinks/email/index.js";
import { makeAction } from "../../../src/testing/factories.js";

vi.mock("nodemailer", () => {
  throw Object.assign(new Error("Cannot find package 'nodemailer'"), { code: "ERR_MODULE_NOT_FOUND" });
});

it("says how to install nodemailer when the optional peer is missing", async () => {
  const sink = email({
    smtp: { host: "127.0.0.1", port: 2525 },
    from: "cloudsec@example.com",
    to: "x@example.com",
  });
  const error = await sink.deliver(makeAction()).catch((failure: unknown) => failure);
  const cause = (error as Error).cause as Error;
  expect(isCloudstewardError(cause, "CONFIGURATION")).toBe(true);
  expect(cause.message).toContain("npm install nodemailer");
});
