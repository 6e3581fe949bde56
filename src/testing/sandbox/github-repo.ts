import { stableHash } from "../../core/fingerprint.js";
import { jsonResponse } from "./faults.js";

/** A pull request the emulated repository holds. */
export interface GithubRepoPull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: "open";
  html_url: string;
}

/** An emulated GitHub repository: branches, file commits and pull requests over the REST API. */
export interface GithubRepo {
  /**
   * Answers `GET …/git/ref/heads/{branch}`, `POST …/git/refs`, `GET`/`PUT …/contents/{path}` and
   * `GET`/`POST …/pulls` for `/repos/{owner}/{repo}` (a bearer token required: 401 without), or
   * `undefined` for any other path.
   */
  handle(request: Request): Promise<Response | undefined>;
  /** Every pull request opened, in order. */
  pulls(): GithubRepoPull[];
  /** A file's text on a branch, or undefined. */
  file(branch: string, path: string): string | undefined;
  /** The branch names. */
  branches(): string[];
}

/**
 * An in-memory GitHub repository for the pull-request route: the calls `pullRequestRemediation`
 * makes, with GitHub's answers — 404 for a missing ref or file, 422 for an existing ref or an
 * existing pull request from the same head, 422 when an existing file is updated without its `sha`
 * and 409 when the `sha` is not the file's current one.
 * @example
 * const repo = githubRepo({ owner: "acme", repo: "infra", token: "t", files: { "main.tf": "" } });
 */
export function githubRepo(options: {
  owner: string;
  repo: string;
  token: string;
  base?: string;
  files?: Record<string, string>;
}): GithubRepo {
  const prefix = `/repos/${options.owner}/${options.repo}/`;
  const commits = new Map<string, Map<string, string>>();
  const commit = (parent: string, files: Map<string, string>) => {
    const sha = stableHash(parent, JSON.stringify([...files])).padEnd(40, "0");
    commits.set(sha, files);
    return sha;
  };
  const branches = new Map([
    [options.base ?? "main", commit("", new Map(Object.entries(options.files ?? {})))],
  ]);
  const pulls: GithubRepoPull[] = [];
  const blobSha = (text: string) => stableHash("blob", text).padEnd(40, "0");
  const wire = (pull: GithubRepoPull) => ({
    ...pull,
    head: { ref: pull.head, label: `${options.owner}:${pull.head}` },
    base: { ref: pull.base, label: `${options.owner}:${pull.base}` },
  });
  const invalid = (message: string) =>
    jsonResponse(422, { message: "Validation Failed", errors: [{ message }] });

  return {
    async handle(request) {
      const url = new URL(request.url);
      const at = url.pathname.indexOf(prefix);
      if (at < 0) return undefined;
      const rest = decodeURIComponent(url.pathname.slice(at + prefix.length));
      const route = /^(git\/ref\/heads\/|git\/refs$|contents\/|pulls$)/.exec(rest)?.[1];
      if (!route) return undefined;
      const token = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
      if (token !== options.token) return jsonResponse(401, { message: "Bad credentials", status: "401" });
      const body = request.method === "GET" ? {} : ((await request.json()) as Record<string, unknown>);
      const method = request.method;

      if (route === "git/ref/heads/" && method === "GET") {
        const name = rest.slice(route.length);
        const sha = branches.get(name);
        return sha
          ? jsonResponse(200, { ref: `refs/heads/${name}`, object: { sha, type: "commit" } })
          : jsonResponse(404, { message: "Not Found", status: "404" });
      }
      if (route === "git/refs" && method === "POST") {
        const name = /^refs\/heads\/(.+)$/.exec(String(body.ref))?.[1];
        if (!name || typeof body.sha !== "string" || !commits.has(body.sha))
          return invalid("ref must be refs/heads/<name> and sha an existing commit");
        if (branches.has(name)) return invalid("Reference already exists");
        branches.set(name, body.sha);
        return jsonResponse(201, { ref: `refs/heads/${name}`, object: { sha: body.sha, type: "commit" } });
      }
      if (route === "contents/") {
        const path = rest.slice(route.length);
        const branch = method === "GET" ? (url.searchParams.get("ref") ?? "main") : String(body.branch);
        const tip = branches.get(branch);
        if (!tip) return jsonResponse(404, { message: `No commit found for the ref ${branch}` });
        const files = commits.get(tip) as Map<string, string>;
        const current = files.get(path);
        if (method === "GET") {
          return current === undefined
            ? jsonResponse(404, { message: "Not Found", status: "404" })
            : jsonResponse(200, {
                type: "file",
                path,
                sha: blobSha(current),
                encoding: "base64",
                content: Buffer.from(current).toString("base64"),
              });
        }
        if (method === "PUT") {
          if (typeof body.message !== "string" || typeof body.content !== "string")
            return invalid("message and content are required");
          if (current !== undefined && body.sha === undefined) return invalid('"sha" wasn\'t supplied.');
          if (current !== undefined && body.sha !== blobSha(current))
            return jsonResponse(409, { message: `${path} does not match ${String(body.sha)}` });
          const text = Buffer.from(body.content, "base64").toString("utf8");
          const sha = commit(tip, new Map([...files, [path, text]]));
          branches.set(branch, sha);
          return jsonResponse(current === undefined ? 201 : 200, {
            content: { path, sha: blobSha(text) },
            commit: { sha, message: body.message },
          });
        }
      }
      if (route === "pulls" && method === "GET") {
        const head = url.searchParams.get("head");
        const branch = head?.startsWith(`${options.owner}:`) ? head.slice(options.owner.length + 1) : head;
        return jsonResponse(200, pulls.filter((pull) => branch === null || pull.head === branch).map(wire));
      }
      if (route === "pulls" && method === "POST") {
        const head = String(body.head);
        const base = String(body.base);
        if (typeof body.title !== "string" || !branches.has(head) || !branches.has(base))
          return invalid("title, and head and base branches that exist, are required");
        if (pulls.some((pull) => pull.head === head && pull.base === base))
          return invalid(`A pull request already exists for ${options.owner}:${head}.`);
        if (branches.get(head) === branches.get(base))
          return invalid(`No commits between ${base} and ${head}`);
        const number = pulls.length + 1;
        const pull: GithubRepoPull = {
          number,
          title: body.title,
          body: typeof body.body === "string" ? body.body : "",
          head,
          base,
          state: "open",
          html_url: `https://github.test/${options.owner}/${options.repo}/pull/${number}`,
        };
        pulls.push(pull);
        return jsonResponse(201, wire(pull));
      }
      return jsonResponse(404, { message: "Not Found", status: "404" });
    },
    pulls: () => pulls.map((pull) => ({ ...pull })),
    file: (branch, path) => {
      const tip = branches.get(branch);
      return tip ? commits.get(tip)?.get(path) : undefined;
    },
    branches: () => [...branches.keys()],
  };
}
