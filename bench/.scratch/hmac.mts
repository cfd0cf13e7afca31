import { createHmac, createSecretKey } from "node:crypto";
const key = Buffer.from("bench-webhook-secret-32-bytes-ok");
const body = "x".repeat(1100);
const N = 20000;
let t = performance.now();
for (let i = 0; i < N; i++) { const h = createHmac("sha256", key); h.update("msg_1.123."); h.update(body); h.digest(); }
console.log("hmac buffer key", ((performance.now() - t) * 1000 / N).toFixed(1));
const ko = createSecretKey(key);
t = performance.now();
for (let i = 0; i < N; i++) { const h = createHmac("sha256", ko); h.update("msg_1.123."); h.update(body); h.digest(); }
console.log("hmac keyobject", ((performance.now() - t) * 1000 / N).toFixed(1));
t = performance.now();
for (let i = 0; i < N; i++) { Buffer.from("whsec_YmVuY2gtd2ViaG9vay1zZWNyZXQtMzItYnl0ZXMtb2s=".slice(6), "base64"); }
console.log("b64", ((performance.now() - t) * 1000 / N).toFixed(1));
