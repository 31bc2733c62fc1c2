/**
 * The deployment files (Dockerfile, docker-compose.yml, Kubernetes manifests) cannot be
 * run here (no Docker engine, no cluster), so they are checked statically: they parse,
 * every cicada command line uses only flags the CLI has (with a value where one is
 * needed), and the names and ports that must agree do.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { OPTION_TABLE } from "../../../src/cli/option-table.js";
import { parseOptions } from "../../../src/cli/options.js";
import { readWebOptions } from "../../../src/cli/options-web.js";
import { exposureWarning } from "../../../src/web/index.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");

interface FlagInfo {
  takesValue: boolean;
  long: string;
}

const FLAGS = new Map<string, FlagInfo>();
for (const spec of OPTION_TABLE) {
  const takesValue = spec.flags.includes("<");
  const names = spec.flags.split(/[ ,]+/).filter((part) => part.startsWith("-"));
  const long = names.find((n) => n.startsWith("--"))!;
  for (const name of names) FLAGS.set(name, { takesValue, long });
}
// commander's own (options.ts adds them to the program).
for (const [short, long] of [
  ["-h", "--help"],
  ["-V", "--version"],
]) {
  FLAGS.set(short!, { takesValue: false, long: long! });
  FLAGS.set(long!, { takesValue: false, long: long! });
}

/** Checks a command line; returns the flags used (long names) with their values. */
function checkCommand(args: readonly string[], where: string): Map<string, string | true> {
  const used = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (!token.startsWith("-") || token === "-") {
      throw new Error(
        `${where}: '${token}' is not a flag's value and cicada takes user class names only at the end`,
      );
    }
    const [name, inline] = token.includes("=")
      ? [token.slice(0, token.indexOf("=")), token.slice(token.indexOf("=") + 1)]
      : [token, undefined];
    const info = FLAGS.get(name!);
    assert.ok(info, `${where}: unknown flag ${name}`);
    if (info.takesValue) {
      const value = inline ?? args[++i];
      assert.ok(value !== undefined, `${where}: ${name} needs a value`);
      used.set(info.long, value);
    } else {
      assert.equal(inline, undefined, `${where}: ${name} takes no value`);
      used.set(info.long, true);
    }
  }
  return used;
}

/** The parts of the Kubernetes and Compose objects the checks read. */
interface Container {
  args: string[];
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef: { name: string; key: string; optional?: boolean } };
  }>;
  ports: Array<{ name: string; containerPort: number }>;
  volumeMounts: Array<{ name: string; mountPath: string }>;
}
interface Doc {
  kind: string;
  metadata: { name: string };
  data: Record<string, string>;
  services: Record<
    string,
    {
      command: string[];
      image: string;
      deploy?: { replicas?: number };
      scale?: number;
      ports?: string[];
      environment?: Record<string, string>;
    }
  >;
  spec: {
    replicas: number;
    selector: Record<string, string>;
    ports: Array<{ name: string; port: number; targetPort: string }>;
    template: {
      metadata: { labels: Record<string, string> };
      spec: { containers: Container[]; volumes: Array<{ name: string; configMap: { name: string } }> };
    };
  };
}

function yamlDocs(path: string): Doc[] {
  const docs = parseAllDocuments(readFileSync(join(ROOT, path), "utf8"));
  for (const doc of docs) assert.deepEqual(doc.errors, [], `${path} does not parse`);
  return docs.map((d) => d.toJS() as Doc);
}

test("the Dockerfile runs cicada, from a Node 20 image, after npm ci", () => {
  const text = readFileSync(join(ROOT, "Dockerfile"), "utf8");
  assert.match(text, /^FROM node:20[\w.-]* AS build$/m);
  assert.match(text, /^RUN npm ci$/m);
  const entry = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(text)![1]!) as string[];
  assert.deepEqual(entry, ["cicada"]);
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(text)![1]!) as string[];
  checkCommand(cmd, "Dockerfile CMD");
  // The usage lines in its comments are real commands too.
  for (const m of text.matchAll(/docker run .*? cicada (.*)$/gm))
    checkCommand(m[1]!.split(/\s+/), "Dockerfile comment");
  assert.match(text, /^EXPOSE 5557 8089$/m, "the workers' port and the web UI's");
});

test("docker-compose.yml: a master and scalable workers with real flags that agree", () => {
  const [compose] = yamlDocs("docker-compose.yml");
  const master = compose!.services.master!;
  const worker = compose!.services.worker!;
  const masterFlags = checkCommand(master.command, "compose master");
  const workerFlags = checkCommand(worker.command, "compose worker");
  assert.equal(masterFlags.get("--master"), true);
  assert.equal(masterFlags.get("--headless"), undefined, "headless is a variable away, not the default");
  assert.equal(workerFlags.get("--worker"), true);
  assert.equal(workerFlags.get("--master-host"), "master", "workers reach the master by its service name");
  assert.equal(workerFlags.get("--locustfile"), "-", "workers fetch the locustfile from the master");
  assert.equal(worker.deploy?.replicas ?? worker.scale, undefined, "scaled with --scale worker=N");
  assert.ok(!("container_name" in worker), "a container_name would prevent --scale");
  assert.equal(master.image, worker.image);
});

/** Docker Compose's `${NAME:-default}` interpolation, as `docker compose` does it. */
function interpolate(text: string, variables: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_m, name: string, fallback = "") =>
    variables[name] ? variables[name]! : fallback,
  );
}

