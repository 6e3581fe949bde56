import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { AnyOrama } from "@orama/orama";
import { ConfigurationError, isAbortError } from "../../core/errors.js";
import type { LanguageModel } from "../../llm/language-model.js";

/** One section of a Markdown document: the text under a heading, up to the next heading. */
export interface OrganizationPassage {
  /** The file, relative to the folder indexed, with `/` separators (e.g. `network/ssh-access.md`). */
  path: string;
  /** The heading trail, outermost first, joined with ` › ` (e.g. `SSH access standard › Bastion hosts`). */
  heading: string;
  /** The section's text, without its heading line. */
  text: string;
}

/** A passage found by {@link OrganizationKnowledge.search}, with its relevance. */
export interface OrganizationMatch extends OrganizationPassage {
  /** The search library's score: higher is more relevant; comparable within one search only. */
  score: number;
}

/** An index of the organization's runbooks and standards ({@link organizationKnowledge}). */
export interface OrganizationKnowledge {
  /** How many passages are indexed. */
  readonly size: number;
  /** `hybrid` when the model embedded the passages (full-text and vectors), else `fulltext`. */
  readonly mode: "fulltext" | "hybrid";
  /** What went wrong while indexing (an embedding failure falls back to full-text). */
  readonly warnings: readonly string[];
  /**
   * The passages most relevant to `query`, best first: at most `limit`, and only those scoring at
   * least half the best one's score.
   */
  search(query: string, options?: { limit?: number; signal?: AbortSignal }): Promise<OrganizationMatch[]>;
}

/** Options of {@link organizationKnowledge}. */
export interface OrganizationKnowledgeOptions {
  /** A folder of Markdown files (`.md`, `.markdown`), read recursively. */
  directory?: string;
  /** Documents given directly, as `{ path, text }`; indexed after those of `directory`. */
  documents?: readonly { path: string; text: string }[];
  /**
   * A model with `embed` adds vector search (hybrid with full-text); without one, or when it has no
   * `embed`, search is full-text only and works offline.
   */
  model?: LanguageModel;
  /** Passages longer than this many characters are cut (the cut part is not searched). @default 4000 */
  maxPassageLength?: number;
  /** The fewest query words a full-text match must contain, as a share of the query's words. @default 0.3 */
  minTermShare?: number;
}

/**
 * Indexes a folder of Markdown runbooks and standards, split by heading, in an embedded search library
 * (Orama, loaded on first use): BM25 full-text search with stemming over headings and text, plus
 * vector search when the model offers embeddings (`openai({ embeddingModel })`). Works offline with
 * full-text only. `analyzeException` and `explain` cite the passages they find by file and heading.
 * @throws ConfigurationError when neither `directory` nor `documents` is given, or the folder cannot be read.
 * @example
 * const runbooks = await organizationKnowledge({ directory: "./runbooks" });
 * const [best] = await runbooks.search("SSH open to the internet");
 * console.log(`${best?.path} § ${best?.heading}`);
 */
export async function organizationKnowledge(
  options: OrganizationKnowledgeOptions,
): Promise<OrganizationKnowledge> {
  if (options.directory === undefined && options.documents === undefined) {
    throw new ConfigurationError(
      "organizationKnowledge: give a `directory` of Markdown files or `documents`.",
      {
        option: "directory",
      },
    );
  }
  const maxLength = options.maxPassageLength ?? 4000;
  const documents = [...(options.directory === undefined ? [] : await readFolder(options.directory))];
  documents.push(...(options.documents ?? []));
  const passages = documents.flatMap((document) =>
    splitByHeading(document.text).map((section) => ({
      path: document.path,
      heading: section.heading,
      text: section.text.slice(0, maxLength),
    })),
  );

  const warnings: string[] = [];
  const embed = options.model?.embed?.bind(options.model);
  let vectors: number[][] | undefined;
  if (embed && passages.length > 0) {
    try {
      vectors = await embedAll(
        embed,
        passages.map((passage) => `${passage.heading}\n${passage.text}`),
      );
    } catch (error) {
      if (isAbortError(error)) throw error;
      warnings.push(
        `organizationKnowledge: the model could not embed the passages (${error instanceof Error ? error.message : String(error)}); search is full-text only.`,
      );
    }
  }
  const dimensions = vectors?.[0]?.length ?? 0;

  const { create, insertMultiple, search } = await import("@orama/orama");
  const schema: Record<string, "string" | `vector[${number}]`> = {
    path: "string",
    heading: "string",
    text: "string",
  };
  if (dimensions > 0) schema.embedding = `vector[${dimensions}]`;
  const db: AnyOrama = create({ schema, components: { tokenizer: { language: "english", stemming: true } } });
  await insertMultiple(
    db,
    passages.map((passage, index) => ({ ...passage, ...(vectors ? { embedding: vectors[index] } : {}) })),
  );
  const minTermShare = options.minTermShare ?? 0.3;
  const mode = dimensions > 0 ? "hybrid" : "fulltext";

  return {
    size: passages.length,
    mode,
    warnings,
    async search(query, searchOptions = {}) {
      const limit = searchOptions.limit ?? 3;
      const words = significantWords(query);
      if (words.length === 0 || passages.length === 0) return [];
      const term = words.join(" ");
      let vector: number[] | undefined;
      if (mode === "hybrid" && embed) {
        try {
          vector = (await embedAll(embed, [query], searchOptions.signal))[0];
        } catch (error) {
          if (isAbortError(error)) throw error;
          vector = undefined;
        }
      }
      const result = await search(db, {
        term,
        properties: ["heading", "text"],
        boost: { heading: 2 },
        limit: limit * 4,
        threshold: 1,
        ...(vector ? { mode: "hybrid" as const, vector: { value: vector, property: "embedding" } } : {}),
      });
      const hits = result.hits.filter((hit) => {
        const document = hit.document as unknown as OrganizationPassage;
        const text = significantWords(`${document.heading} ${document.text}`);
        const have = new Set(text.map(stem));
        const shared = words.filter((word) => have.has(stem(word))).length;
        return vector !== undefined || shared >= Math.max(1, Math.ceil(words.length * minTermShare));
      });
      const best = hits[0]?.score ?? 0;
      return hits
        .filter((hit) => hit.score >= best / 2)
        .slice(0, limit)
        .map((hit) => {
          const document = hit.document as unknown as OrganizationPassage;
          return { path: document.path, heading: document.heading, text: document.text, score: hit.score };
        });
    },
  };
}

