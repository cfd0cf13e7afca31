import http from "node:http";

export type SseEvent = { event: string; data: string };

// A minimal Server-Sent Events client (Maestro's /api/stream with an API key).
export function openSse(url: string, key: string, onEvent: (e: SseEvent) => void): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { authorization: `Bearer ${key}`, accept: "text/event-stream" } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE ${url}: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding("utf8");
      let buffer = "";
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = "message";
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) event = line.slice(6).trim();
            else if (line.startsWith("data:")) data.push(line.slice(5).trim());
          }
          if (data.length > 0) onEvent({ event, data: data.join("\n") });
        }
      });
      res.on("error", () => undefined);
      resolve({ close: () => req.destroy() });
    });
    req.on("error", reject);
  });
}
