// bench/browser-cost.mjs: each browser user opens the coupon service's home page and its
// sign-in page, one second apart, like a person reading.
import { BrowserUser, constant, task } from "cicada-load";

export class Visitor extends BrowserUser {
  override waitTime = constant(1);

  @task async visit() {
    await this.goto("/");
    await this.goto("/signin");
  }
}
