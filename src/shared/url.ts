/** True for an absolute http(s) URL with a host name: what `-H`, a class's `host` and the web form accept. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}
