/**
 * The coupon service's data: a catalog of claimable coupons (limited stock, one per
 * user) and read-only filler deals, with a simulated database round trip between
 * reading the stock and writing it back. A per-coupon `AsyncMutex` makes that
 * read-modify-write safe; `unsafe` drops the lock so a test can show the race is real.
 */
import { randomBytes, randomInt } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { AsyncMutex } from "./mutex.js";

/** How many coupons the store holds, how many codes each may issue, and the filler catalog size. */
export interface StoreOptions {
  coupons: number;
  stock: number;
  deals: number;
  /** Skip the per-coupon lock. Only for the test that proves the lock matters. */
  unsafe: boolean;
}

/** One row of the catalog as the list and detail routes show it. Deals have no stock. */
export interface CatalogItem {
  id: number;
  title: string;
  kind: "coupon" | "deal";
  stock: number | null;
  remaining: number | null;
}

/** The ground truth about one coupon, for `/stats`: did the service ever issue more than its stock? */
export interface CouponStats {
  id: number;
  stock: number;
  issued: number;
  distinctUsers: number;
  overIssued: boolean;
}

/** What a claim came to; the HTTP layer maps each kind to a status code. */
export type IssueOutcome =
  | { kind: "issued"; code: string }
  | { kind: "already-issued" }
  | { kind: "sold-out" }
  | { kind: "not-a-coupon" }
  | { kind: "unknown" };

interface Coupon {
  id: number;
  title: string;
  stock: number;
  /** The "stock" column: what a naive read-modify-write can get wrong. */
  remaining: number;
  /** Codes handed out, counted as they are handed out (like rows inserted), so it cannot lie. */
  issued: number;
  holders: Set<string>;
  lock: AsyncMutex;
}

const COUPON_TITLES = ["10% off coffee", "Free shipping", "2-for-1 cinema", "5 off lunch", "Free dessert"];
const DEAL_TITLES = ["Weekend brunch", "Bike repair", "Yoga class", "Car wash", "Haircut", "Museum pass"];

/** The in-memory catalog and coupon stock. Coupons take ids 1..coupons; deals follow. */
export class CouponStore {
  private readonly coupons = new Map<number, Coupon>();
  private readonly deals = new Map<number, CatalogItem>();
  private readonly unsafe: boolean;

  constructor(options: StoreOptions) {
    this.unsafe = options.unsafe;
    for (let id = 1; id <= options.coupons; id++) {
      const title = COUPON_TITLES[(id - 1) % COUPON_TITLES.length] ?? "Coupon";
      const coupon = { id, title, stock: options.stock, remaining: options.stock, issued: 0 };
      this.coupons.set(id, { ...coupon, holders: new Set(), lock: new AsyncMutex() });
    }
    for (let n = 1; n <= options.deals; n++) {
      const id = options.coupons + n;
      const title = `${DEAL_TITLES[(n - 1) % DEAL_TITLES.length] ?? "Deal"} #${n}`;
      this.deals.set(id, { id, title, kind: "deal", stock: null, remaining: null });
    }
  }

  /** Number of catalog items (coupons and deals). */
  get size(): number {
    return this.coupons.size + this.deals.size;
  }

  /** Catalog items in id order, `offset` to `offset + limit`. */
  list(offset: number, limit: number): CatalogItem[] {
    const items: CatalogItem[] = [];
    for (let id = offset + 1; id <= Math.min(offset + limit, this.size); id++) {
      const item = this.find(id);
      if (item) items.push(item);
    }
    return items;
  }

  /** One catalog item, or undefined when no item has this id. */
  find(id: number): CatalogItem | undefined {
    const coupon = this.coupons.get(id);
    if (!coupon) return this.deals.get(id);
    const { title, stock, remaining } = coupon;
    return { id, title, kind: "coupon", stock, remaining };
  }

  /** Stats of one coupon, or undefined when `id` is not a coupon. */
  stats(id: number): CouponStats | undefined {
    const coupon = this.coupons.get(id);
    if (!coupon) return undefined;
    const { stock, issued } = coupon;
    return { id, stock, issued, distinctUsers: coupon.holders.size, overIssued: issued > stock };
  }

  /** Stats of every coupon, in id order. */
  allStats(): CouponStats[] {
    return [...this.coupons.keys()].map((id) => this.stats(id)).filter((s) => s !== undefined);
  }

  /** Claims coupon `id` for `user`: at most one code per user, never more codes than stock. */
  issue(id: number, user: string): Promise<IssueOutcome> {
    const coupon = this.coupons.get(id);
    if (!coupon) return Promise.resolve({ kind: this.deals.has(id) ? "not-a-coupon" : "unknown" });
    const attempt = () => this.readModifyWrite(coupon, user);
    return this.unsafe ? attempt() : coupon.lock.run(attempt);
  }

  /** Read, wait for the "database", write back what was read minus one: correct only under the lock. */
  private async readModifyWrite(coupon: Coupon, user: string): Promise<IssueOutcome> {
    const remaining = coupon.remaining;
    const alreadyHolds = coupon.holders.has(user);
    if (alreadyHolds) return { kind: "already-issued" };
    if (remaining <= 0) return { kind: "sold-out" };
    await sleep(randomInt(1, 6)); // the round trip in which another request can read the same stock
    coupon.remaining = remaining - 1; // a lost update if someone else wrote meanwhile
    coupon.holders.add(user);
    coupon.issued += 1;
    return { kind: "issued", code: `C${coupon.id}-${randomBytes(4).toString("hex").toUpperCase()}` };
  }
}
