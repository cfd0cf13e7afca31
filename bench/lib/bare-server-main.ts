// The ingest baseline: a bare node:http server that reads the body and answers 204.
import http from "node:http";
import { announceReady, serveIpc } from "./ipc.ts";

let requests = 0;
const server = http.createServer((req, res) => {
  req.on("data", () => undefined);
  req.on("end", () => {
    requests++;
    res.statusCode = 204;
    res.end();
  });
});
server.keepAliveTimeout = 30_000;
const port = Number(process.env.PORT);
server.listen(port, "127.0.0.1", () => {
  serveIpc(
    { requests: () => requests },
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  announceReady({ url: `http://127.0.0.1:${port}` });
});
