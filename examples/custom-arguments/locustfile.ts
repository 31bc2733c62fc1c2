/**
 * Options of your own, as Locust's `init_command_line_parser`: they show in `--help`, come
 * from flags, environment variables and cicada.conf, appear under "Custom parameters" in
 * the web UI's start form, and reach every worker of a distributed run.
 *
 *   npx cicada -f examples/custom-arguments/locustfile.ts --help
 *   npx cicada -f examples/custom-arguments/locustfile.ts --headless -u 5 -t 10s \
 *       -H http://127.0.0.1:8080 --api-key demo --env staging --pages hello,signin
 *   CICADA_API_KEY=demo npx cicada -f examples/custom-arguments/locustfile.ts   # web UI
 */
import { constant, events, HttpUser, task } from "cicada-load";

events.initCommandLineParser.addListener((parser) => {
  parser.addArgument("--api-key", { isRequired: true, isSecret: true, help: "Sent as X-Api-Key" });
  parser.addArgument("--env", { choices: ["dev", "staging"], default: "dev", help: "Target environment" });
  parser.addArgument("--pages", {
    choices: ["hello", "signin", "stats"], // pages the coupon service serves without a session
    isMultiple: true,
    default: ["hello"],
    help: "Pages to visit",
  });
  parser.addArgument("--think-time", { type: "number", default: 1, help: "Seconds between tasks" });
  parser.addArgument("--trace", { type: "boolean", help: "Log every page visited" });
  // Only from the command line, env or cicada.conf: not offered in the web form.
  parser.addArgument("--build-id", { includeInWebUi: false, default: "local", envVar: "BUILD_ID" });
});

events.testStart.addListener(({ environment }) => {
  // Locust's name (snake_case) works too: environment.parsedOptions.build_id
  environment.logger.info(
    `Testing ${environment.parsedOptions.env} (build ${environment.parsedOptions.buildId})`,
  );
});

export class Visitor extends HttpUser {
  host = "http://127.0.0.1:8080";
  waitTime = constant(1);

  async onStart() {
    this.waitTime = constant(Number(this.environment.parsedOptions.thinkTime));
  }

  @task async visit() {
    const options = this.environment.parsedOptions;
    const headers = { "X-Api-Key": String(options.apiKey), "X-Env": String(options.env) };
    const pages = Array.isArray(options.pages) ? options.pages : [];
    for (const page of pages) {
      if (options.trace === true) this.environment.logger.info(`visiting /${page}`);
      await this.client.get(`/${page}`, { headers });
    }
  }
}
