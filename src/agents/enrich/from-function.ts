import type { ContextProvider, ContextRequest, ProvidedContext } from "../../core/context-provider.js";

/** Options of {@link fromFunction}. */
export interface FromFunctionOptions {
  /** The provenance of its values. @default "function" */
  name?: string;
  /** Cache answers per resource; turn off when the function depends on more than the resource. @default true */
  cacheable?: boolean;
}

/**
 * Context from your own code (an inventory service, a naming convention). Ranks highest by default.
 * @example
 * fromFunction(({ resource }) => resource.accountId === "123456789012" ? { owner: "platform", environment: "prod" } : undefined);
 */
export function fromFunction(
  fn: (request: ContextRequest) => ProvidedContext | undefined | Promise<ProvidedContext | undefined>,
  options: FromFunctionOptions = {},
): ContextProvider {
  return {
    name: options.name ?? "function",
    kind: "function",
    cacheable: options.cacheable ?? true,
    lookup: fn,
  };
}
