// The websocket scenario's Cicada side: each user opens one socket, then sends a message
// and waits for its echo, again and again (no wait time). Every echo is a row "WS echo".
import { task, type WebSocketConnection, WebSocketUser } from "cicada-load";

export class Echo extends WebSocketUser {
  private ws: WebSocketConnection | undefined;

  override async onStart() {
    this.ws = await this.connect("/", { name: "connect" });
  }

  @task async echo() {
    this.ws!.send("x");
    await this.ws!.waitFor((message) => message === "x", { name: "echo", timeout: 10 });
  }
}
