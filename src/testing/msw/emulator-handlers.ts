import { type HttpHandler, http } from "msw";
import type { LlmEmulator } from "../llm-emulators.js";

/**
 * An LLM emulator as msw handlers answering under `baseURL`, for tests that intercept the global
 * `fetch` instead of passing `emulator.fetch(baseURL)` to the provider. Requests under `baseURL` that
 * are not the vendor's route fall through to the next handler.
 * @example
 * const emulator = openaiChatEmulator();
 * const server = setupServer(...emulatorHandlers(emulator, "https://api.openai.com/v1"));
 * server.listen();
 * emulator.reply({ object: { summary: "…" } });
 */
export function emulatorHandlers(emulator: LlmEmulator, baseURL: string): HttpHandler[] {
  const prefix = baseURL.replace(/\/+$/, "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return [http.post(new RegExp(`^${prefix}(/.*)?$`), ({ request }) => emulator.handle(request, baseURL))];
}
