import type { BuiltInPlatform } from "../../core/finding.js";
import { type Estate, generateEstate } from "../estate.js";
import { type DriftEstateOptions, driftEstate } from "./drift.js";
import type { SandboxFaults } from "./emulation.js";
import { type EmulationName, type EmulationOptions, type Emulations, emulations } from "./emulations.js";
import { createFaults, type Faults, jsonResponse } from "./faults.js";

/** What the sandbox is built from; shared by `startSandbox` and `sandboxHandlers` (`cloudsteward/testing/msw`). */
export interface SandboxEstateOptions {
  /** Seed of the estate. @default 1 */
  seed?: number;
  /** Findings per platform. @default 200 */
  size?: number;
  /** Opt-in faults, applied by every emulation (each keeps its own counters). */
  faults?: SandboxFaults;
  /** Platforms the estate holds findings for. @default all four */
  platforms?: readonly BuiltInPlatform[];
  /**
   * Resources that change over a test clock (`sandbox.estate.drift`): their changes show up as the
   * platforms' change signals and the remediation APIs (Prisma `/alert/remediation`, GitHub
   * `workflow_dispatch` at `/github`) fix them. @default none
   */
  drift?: DriftEstateOptions;
}

/** The emulations mounted over one estate, and a dispatcher by path prefix. */
export interface MountedSandbox {
  estate: Estate;
  emulations: Emulations;
  faults: Record<EmulationName, Faults>;
  /** Answers a request whose URL path starts with `/<emulation name>`, relative to `basePath`. */
  dispatch(request: Request, basePath?: string): Promise<Response>;
  /** Every emulation's options object, pointing at `baseUrl`. */
  optionsFor(baseUrl: string): EmulationOptions;
}

/** Generates the estate and creates every registered emulation over it. */
export function mountSandbox(options: SandboxEstateOptions = {}): MountedSandbox {
  const estate = generateEstate({ seed: options.seed, size: options.size, platforms: options.platforms });
  if (options.drift) estate.drift = driftEstate(options.drift);
  const faults = {} as Record<EmulationName, Faults>;
  const mounted = {} as Record<EmulationName, Emulations[EmulationName]>;
  for (const name of Object.keys(emulations) as EmulationName[]) {
    faults[name] = createFaults(options.faults);
    mounted[name] = emulations[name](estate, faults[name]);
  }
  return {
    estate,
    emulations: mounted as Emulations,
    faults,
    async dispatch(request, basePath = "") {
      const path = new URL(request.url).pathname.slice(basePath.length);
      const [, name = "", ...rest] = path.split("/");
      const emulation = (mounted as Record<string, Emulations[EmulationName]>)[name];
      if (!emulation) {
        return jsonResponse(404, {
          error: `No emulation named "${name}". Known: ${Object.keys(mounted).join(", ")}`,
        });
      }
      try {
        return await emulation.handle(request, `/${rest.join("/")}`);
      } catch (error) {
        return jsonResponse(500, { error: `The ${name} emulation failed: ${(error as Error).message}` });
      }
    },
    optionsFor(baseUrl) {
      const entries = Object.entries(mounted).map(([name, emulation]) => [
        name,
        emulation.options(`${baseUrl.replace(/\/+$/, "")}/${name}`),
      ]);
      return Object.fromEntries(entries) as EmulationOptions;
    },
  };
}
