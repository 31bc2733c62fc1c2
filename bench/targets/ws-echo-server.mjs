// The target of the websocket scenario: a `ws` server on 127.0.0.1 that echoes every
// message and counts them. Prints "LISTENING <port>" when ready; GET /__record answers
// {"messages": N}; exits by itself after --max-seconds (default 600).
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const args = process.argv.slice(2);
const i = args.indexOf("--max-seconds");
const maxSeconds = i === -1 ? 600 : Number(args[i + 1]);
let messages = 0;
const server = createServer((req, res) => {
  if (req.url === "/__record") res.end(JSON.stringify({ messages }));
  else res.writeHead(404).end();
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => {
    messages++;
    ws.send(data, { binary: isBinary });
  });
});
server.listen(0, "127.0.0.1", () => console.log(`LISTENING ${server.address().port}`));
setTimeout(() => process.exit(0), maxSeconds * 1000).unref();
