/** The short cause of a driver or file-system error: its code, else its first line. */
export function causeOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  const msg = (err instanceof Error ? err.message.split("\n")[0] : String(err)) ?? "";
  return typeof code === "string" && code !== "" && !msg.includes(code) ? `${code}: ${msg}` : msg;
}
