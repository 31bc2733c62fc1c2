// The baseline of the websocket scenario: the same request/reply loop as Cicada's
// WebSocketUser locustfile, written directly on `ws` with nothing measured: N sockets,
// each sending a message and waiting for its echo, for --seconds. Prints
// {"messages": N, "seconds": S} (replies received, measured span).
import WebSocket from "ws";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const url = option("--url", "ws://127.0.0.1:8080");
const sockets = Number(option("--sockets", "10"));
const seconds = Number(option("--seconds", "10"));
let replies = 0;
let running = true;

function loop() {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on("open", () => ws.send("x"));
    ws.on("message", () => {
      replies++;
      if (running) ws.send("x");
      else ws.close();
    });
    ws.on("close", resolve);
    ws.on("error", resolve);
  });
}

const started = performance.now();
setTimeout(() => {
  running = false;
}, seconds * 1000);
await Promise.all(Array.from({ length: sockets }, loop));
console.log(JSON.stringify({ messages: replies, seconds: (performance.now() - started) / 1000 }));
