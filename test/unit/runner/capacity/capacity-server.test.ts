/**
 * The known-capacity target itself (bench/targets/capacity-server.mjs), which the capacity
 * search's tests and benchmark trust: saturated, its gauge of busy slots reads K at every
 * scrape (the e2e tests expect the breaking step to name it), and it counts what it received.
 */
import assert from "node:assert/strict";
import { Agent, get } from "node:http";
import { test } from "node:test";
import { startCapacityServer } from "../../../../bench/targets/capacity-server.mjs";

const fetchText = (url: string, agent: Agent) =>
  new Promise<string>((resolve, reject) => {
    get(url, { agent }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });

test("saturated, the target's busy-slots gauge reads K at every scrape; it counts every request received", async (t) => {
  const slots = 10;
  const target = await startCapacityServer({ slots, serviceMs: 50 });
  t.after(() => target.close());
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  t.after(() => agent.destroy());
  // 50 clients without waits keep all 10 slots busy and a queue of about 40 in front of them.
  const until = performance.now() + 1200;
  const clients = Array.from({ length: 50 }, async () => {
    while (performance.now() < until) await fetchText(`${target.url}/`, agent);
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const readings: number[] = [];
  while (performance.now() < until - 200) {
    const metrics = await fetchText(`${target.url}/metrics`, agent);
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(metrics)![1]);
    // With nobody waiting (the clients of this busy process late to ask again), a slot is truly free.
    if (gauge("capacity_queue_length") > 0) readings.push(gauge("capacity_busy_slots"));
    await new Promise((resolve) => setTimeout(resolve, 7));
  }
  await Promise.all(clients);
  assert.ok(readings.length >= 20, `${readings.length} scrapes with a queue`);
  // Kept by the timers that end a service and admit the next one, it read 9 or 11 at a third of them.
  assert.deepEqual(
    readings.filter((busy) => busy !== slots),
    [],
  );
  assert.equal(target.received(), target.requests(), "every request received was served (none left)");
  // 10 slots of 50 ms serve 200 a second: about 240 in the 1.2 s.
  assert.ok(target.received() >= 150, `${target.received()} requests`);
});
