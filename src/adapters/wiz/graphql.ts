/**
 * A small GraphQL document reader: enough to know an operation's type and root fields (with their
 * arguments), so the adapter can refuse mutations in pass-through queries and the sandbox can answer them.
 * It is not a validator: anything it does not understand is reported as a syntax error.
 */

/** The kind of a GraphQL operation. */
export type OperationType = "query" | "mutation" | "subscription";

/** A GraphQL input value: a literal, a `$variable`, or a list/object of them. */
export type GraphqlValue =
  | { kind: "literal"; value: string | number | boolean | null }
  | { kind: "variable"; name: string }
  | { kind: "list"; items: GraphqlValue[] }
  | { kind: "object"; fields: Record<string, GraphqlValue> };

/** A field selected at the root of an operation. */
export interface RootField {
  /** The response key: the alias when there is one, else the field name. */
  alias: string;
  name: string;
  arguments: Record<string, GraphqlValue>;
}

/** One operation of a document. */
export interface GraphqlOperation {
  type: OperationType;
  name?: string;
  fields: RootField[];
}

/** A document the reader could not parse. */
export class GraphqlSyntaxError extends Error {
  constructor(message: string) {
    super(`Syntax Error: ${message}`);
    this.name = "GraphqlSyntaxError";
  }
}

/**
 * Reads the operations of a GraphQL document (comments, whitespace and fragments are skipped).
 * @throws GraphqlSyntaxError when the document is not GraphQL.
 * @example
 * parseOperations("# hi\nmutation M { updateIssue(input: $input) { issue { id } } }")[0]?.type; // "mutation"
 */
export function parseOperations(document: string): GraphqlOperation[] {
  const tokens = tokenize(document);
  let position = 0;
  const peek = () => tokens[position];
  const next = () => {
    const token = tokens[position++];
    if (token === undefined) throw new GraphqlSyntaxError("unexpected end of document");
    return token;
  };
  const expect = (value: string) => {
    const token = next();
    if (token !== value) throw new GraphqlSyntaxError(`expected "${value}", found "${token}"`);
  };
  const skipBalanced = (open: string, close: string) => {
    expect(open);
    let depth = 1;
    while (depth > 0) {
      const token = next();
      if (token === open) depth++;
      else if (token === close) depth--;
    }
  };
  const skipDirectives = () => {
    while (peek() === "@") {
      next();
      next();
      if (peek() === "(") skipBalanced("(", ")");
    }
  };
  const readValue = (): GraphqlValue => {
    const token = next();
    if (token === "$") return { kind: "variable", name: next() };
    if (token === "[") {
      const items: GraphqlValue[] = [];
      while (peek() !== "]") items.push(readValue());
      next();
      return { kind: "list", items };
    }
    if (token === "{") {
      const fields: Record<string, GraphqlValue> = {};
      while (peek() !== "}") {
        const name = next();
        expect(":");
        fields[name] = readValue();
      }
      next();
      return { kind: "object", fields };
    }
    if (token.startsWith('"')) return { kind: "literal", value: JSON.parse(token) as string };
    if (/^-?\d/.test(token)) return { kind: "literal", value: Number(token) };
    if (token === "true" || token === "false") return { kind: "literal", value: token === "true" };
    if (token === "null") return { kind: "literal", value: null };
    if (isName(token)) return { kind: "literal", value: token };
    throw new GraphqlSyntaxError(`unexpected "${token}" in a value`);
  };
  const readRootFields = (): RootField[] => {
    expect("{");
    const fields: RootField[] = [];
    while (peek() !== "}") {
      if (peek() === "...") {
        next();
        if (peek() === "on") {
          next();
          next();
        } else if (isName(peek() ?? "")) next();
        skipDirectives();
        if (peek() === "{") skipBalanced("{", "}");
        continue;
      }
      const first = next();
      if (!isName(first)) throw new GraphqlSyntaxError(`expected a field name, found "${first}"`);
      let alias = first;
      let name = first;
      if (peek() === ":") {
        next();
        name = next();
        if (!isName(name)) throw new GraphqlSyntaxError(`expected a field name, found "${name}"`);
      } else alias = first;
      const args: Record<string, GraphqlValue> = {};
      if (peek() === "(") {
        next();
        while (peek() !== ")") {
          const argument = next();
          expect(":");
          args[argument] = readValue();
        }
        next();
      }
      skipDirectives();
      if (peek() === "{") skipBalanced("{", "}");
      fields.push({ alias, name, arguments: args });
    }
    next();
    return fields;
  };

  const operations: GraphqlOperation[] = [];
  while (position < tokens.length) {
    const token = peek()!;
    if (token === "fragment") {
      while (peek() !== "{") next();
      skipBalanced("{", "}");
    } else if (token === "{") {
      operations.push({ type: "query", fields: readRootFields() });
    } else if (token === "query" || token === "mutation" || token === "subscription") {
      next();
      const name = isName(peek() ?? "") ? next() : undefined;
      if (peek() === "(") skipBalanced("(", ")");
      skipDirectives();
      operations.push({ type: token, name, fields: readRootFields() });
    } else {
      throw new GraphqlSyntaxError(`unexpected "${token}" at the top level of the document`);
    }
  }
  if (operations.length === 0) throw new GraphqlSyntaxError("the document has no operation");
  return operations;
}

/** Resolves a parsed value against the request's variables. */
export function resolveValue(value: GraphqlValue | undefined, variables: Record<string, unknown>): unknown {
  if (value === undefined) return undefined;
  switch (value.kind) {
    case "literal":
      return value.value;
    case "variable":
      return variables[value.name];
    case "list":
      return value.items.map((item) => resolveValue(item, variables));
    case "object":
      return Object.fromEntries(
        Object.entries(value.fields).map(([key, field]) => [key, resolveValue(field, variables)]),
      );
  }
}

// Internal helpers.

function isName(token: string): boolean {
  return /^[_A-Za-z][_0-9A-Za-z]*$/.test(token);
}

function tokenize(document: string): string[] {
  const tokens: string[] = [];
  let index = 0;
  while (index < document.length) {
    const char = document[index]!;
    if (char === "#") {
      while (index < document.length && document[index] !== "\n" && document[index] !== "\r") index++;
    } else if (/[\s,\uFEFF]/.test(char)) {
      index++;
    } else if (document.startsWith('"""', index)) {
      const end = document.indexOf('"""', index + 3);
      if (end < 0) throw new GraphqlSyntaxError("unterminated block string");
      tokens.push(JSON.stringify(document.slice(index + 3, end)));
      index = end + 3;
    } else if (char === '"') {
      let end = index + 1;
      while (end < document.length && document[end] !== '"') end += document[end] === "\\" ? 2 : 1;
      if (end >= document.length) throw new GraphqlSyntaxError("unterminated string");
      tokens.push(document.slice(index, end + 1));
      index = end + 1;
    } else if (document.startsWith("...", index)) {
      tokens.push("...");
      index += 3;
    } else if ("{}()[]:!$=@|&".includes(char)) {
      tokens.push(char);
      index++;
    } else {
      const match = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[_A-Za-z][_0-9A-Za-z]*)/.exec(
        document.slice(index, index + 256),
      );
      if (!match) throw new GraphqlSyntaxError(`unexpected character "${char}"`);
      tokens.push(match[0]);
      index += match[0].length;
    }
  }
  return tokens;
}
