/**
 * Which -T/-E a worker runs a test with. A Locust worker takes its master's `tags` and
 * `exclude_tags` from the spawn message's `parsed_options` (runners.py), each unless it
 * was started with its own, which wins. A Cicada worker does the same, and says once when
 * its own differ from the master's (the master's console would otherwise show tasks it
 * filtered out).
 */

/** -T and -E (undefined: not given). */
export interface TagFilter {
  tags: readonly string[] | undefined;
  excludeTags: readonly string[] | undefined;
}

/** The tags of a spawn message's parsed_options (Locust sends a list or None). */
function tagList(value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const tags = value.filter((tag): tag is string => typeof tag === "string");
  return tags.length > 0 ? tags : undefined;
}

/** The same tags, in any order. */
export function sameTags(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const key = (tags: readonly string[] | undefined) => [...new Set(tags ?? [])].sort().join(",");
  return key(a) === key(b);
}

/** "-T browse -E slow", or "no -T/-E". */
export function describeTags(filter: TagFilter): string {
  const parts = [
    ...(filter.tags ? [`-T ${filter.tags.join(",")}`] : []),
    ...(filter.excludeTags ? [`-E ${filter.excludeTags.join(",")}`] : []),
  ];
  return parts.length > 0 ? parts.join(" ") : "no -T/-E";
}

/**
 * The filter of the next test: the worker's own `-T` and `-E` where given, else the master's;
 * `ownDiffers` is the warning when the worker's own differ from the master's.
 */
export function tagsForTest(
  own: TagFilter,
  parsedOptions: Record<string, unknown>,
): TagFilter & { ownDiffers: string | undefined } {
  const master = { tags: tagList(parsedOptions.tags), excludeTags: tagList(parsedOptions.exclude_tags) };
  // A master without -T/-E leaves the choice to its workers: only a master's own filter can be contradicted.
  const masterFilters = master.tags !== undefined || master.excludeTags !== undefined;
  const differs =
    masterFilters &&
    ((own.tags !== undefined && !sameTags(own.tags, master.tags)) ||
      (own.excludeTags !== undefined && !sameTags(own.excludeTags, master.excludeTags)));
  return {
    tags: own.tags ?? master.tags,
    excludeTags: own.excludeTags ?? master.excludeTags,
    ownDiffers: differs
      ? `this worker runs its own ${describeTags(own)}, not the master's ${describeTags(master)} ` +
        "(start it without -T/-E to take the master's)"
      : undefined,
  };
}
