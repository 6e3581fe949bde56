import { describe } from "vitest";
import { testQueueBackend } from "../../src/testing/vitest/queue-suite.js";
import { backends, useBackend } from "./backends.js";

describe.each(backends)("$name", (backend) => {
  const started = useBackend(backend);
  testQueueBackend({ name: backend.name, connection: () => started().connection });
});
