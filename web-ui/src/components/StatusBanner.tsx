/**
 * Says when what the page shows may be old: the stream is lost (the browser reconnects by
 * itself), or it is open but silent, which a hung server looks like (it sends an update
 * every second). Below it, a master's cluster problem: workers that do not run the test as
 * asked, which a headless run reports by its exit code and the web UI has no other way to say.
 */
import type { LiveState } from "../store.js";

export function StatusBanner({ live }: { live: LiveState }) {
  const problem = live.status?.clusterProblem ?? null;
  return (
    <>
      <ConnectionBanner live={live} />
      {problem !== null && live.connected ? (
        <div className="banner" role="alert" data-testid="cluster-problem">
          {problem}
        </div>
      ) : null}
    </>
  );
}

function ConnectionBanner({ live }: { live: LiveState }) {
  if (live.meta === null) return null;
  if (!live.connected) {
    return (
      <div className="banner" role="status" data-testid="connection-banner">
        Connection to Cicada lost: reconnecting… The numbers shown are from before.
      </div>
    );
  }
  if (live.stale) {
    return (
      <div className="banner" role="status" data-testid="connection-banner">
        No update from Cicada for a few seconds: it may be hung or overloaded. The numbers shown may be old.
      </div>
    );
  }
  return null;
}
