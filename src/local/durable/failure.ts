/**
 * What an orchestrator failure says. The durable-functions SDK (v3, `OrchestrationFailureError`)
 * throws an error whose message is `<what the orchestrator returned>\n\n$OutOfProcData$:<JSON of
 * the orchestrator state>`, and the state's `error` field holds the message of the exception that
 * ended the orchestrator; the first part is `false` or `undefined` for a thrown exception. The
 * Durable extension records that `error` as the failure's reason, and so does the local host.
 */
const OUT_OF_PROC_DATA = "\n\n$OutOfProcData$:";

/**
 * The failure reason in `message` (an `OrchestrationFailureError`'s, or any error's): the state's
 * `error` when it is a non-empty string, else the text before the state, else the whole message.
 * Pure; never throws (a state that is not JSON gives the text before it).
 */
export function orchestratorFailureMessage(message: string): string {
  const at = message.indexOf(OUT_OF_PROC_DATA);
  if (at < 0) return message;
  try {
    const state = JSON.parse(message.slice(at + OUT_OF_PROC_DATA.length)) as { error?: unknown };
    if (typeof state.error === "string" && state.error.length > 0) return state.error;
  } catch {
    // Not the SDK's state: fall back to the text before it.
  }
  return message.slice(0, at);
}
