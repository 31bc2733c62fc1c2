import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type GrpcCouponService, startGrpcCouponService } from "../../../examples/grpc/server.js";
import { stableStatusDetails } from "../../../src/grpc/failure-text.js";
import { collectProtoFiles, GrpcClient, loadProtoDefinition, ProtoError } from "../../../src/grpc/index.js";
import { StopUser } from "../../../src/shared/control-flow.js";
import type { RequestEvent } from "../../../src/shared/request-event.js";
import { tempDir } from "../../helpers/temp-dir.js";

const PROTO = join(import.meta.dirname, "..", "..", "..", "examples", "grpc", "coupons.proto");

describe("GrpcClient against a real grpc-js server", () => {
  let service: GrpcCouponService;
  before(async () => {
    service = await startGrpcCouponService({ port: 0, stock: 1 });
  });
  after(() => service.close());
  const client = (events: RequestEvent[]) =>
    new GrpcClient({ host: service.url, proto: collectProtoFiles(PROTO), onRequest: (e) => events.push(e) });

  it("records unary calls by method name; a non-OK status is a failure with its code and details", async () => {
    const events: RequestEvent[] = [];
    const grpc = client(events);
    const first = await grpc.unary<{ code: string }>("coupons.Coupons/Claim", { id: 1, user: "a" });
    assert.deepEqual([first.ok, first.status, first.message], [true, "OK", { code: "C1-1" }]);
    const again = await grpc.unary("coupons.Coupons/Claim", { id: 1, user: "a" }, { name: "Claim again" });
    assert.deepEqual([again.ok, again.code, again.details], [false, 6, "a already holds one"]);
    const unimplemented = await grpc.unary("coupons.Coupons/Audit", { id: 1 });
    assert.equal(unimplemented.status, "UNIMPLEMENTED");
    grpc.close();
    assert.deepEqual(
      events.map((e) => [e.requestType, e.name, e.exception ? String(e.exception) : null]),
      [
        ["GRPC", "coupons.Coupons/Claim", null],
        ["GRPC", "Claim again", "GrpcError: 6 ALREADY_EXISTS: a already holds one"],
        [
          "GRPC",
          "coupons.Coupons/Audit",
          "GrpcError: 12 UNIMPLEMENTED: The server does not implement the method Audit",
        ],
      ],
    );
    assert.equal(events[0]!.responseLength, 6, "the serialized response's bytes");
    assert.equal(service.calls.get("Claim"), 2, "the server's own count");
  });

  it("server streaming: all messages until the status, `take`, a server failing mid-stream, the deadline", async () => {
    const events: RequestEvent[] = [];
    const grpc = client(events);
    const three = await grpc.serverStream("coupons.Coupons/Watch", { updates: 3, interval_ms: 5 });
    assert.deepEqual([three.ok, three.messages.length], [true, 3]);
    const two = await grpc.serverStream("coupons.Coupons/Watch", { updates: 0, interval_ms: 5 }, { take: 2 });
    assert.deepEqual([two.ok, two.messages.length], [true, 2]);
    const broken = await grpc.serverStream("coupons.Coupons/Watch", {
      updates: 9,
      interval_ms: 5,
      fail_after: 2,
    });
    assert.deepEqual([broken.ok, broken.status, broken.messages.length], [false, "UNAVAILABLE", 2]);
    const slow = await grpc.serverStream(
      "coupons.Coupons/Watch",
      { updates: 0, interval_ms: 50 },
      { timeout: 0.2 },
    );
    assert.equal(slow.status, "DEADLINE_EXCEEDED");
    assert.ok(
      events[3]!.responseTimeMs >= 195 && events[3]!.responseTimeMs < 1000,
      String(events[3]!.responseTimeMs),
    );
    assert.deepEqual(
      events.map((e) => Boolean(e.exception)),
      [false, false, true, true],
    );
    // grpc-js adds its timings when the deadline ends a call it had started, not always.
    assert.match(
      slow.details,
      /^Deadline exceeded( after \d+\.\d{3}s,|$)/,
      "the result keeps grpc-js's own details",
    );
    assert.equal(
      String(events[3]!.exception),
      "GrpcError: 4 DEADLINE_EXCEEDED: Deadline exceeded: no status within the 0.2 s timeout",
      "the recorded failure drops grpc-js's timings and peer, so deadline failures make one row",
    );
    grpc.close();
  });

  it("an unknown method or the wrong kind of call is the locustfile's mistake: it throws, naming the methods", async () => {
    const events: RequestEvent[] = [];
    const grpc = client(events);
    await assert.rejects(
      grpc.unary("coupons.Coupons/Nope", {}),
      /unknown gRPC method 'coupons.Coupons\/Nope': coupons.proto defines coupons.Coupons\/Claim, coupons.Coupons\/Watch, coupons.Coupons\/Audit/,
    );
    await assert.rejects(grpc.unary("coupons.Coupons/Watch", {}), /server streaming: use serverStream\(\)/);
    assert.equal(events.length, 0);
    grpc.close();
  });

  it("interrupt: an in-flight call rejects with StopUser and is not recorded", async () => {
    const events: RequestEvent[] = [];
    const grpc = client(events);
    const call = grpc.serverStream("coupons.Coupons/Watch", { updates: 0, interval_ms: 20 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    grpc.interrupt();
    await assert.rejects(call, StopUser);
    assert.equal(events.length, 0);
    grpc.close();
  });
});

describe("the recorded text of a gRPC failure", () => {
  it("grpc-js's deadline details, with their timings, peer and phase, become one stable text", () => {
    // The three forms a trial run gave for 14 DEADLINE_EXCEEDED failures of one call, and the bare one.
    const grpcJsDetails = [
      "Deadline exceeded after 0.200s,remote_addr=127.0.0.1:18572",
      "Deadline exceeded after 0.201s,metadata filters: 0.001s,remote_addr=127.0.0.1:18572",
      "Deadline exceeded after 0.203s,name resolution: 0.002s,metadata filters: 0.001s,Waiting for LB pick",
      "Deadline exceeded after 1.000s,waiting for name resolution",
      "Deadline exceeded",
    ];
    assert.deepEqual(
      new Set(grpcJsDetails.map((details) => stableStatusDetails(4, details, 0.2))),
      new Set(["Deadline exceeded: no status within the 0.2 s timeout"]),
    );
  });

  it("the server's own details, and other statuses, are kept as they are", () => {
    assert.equal(stableStatusDetails(4, "upstream took too long", 1), "upstream took too long");
    // grpc-js's refused connection ends in an empty note: left out.
    assert.equal(
      stableStatusDetails(
        14,
        "No connection established. Last error: connect ECONNREFUSED 127.0.0.1:50051. Resolution note: ",
        1,
      ),
      "No connection established. Last error: connect ECONNREFUSED 127.0.0.1:50051",
    );
    assert.equal(stableStatusDetails(4, "Deadline exceeded by upstream", 1), "Deadline exceeded by upstream");
    assert.equal(
      stableStatusDetails(5, "Deadline exceeded after 0.200s", 1),
      "Deadline exceeded after 0.200s",
    );
    assert.equal(
      stableStatusDetails(14, "No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1", 1),
      "No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1",
    );
  });
});

describe(".proto sources", () => {
  it("collects a .proto with the files it imports, relative to their common folder", () => {
    const source = collectProtoFiles(PROTO);
    assert.equal(source.entry, "coupons.proto");
    assert.deepEqual(Object.keys(source.files).sort(), ["coupons.proto", "types.proto"]);
    assert.ok(loadProtoDefinition(source)["coupons.Coupons"]);
  });

  it("a .proto that does not parse, or a missing import, is a ProtoError naming the file", () => {
    const dir = tempDir("cicada-proto-test-");
    writeFileSync(join(dir, "bad.proto"), 'syntax = "proto3";\nmessage M { int32 x = ; }\n');
    writeFileSync(join(dir, "missing.proto"), 'syntax = "proto3";\nimport "nowhere.proto";\n');
    assert.throws(
      () => loadProtoDefinition(collectProtoFiles(join(dir, "bad.proto"))),
      (error: Error) => {
        assert.ok(error instanceof ProtoError);
        assert.match(error.message, /bad.proto does not parse: .*line 2/);
        return true;
      },
    );
    assert.throws(
      () => collectProtoFiles(join(dir, "missing.proto")),
      /cannot read .*nowhere.proto \(imported by .*missing.proto\)/,
    );
  });
});
