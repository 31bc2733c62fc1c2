/**
 * Command line of the coupon service:
 *
 *   node --import tsx examples/coupon-service/server.ts [--port 8080] [--host 127.0.0.1] [--coupons 5] [--stock 50]
 *
 * Prints exactly one line, `coupon-service listening on http://HOST:PORT`, which
 * `examples/run-demo.mjs` and the tests parse; stops cleanly on SIGINT and SIGTERM.
 * `--exit-on-stdin-close` also stops it when its parent goes away (the demo runner uses
 * it, so the service cannot outlive a runner that was killed outright).
 */
import { parseArgs } from "node:util";
import { type CouponServiceOptions, startCouponService } from "./service.js";

const USAGE =
  "usage: node --import tsx examples/coupon-service/server.ts [--port N] [--host ADDR] [--coupons N] [--stock N]";

interface Cli {
  options: CouponServiceOptions;
  exitOnStdinClose: boolean;
}

function parseCli(args: string[]): Cli {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string", default: "8080" },
      host: { type: "string", default: "127.0.0.1" },
      coupons: { type: "string", default: "5" },
      stock: { type: "string", default: "50" },
      "exit-on-stdin-close": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const options = {
    port: wholeNumber("--port", values.port),
    host: values.host,
    coupons: wholeNumber("--coupons", values.coupons),
    stock: wholeNumber("--stock", values.stock),
  };
  if (options.port > 65535) throw new RangeError(`--port must be at most 65535, got ${options.port}`);
  return { options, exitOnStdinClose: values["exit-on-stdin-close"] };
}

function wholeNumber(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw new RangeError(`${flag} must be a whole number, got '${raw}'`);
  return Number(raw);
}

async function main(): Promise<void> {
  let cli: Cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`coupon-service: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const service = await startCouponService(cli.options).catch((error: NodeJS.ErrnoException) => {
    const reason =
      error.code === "EADDRINUSE"
        ? `port ${cli.options.port} is already in use (try --port 0)`
        : error.message;
    console.error(`coupon-service: cannot start: ${reason}`);
    process.exit(error.code === "EADDRINUSE" ? 4 : 1);
  });
  console.log(`coupon-service listening on ${service.url}`);

  const stop = () => {
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("coupon-service: error while stopping:", error);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  if (cli.exitOnStdinClose) process.stdin.once("close", stop).resume();
}

await main();