/** The compose master's options as Cicada parses them, for the given shell variables. */
function composeMaster(variables: Record<string, string>) {
  const [compose] = yamlDocs("docker-compose.yml");
  const master = compose!.services.master!;
  const argv = master.command.map((arg) => interpolate(arg, variables));
  const env = Object.fromEntries(
    Object.entries(master.environment ?? {}).map(([key, value]) => [key, interpolate(value, variables)]),
  );
  const { options } = parseOptions({ argv, env, cwd: ROOT, home: undefined }, "test");
  const published = (master.ports ?? []).map((port) => interpolate(port, variables));
  return { options, env, published };
}

test("docker-compose.yml: the master serves the web UI on a published 8089, with a login from CICADA_WEB_LOGIN", () => {
  const { options, env, published } = composeMaster({});
  assert.equal(options.headless, false);
  const web = readWebOptions(options);
  assert.equal(web.host, "0.0.0.0", "listens on the container network");
  assert.deepEqual(published, [`8089:${web.port}`], "the host's 8089 reaches the UI's port");
  assert.equal(env.CICADA_WEB_LOGIN, "", "no login unless the variable is set");
  // Without a login Cicada warns at start, naming the variable that sets one.
  assert.match(exposureWarning(web.host, web.login !== undefined) ?? "", /without a login.*CICADA_WEB_LOGIN/);

  const secured = readWebOptions(composeMaster({ CICADA_WEB_LOGIN: "admin:s3cret" }).options);
  assert.deepEqual(secured.login, { username: "admin", password: "s3cret" });
  assert.equal(exposureWarning(secured.host, true), undefined);

  assert.equal(composeMaster({ HEADLESS: "true" }).options.headless, true, "HEADLESS=true runs headless");
  assert.deepEqual(composeMaster({ WEB_PORT: "9000" }).published, ["9000:8089"]);
});

test("Kubernetes: master Deployment + Service, worker Deployment, locustfile ConfigMap, all consistent", () => {
  const docs = readdirSync(join(ROOT, "deploy", "kubernetes"))
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => yamlDocs(join("deploy", "kubernetes", f)));
  const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata?.name === name);
  const masterDeploy = find("Deployment", "cicada-master")!;
  const service = find("Service", "cicada-master")!;
  const workerDeploy = find("Deployment", "cicada-worker")!;
  const configMap = find("ConfigMap", "cicada-locustfile")!;
  assert.ok(masterDeploy && service && workerDeploy && configMap, "all four objects exist");

  const masterContainer = masterDeploy.spec.template.spec.containers[0]!;
  const workerContainer = workerDeploy.spec.template.spec.containers[0]!;
  const masterFlags = checkCommand(masterContainer.args, "master Deployment");
  const workerFlags = checkCommand(workerContainer.args, "worker Deployment");
  assert.equal(masterFlags.get("--master"), true);
  assert.equal(workerFlags.get("--worker"), true);
  assert.equal(masterDeploy.spec.replicas, 1);

  // Workers → Service → master port.
  assert.equal(workerFlags.get("--master-host"), service.metadata.name);
  const bindPort = Number(masterFlags.get("--master-bind-port") ?? 5557);
  const servicePort = service.spec.ports.find((p) => p.name === "workers")!;
  assert.equal(Number(workerFlags.get("--master-port") ?? 5557), servicePort.port);
  assert.equal(masterContainer.ports.find((p) => p.name === servicePort.targetPort)!.containerPort, bindPort);
  // The Service selects the master pod.
  const podLabels = masterDeploy.spec.template.metadata.labels;
  for (const [key, value] of Object.entries(service.spec.selector)) assert.equal(podLabels[key], value);

  // The master's -f names the ConfigMap key where the volume is mounted.
  const file = String(masterFlags.get("--locustfile"));
  const mount = masterContainer.volumeMounts[0]!;
  const volume = masterDeploy.spec.template.spec.volumes.find((v) => v.name === mount.name)!;
  assert.equal(volume.configMap.name, configMap.metadata.name);
  assert.ok(file.startsWith(`${mount.mountPath}/`), `${file} is not under ${mount.mountPath}`);
  assert.ok(file.slice(mount.mountPath.length + 1) in configMap.data, `ConfigMap has no key for ${file}`);
  assert.match(configMap.data["locustfile.ts"] ?? "", /extends HttpUser/);
  assert.equal(workerFlags.get("--locustfile"), "-");

  // The web UI: its own Service on the master's web port, a login from a Secret, headless by a variable.
  const web = find("Service", "cicada-web")!;
  assert.ok(web, "a Service for the web UI");
  for (const [key, value] of Object.entries(web.spec.selector)) assert.equal(podLabels[key], value);
  const webPort = web.spec.ports.find((p) => p.name === "web")!;
  assert.equal(
    masterContainer.ports.find((p) => p.name === webPort.targetPort)!.containerPort,
    Number(masterFlags.get("--web-port") ?? 8089),
  );
  assert.equal(masterFlags.get("--web-host"), "0.0.0.0");
  assert.equal(masterFlags.get("--headless"), undefined);
  const env = new Map((masterContainer.env ?? []).map((e) => [e.name, e]));
  const { options } = parseOptions(
    { argv: masterContainer.args, env: { CICADA_HEADLESS: env.get("CICADA_HEADLESS")?.value }, cwd: ROOT },
    "test",
  );
  assert.equal(options.headless, false);
  assert.deepEqual(env.get("CICADA_WEB_LOGIN")?.valueFrom?.secretKeyRef, {
    name: "cicada-web-login",
    key: "login",
    optional: true,
  });
});

test("an unknown flag in a deployment command would be caught", () => {
  assert.throws(() => checkCommand(["--master", "--bogus-flag"], "example"), /unknown flag --bogus-flag/);
  assert.throws(() => checkCommand(["--master-port"], "example"), /needs a value/);
});
