import { describe, expect, it } from "vitest";
import { InvalidResponseError, isCloudstewardError } from "../../src/core/errors.js";
import { type Page, type PageInfo, paginate, pinQuery } from "../../src/core/paginate.js";

/** A fake API of `pages` pages of `size` numbers, with string cursors `"p1"`, `"p2"`… */
function fakeApi(pages: number, size = 3) {
  const calls: (string | undefined)[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  const fetchPage = async (
    cursor: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Page<number, string>> => {
    calls.push(cursor);
    signals.push(signal);
    const index = cursor === undefined ? 0 : Number(cursor.slice(1));
    const items = Array.from({ length: size }, (_, offset) => index * size + offset);
    return { items, next: index + 1 < pages ? `p${index + 1}` : undefined };
  };
  return { calls, signals, fetchPage };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe("paginate", () => {
  it("yields every item of every page in order", async () => {
    const api = fakeApi(3);
    expect(await collect(paginate(api.fetchPage))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(api.calls).toEqual([undefined, "p1", "p2"]);
  });

  it("requests nothing until iterated", async () => {
    const api = fakeApi(3);
    const iterable = paginate(api.fetchPage);
    await Promise.resolve();
    expect(api.calls).toEqual([]);
    await collect(iterable);
    expect(api.calls).toHaveLength(3);
  });

  it("fetches no further page after the consumer breaks", async () => {
    const api = fakeApi(10);
    const seen: number[] = [];
    for await (const item of paginate(api.fetchPage)) {
      seen.push(item);
      if (item === 4) break;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(api.calls).toEqual([undefined, "p1"]);
  });

  describe("readAhead", () => {
    it("requests the next page while the current one is consumed, and yields the same items", async () => {
      const api = fakeApi(3);
      const callsAtItem: number[] = [];
      for await (const _ of paginate(api.fetchPage, { readAhead: true })) callsAtItem.push(api.calls.length);
      // The second page is requested as the first arrives; the third as the second does.
      expect(callsAtItem).toEqual([2, 2, 2, 3, 3, 3, 3, 3, 3]);
      expect(api.calls).toEqual([undefined, "p1", "p2"]);
      expect(await collect(paginate(fakeApi(3).fetchPage, { readAhead: true }))).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8,
      ]);
    });

    it("requests one page more when the consumer breaks, and drops its failure", async () => {
      const api = fakeApi(10);
      const failing = async (cursor: string | undefined, signal: AbortSignal | undefined) => {
        const page = await api.fetchPage(cursor, signal);
        if (cursor === "p2") throw new Error("page 2 failed");
        return page;
      };
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on("unhandledRejection", onUnhandled);
      try {
        const seen: number[] = [];
        for await (const item of paginate(failing, { readAhead: true })) {
          seen.push(item);
          if (item === 4) break;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
        expect(seen).toEqual([0, 1, 2, 3, 4]);
        expect(api.calls).toEqual([undefined, "p1", "p2"]);
        expect(unhandled).toEqual([]);
      } finally {
        process.off("unhandledRejection", onUnhandled);
      }
    });

    it("throws a page's failure, sync or not, only after the page before it was consumed and reported", async () => {
      for (const sync of [false, true]) {
        const api = fakeApi(5);
        const fetchPage = (cursor: string | undefined, signal: AbortSignal | undefined) => {
          if (cursor === "p2") {
            if (sync) throw new Error("page 2 failed");
            return Promise.reject(new Error("page 2 failed"));
          }
          return api.fetchPage(cursor, signal);
        };
        const seen: number[] = [];
        const reported: (string | undefined)[] = [];
        const iterable = paginate(fetchPage, {
          readAhead: true,
          onPage: ({ next }) => void reported.push(next),
        });
        await expect(
          (async () => {
            for await (const item of iterable) seen.push(item);
          })(),
        ).rejects.toThrow("page 2 failed");
        expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
        expect(reported).toEqual(["p1", "p2"]);
      }
    });
  });

  it("starts again from the resume cursor on each iteration", async () => {
    const api = fakeApi(4);
    const iterable = paginate(api.fetchPage, { cursor: "p2" });
    expect(await collect(iterable)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(await collect(iterable)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(api.calls).toEqual(["p2", "p3", "p2", "p3"]);
  });

  it("forwards the signal to every page request", async () => {
    const api = fakeApi(2);
    const controller = new AbortController();
    await collect(paginate(api.fetchPage, { signal: controller.signal }));
    expect(api.signals).toEqual([controller.signal, controller.signal]);
  });

  it("reports each page after its items were consumed, with a resume cursor", async () => {
    const api = fakeApi(3, 2);
    const events: (PageInfo<string> & { consumed: number })[] = [];
    const consumed: number[] = [];
    const iterable = paginate(api.fetchPage, {
      onPage: (info) => {
        events.push({ ...info, consumed: consumed.length });
      },
    });
    for await (const item of iterable) consumed.push(item);
    expect(events).toEqual([
      { cursor: undefined, next: "p1", count: 2, consumed: 2 },
      { cursor: "p1", next: "p2", count: 2, consumed: 4 },
      { cursor: "p2", next: undefined, count: 2, consumed: 6 },
    ]);
  });

  it("does not report a page the consumer left early", async () => {
    const api = fakeApi(3, 2);
    const events: PageInfo<string>[] = [];
    for await (const item of paginate(api.fetchPage, { onPage: (info) => void events.push(info) })) {
      if (item === 2) break;
    }
    expect(events.map((event) => event.next)).toEqual(["p1"]);
  });

  it("waits for an async onPage before fetching the next page", async () => {
    const api = fakeApi(2, 1);
    const order: string[] = [];
    const iterable = paginate(
      async (cursor: string | undefined, signal) => {
        order.push(`fetch ${cursor ?? "first"}`);
        return api.fetchPage(cursor, signal);
      },
      {
        onPage: async ({ next }) => {
          await new Promise((resolve) => setImmediate(resolve));
          order.push(`saved ${next ?? "end"}`);
        },
      },
    );
    await collect(iterable);
    expect(order).toEqual(["fetch first", "saved p1", "fetch p1", "saved end"]);
  });

  it("continues past an empty page that has a next cursor", async () => {
    const pages: Record<string, Page<string, string>> = {
      start: { items: [], next: "a" },
      a: { items: [], next: "b" },
      b: { items: ["x"], next: undefined },
    };
    const items = await collect(paginate(async (cursor) => pages[cursor ?? "start"]!));
    expect(items).toEqual(["x"]);
  });

  it("ends on a null or empty-string next cursor", async () => {
    const withNull = paginate<number, string | null>(async () => ({ items: [1], next: null }));
    const withEmpty = paginate<number>(async () => ({ items: [2], next: "" }));
    expect(await collect(withNull)).toEqual([1]);
    expect(await collect(withEmpty)).toEqual([2]);
  });

  it("ends with the error of a page that throws, after the items already yielded", async () => {
    const failure = new Error("page 2 failed");
    const seen: number[] = [];
    const iterable = paginate(async (cursor: string | undefined) => {
      if (cursor === "p1") throw failure;
      return { items: [1, 2], next: "p1" };
    });
    await expect(
      (async () => {
        for await (const item of iterable) seen.push(item);
      })(),
    ).rejects.toBe(failure);
    expect(seen).toEqual([1, 2]);
  });

  it("throws InvalidResponseError when the same cursor comes back twice in a row", async () => {
    let calls = 0;
    const iterable = paginate(
      async () => {
        calls += 1;
        return { items: [calls], next: "stuck" };
      },
      { integration: "prisma" },
    );
    const error = await collect(iterable).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(isCloudstewardError(error, "INVALID_RESPONSE")).toBe(true);
    expect((error as InvalidResponseError).integration).toBe("prisma");
    expect((error as Error).message).toMatch(/^prisma: .*same page cursor/);
    expect(calls).toBe(2);
  });

  it("detects a repeated object cursor and a resume cursor that does not advance", async () => {
    const objects = paginate<number, { offset: number }>(async () => ({ items: [1], next: { offset: 100 } }));
    await expect(collect(objects)).rejects.toBeInstanceOf(InvalidResponseError);
    const resumed = paginate(async () => ({ items: [1], next: "c1" }), { cursor: "c1" });
    await expect(collect(resumed)).rejects.toBeInstanceOf(InvalidResponseError);
  });

  it("throws InvalidResponseError for a page without an items array", async () => {
    const iterable = paginate(async () => ({ next: "x" }) as unknown as Page<number, string>);
    await expect(collect(iterable)).rejects.toBeInstanceOf(InvalidResponseError);
  });

  it("rejects with the signal's AbortError, unwrapped, when aborted before the first page", async () => {
    const api = fakeApi(2);
    const controller = new AbortController();
    controller.abort();
    const error = await collect(paginate(api.fetchPage, { signal: controller.signal })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe("AbortError");
    expect(api.calls).toEqual([]);
  });

  it("rejects with the signal's reason while a page is in flight, even if the request ignores the signal", async () => {
    const controller = new AbortController();
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => {
      started = resolve;
    });
    const iterable = paginate<number>(
      () => {
        started();
        return new Promise(() => {}); // never settles
      },
      { signal: controller.signal },
    );
    const result = collect(iterable).catch((caught: unknown) => caught);
    await inFlight;
    controller.abort();
    expect(await result).toBe(controller.signal.reason);
  });

  it("reports the abort instead of the request's own error when the request fails because of it", async () => {
    const controller = new AbortController();
    const iterable = paginate<number>(
      async (_cursor, signal) => {
        controller.abort();
        throw new TypeError(`fetch failed (aborted: ${signal?.aborted})`);
      },
      { signal: controller.signal },
    );
    const error = await collect(iterable).catch((caught: unknown) => caught);
    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe("AbortError");
  });

  it("stops between items of a page once aborted", async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const iterable = paginate(async () => ({ items: [1, 2, 3], next: undefined }), {
      signal: controller.signal,
    });
    const error = await (async () => {
      for await (const item of iterable) {
        seen.push(item);
        controller.abort();
      }
    })().catch((caught: unknown) => caught);
    expect(seen).toEqual([1]);
    expect((error as Error).name).toBe("AbortError");
  });
});

describe("pinQuery", () => {
  it("returns a deep-frozen copy that later changes to the original cannot reach", () => {
    const original = { severity: ["critical"], filter: { accounts: ["123"] }, since: new Date(0) };
    const pinned = pinQuery(original);
    original.severity.push("low");
    original.filter.accounts[0] = "999";
    expect(pinned).toEqual({ severity: ["critical"], filter: { accounts: ["123"] }, since: new Date(0) });
    expect(Object.isFrozen(pinned)).toBe(true);
    expect(Object.isFrozen(pinned.filter)).toBe(true);
    expect(Object.isFrozen(pinned.filter.accounts)).toBe(true);
    expect(() => {
      (pinned.severity as string[]).push("medium");
    }).toThrow(TypeError);
  });

  it("passes primitives through", () => {
    expect(pinQuery("status:open")).toBe("status:open");
    expect(pinQuery(undefined)).toBeUndefined();
  });
});
