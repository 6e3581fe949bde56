import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { buildReportData, type ReportInput } from "./data.js";
import { renderReport } from "./render.js";

/**
 * Builds the report of a run and writes it as `<directory>/index.html` (creating the directory).
 * @returns the file's absolute path.
 * @example
 * const file = await writeReport("cloudsteward-report", { mode, explainer, cases, report, delivered, pending, audit, phases });
 */
export async function writeReport(directory: string, input: ReportInput): Promise<string> {
  const file = join(resolve(directory), "index.html");
  await mkdir(resolve(directory), { recursive: true });
  await writeFile(file, renderReport(buildReportData(input)));
  return file;
}
