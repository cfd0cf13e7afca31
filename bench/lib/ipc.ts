// Messages between the bench (parent) and the processes it starts (children).
export type IpcRequest = { id: number; cmd: string; args?: unknown };
export type IpcReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
export type IpcReady = { ready: true; info: Record<string, unknown> };

type Handler = (args: unknown) => unknown;

// In a child: answer the parent's requests with these handlers; "close" is always handled.
export function serveIpc(handlers: Record<string, Handler>, close: () => Promise<void>): void {
  process.on("message", (raw: unknown) => {
    const msg = raw as IpcRequest;
    if (typeof msg?.id !== "number") return;
    const reply = (r: IpcReply) => process.send?.(r);
    if (msg.cmd === "close") {
      void close()
        .catch(() => undefined)
        .finally(() => {
          reply({ id: msg.id, ok: true, result: null });
          setTimeout(() => process.exit(0), 20);
        });
      return;
    }
    const handler = handlers[msg.cmd];
    if (!handler) return reply({ id: msg.id, ok: false, error: `unknown command ${msg.cmd}` });
    Promise.resolve()
      .then(() => handler(msg.args))
      .then(
        (result) => reply({ id: msg.id, ok: true, result }),
        (err: unknown) =>
          reply({ id: msg.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  // The parent died: do not linger.
  process.on("disconnect", () => void close().finally(() => process.exit(0)));
}

export function announceReady(info: Record<string, unknown>): void {
  process.send?.({ ready: true, info } satisfies IpcReady);
}
