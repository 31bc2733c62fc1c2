/**
 * The `multipart` option: the server reads what was sent with an independent
 * multipart parser (undici's, through `Request.formData()`), byte for byte.
 */
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { recordingSession } from "./helpers.js";

/** A server that parses each request body as multipart and keeps what it found. */
async function startFormServer() {
  const forms: Array<{
    contentType: string;
    fields: Array<[string, string | { name: string; type: string; bytes: Buffer }]>;
  }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const contentType = req.headers["content-type"] ?? "";
      const form = await new Request("http://x/", {
        method: "POST",
        headers: { "content-type": contentType },
        body: Buffer.concat(chunks),
      }).formData();
      const fields: (typeof forms)[number]["fields"] = [];
      for (const [name, value] of form.entries()) {
        if (typeof value === "string") fields.push([name, value]);
        else
          fields.push([
            name,
            { name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) },
          ]);
      }
      forms.push({ contentType, fields });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forms,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("multipart uploads", () => {
  it("sends fields and files that a multipart parser reads back exactly", async () => {
    const server = await startFormServer();
    const { session, events } = recordingSession({ baseUrl: server.url });
    const binary = Buffer.from([0, 1, 2, 255, 13, 10, 45, 45]);
    const res = await session.post("/upload", {
      multipart: {
        title: 'A "quoted" title, é',
        count: 3,
        tags: ["a", "b"],
        avatar: { content: binary, filename: "me.png", contentType: "image/png" },
        notes: { content: "plain text file", filename: "notes.txt" },
        blob: new Blob(["from a blob"], { type: "text/plain" }),
      },
    });
    assert.equal(res.status, 200);
    assert.equal(events.length, 1);
    const [form] = server.forms;
    assert.match(form!.contentType, /^multipart\/form-data; boundary=/);
    assert.deepEqual(form!.fields, [
      ["title", 'A "quoted" title, é'],
      ["count", "3"],
      ["tags", "a"],
      ["tags", "b"],
      ["avatar", { name: "me.png", type: "image/png", bytes: binary }],
      [
        "notes",
        { name: "notes.txt", type: "application/octet-stream", bytes: Buffer.from("plain text file") },
      ],
      ["blob", { name: "blob", type: "text/plain", bytes: Buffer.from("from a blob") }],
    ]);
    await session.close();
    await server.close();
  });

  it("takes a FormData as it is, and refuses a second body option", async () => {
    const server = await startFormServer();
    const { session } = recordingSession({ baseUrl: server.url });
    const form = new FormData();
    form.append("file", new File(["file body"], "f.txt", { type: "text/plain" }));
    await session.put("/put", { multipart: form });
    assert.deepEqual(server.forms[0]!.fields, [
      ["file", { name: "f.txt", type: "text/plain", bytes: Buffer.from("file body") }],
    ]);
    await assert.rejects(
      session.post("/x", { multipart: { a: "1" }, json: {} }),
      /at most one of the options json, form, multipart and body/,
    );
    await assert.rejects(
      session.post("/x", { multipart: { a: null as unknown as string } }),
      /invalid multipart field "a"/,
    );
    await session.close();
    await server.close();
  });
});
