import { fork, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { IpcReady, IpcReply } from "./ipc.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");

export type Child = {
  name: string;
  pid: number;
  info: Record<string, unknown>;
  // Peak resident set size (VmHWM) seen so far, in bytes.
  peakRssBytes(): number;
  request<T = unknown>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
};

// VmHWM ("high water mark") of a live process, in bytes; 0 once it is gone.
export function readPeakRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

// Starts `node --import tsx <script>` with its own environment; stdout and stderr go
// to `logFile`. Resolves once the child announces it is ready (or fails/times out).
export async function startChild(
  name: string,
  script: string,
  env: Record<string, string>,
  logFile: string,
  readyTimeoutMs = 60_000,
  nodeFlags: string[] = [],
): Promise<Child> {
  const log = openSync(logFile, "a");
  const child: ChildProcess = fork(path.join(HERE, script), [], {
    cwd: ROOT,
    // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of every child on exit (for finding hot spots).
    execArgv: [
      "--import",
      "tsx",
      ...nodeFlags,
      ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      // Extra V8/Node flags for the children (experiments, e.g. heap sizing).
      ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(" ").filter(Boolean) : []),
    ],
    env: { ...process.env, ...env },
    stdio: ["ignore", log, log, "ipc"],
  });
  closeSync(log);
  const pid = child.pid ?? 0;
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, readPeakRss(pid));
  };
  // VmHWM only grows, but it vanishes with the process: sample it while it lives.
  const sampler = setInterval(sample, 250);
  sampler.unref();
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  let nextId = 1;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", (code, signal) => {
    exited = true;
    clearInterval(sampler);
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`${name} exited (code ${code}, signal ${signal}); see ${logFile}`));
    }
    pending.clear();
  });
  const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} not ready within ${readyTimeoutMs} ms; see ${logFile}`)),
      readyTimeoutMs,
    );
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready (code ${code}); see ${logFile}`));
    });
    child.on("message", (raw: unknown) => {
      const msg = raw as IpcReady | IpcReply;
      if ("ready" in msg) {
        clearTimeout(timer);
        resolve(msg.info);
        return;
      }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`${name}: ${msg.error}`));
    });
  }).catch((err: unknown) => {
    if (!exited) child.kill("SIGKILL");
    throw err;
  });
  sample();
  const handle: Child = {
    name,
    pid,
    info,
    peakRssBytes() {
      sample();
      return peak;
    },
    request<T>(cmd: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
      if (exited) return Promise.reject(new Error(`${name} has exited`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: ${cmd} took more than ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        child.send({ id, cmd, args });
      });
    },
    async stop() {
      sample();
      if (exited) return;
      const closed = handle.request("close", undefined, 15_000).catch(() => undefined);
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 20_000).unref());
      await Promise.race([closed.then(() => exitedPromise), timeout]);
      if (!exited) {
        child.kill("SIGKILL");
        await exitedPromise;
      }
    },
  };
  return handle;
}
