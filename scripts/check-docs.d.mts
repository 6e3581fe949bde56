/** Types of scripts/check-docs.mjs, for its unit test. */
import type { DocBlock } from "./doc-blocks.mjs";

export declare function checkDocs(app: string): Promise<void>;
export declare function runShell(app: string, blocks: DocBlock[]): Promise<void>;