/**
 * Splits Markdown into sections by ATX heading (`#` to `######`), ignoring lines inside fenced code
 * blocks. Each section's heading is its trail (`Parent › Child`); text before the first heading goes
 * under the empty heading; sections without text are left out.
 * @example
 * splitByHeading("# A\nintro\n## B\nbody"); // [{ heading: "A", text: "intro" }, { heading: "A › B", text: "body" }]
 */
export function splitByHeading(markdown: string): { heading: string; text: string }[] {
  const sections: { heading: string; text: string }[] = [];
  const trail: string[] = [];
  let lines: string[] = [];
  let fence: string | undefined;
  const flush = () => {
    const text = lines.join("\n").trim();
    if (text !== "") sections.push({ heading: trail.filter(Boolean).join(" › "), text });
    lines = [];
  };
  for (const line of markdown.split(/\r?\n/)) {
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1] as string;
      if (fence === undefined) fence = marker[0];
      else if (marker[0] === fence) fence = undefined;
      lines.push(line);
      continue;
    }
    const heading = fence === undefined ? /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line) : null;
    if (!heading) {
      lines.push(line);
      continue;
    }
    flush();
    const level = (heading[1] as string).length;
    trail.length = level - 1;
    trail[level - 1] = heading[2] as string;
  }
  flush();
  return sections;
}

// Internal helpers.

async function readFolder(directory: string): Promise<{ path: string; text: string }[]> {
  let files: string[];
  try {
    files = (await markdownFiles(directory)).sort();
  } catch (error) {
    throw new ConfigurationError(
      `organizationKnowledge: cannot read the folder ${directory} (${error instanceof Error ? error.message : String(error)}).`,
      { option: "directory", cause: error },
    );
  }
  return Promise.all(
    files.map(async (file) => ({
      path: relative(directory, file).split(sep).join("/"),
      text: await readFile(file, "utf8"),
    })),
  );
}

/** Every Markdown file under a folder (`readdir`'s `recursive` needs Node 20.1, so walked here). */
async function markdownFiles(directory: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...(await markdownFiles(path)));
    else if (entry.isFile() && /\.(?:md|markdown)$/i.test(entry.name)) found.push(path);
  }
  return found;
}

const embedBatch = 64;

async function embedAll(
  embed: NonNullable<LanguageModel["embed"]>,
  values: string[],
  signal?: AbortSignal,
): Promise<number[][]> {
  const vectors: number[][] = [];
  for (let start = 0; start < values.length; start += embedBatch) {
    const batch = values.slice(start, start + embedBatch);
    const { embeddings } = await embed({ values: batch, signal });
    if (
      embeddings.length !== batch.length ||
      embeddings.some((vector) => vector.length !== embeddings[0]?.length)
    )
      throw new Error(`expected ${batch.length} embeddings of one size, got ${embeddings.length}`);
    vectors.push(...embeddings);
  }
  return vectors;
}

/** Words that carry meaning: letters and digits, 3+ characters, not a common English word. */
function significantWords(text: string): string[] {
  const words = text.toLowerCase().match(/[a-z0-9][a-z0-9.-]*[a-z0-9]|[a-z0-9]/g) ?? [];
  return [...new Set(words.filter((word) => word.length >= 3 && !stopWords.has(word)))];
}

/** A crude suffix stem, enough to tell whether a passage shares a query word. */
function stem(word: string): string {
  return word.replace(/(?:ies|es|s|ed|ing)$/, "");
}

const stopWords = new Set(
  "the and for are but not you all any can had her was one our out has have from that this with they will would there their what when which who how into than then them these those its also been were does each should must may about over only such more most other some very after before between under while where your".split(
    " ",
  ),
);
