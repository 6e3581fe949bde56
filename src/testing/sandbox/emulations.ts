import type { Estate } from "../estate.js";
import { githubEmulation } from "./drift-http.js";
import type { Emulation } from "./emulation.js";
import type { Faults } from "./faults.js";
import { jiraEmulation } from "./jira.js";
import { laceworkEmulation } from "./lacework.js";
import { orcaEmulation } from "./orca.js";
import { prismaEmulation } from "./prisma.js";
import { servicenowEmulation } from "./servicenow.js";
import { slackEmulation } from "./slack.js";
import { teamsEmulation } from "./teams.js";
import { wizEmulation } from "./wiz.js";

/** Builds one emulation over the estate, with its own fault machinery. */
export type EmulationFactory<E extends Emulation = Emulation> = (estate: Estate, faults: Faults) => E;

/**
 * Every emulation the sandbox serves, keyed by its name (the path prefix and the sandbox entry).
 * Add one line per emulation.
 */
export const emulations = {
  wiz: wizEmulation,
  prisma: prismaEmulation,
  jira: (estate, faults) => jiraEmulation({ faults, estate }),
  lacework: laceworkEmulation,
  orca: orcaEmulation,
  servicenow: (estate, faults) => servicenowEmulation({ faults, estate }),
  slack: (estate, faults) => slackEmulation({ faults, estate }),
  teams: (_estate, faults) => teamsEmulation(faults),
  github: githubEmulation,
} satisfies Record<string, EmulationFactory>;

/** The names of the emulations. */
export type EmulationName = keyof typeof emulations;

/** The emulation object each factory returns, by name. */
export type Emulations = { [K in EmulationName]: ReturnType<(typeof emulations)[K]> };

/** The options object each emulation hands to its integration's factory, by name. */
export type EmulationOptions = { [K in EmulationName]: ReturnType<Emulations[K]["options"]> };
