/** What the start form and the header need to know about the run (`UiMeta`), read fresh for each full update. */
import { formatTimespan } from "../shared/timespan.js";
import { HttpUser } from "../user/index.js";
import type { UiMeta } from "./api-types.js";
import type { WebContext } from "./context.js";
import { customParameters } from "./custom-parameters.js";
import { downloadLinks } from "./downloads.js";
import type { WebServerOptions } from "./server.js";
import { userClassSettings } from "./user-class-settings.js";

export function buildMeta(
  options: WebServerOptions,
  context: Pick<WebContext, "fullHistoryCsvPath" | "extraDownloads" | "openModelDefaults">,
) {
  const environment = options.runner.environment;
  // --percentiles sets the statistics table's columns (Locust's PERCENTILES_TO_STATISTICS).
  const percentiles = [...(options.percentiles ?? options.runner.environment.stats.statisticsPercentiles)];
  return (): UiMeta => {
    // Read each time: the form may change a class's host (POST /user).
    const infos = environment.userClassInfos;
    const classHosts = new Set(infos.map((i) => i.host));
    const needHost = infos.filter((i) => i.host === undefined && i.cls.prototype instanceof HttpUser);
    const [onlyHost] = classHosts;
    return {
      version: options.version ?? "",
      locustfile: options.locustfile ?? "",
      defaults: {
        userCount: options.defaults?.userCount ?? 1,
        spawnRate: options.defaults?.spawnRate ?? 1,
        host: environment.host ?? (classHosts.size === 1 && onlyHost !== undefined ? onlyHost : ""),
        runTime: options.defaults?.runTimeMs ? formatTimespan(options.defaults.runTimeMs) : "",
        arrivalRate: options.defaults?.arrivalRate ?? "",
        ramp: options.defaults?.rampMs ? formatTimespan(options.defaults.rampMs) : "",
        maxUsers: context.openModelDefaults.maxUsers,
        maxQueueTime: `${context.openModelDefaults.maxQueueMs / 1000}s`,
        ...(options.defaults?.capacity ? { capacity: options.defaults.capacity } : {}),
      },
      hostOptional: environment.host !== undefined || needHost.length === 0,
      userClasses: infos.map((i) => i.name),
      activeUserClasses: environment.activeUserClassInfos.map((i) => i.name),
      shapeClass: environment.shapeClass?.name ?? null,
      shapeClasses: environment.availableShapeClasses.map((cls) => cls.name),
      classPicker: options.classPicker ?? false,
      distributed: options.distributed ?? false,
      downloads: downloadLinks(context),
      customParameters: customParameters(environment),
      percentiles,
      userClassSettings: userClassSettings(environment),
    };
  };
}
