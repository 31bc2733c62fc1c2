/**
 * The coupon service's two HTML pages. Tiny, but real: the sign-in form works in a
 * browser too (Django-style, the CSRF token travels in a hidden field).
 */

/** The landing page: what the service is and which routes it has. */
export function homePage(): string {
  return page(
    "Coupon service",
    `<h1>Coupon service</h1>
<p>A first-come coupon API to load-test with Cicada. <a href="/signin">Sign in</a> (any username, password <code>cicada</code>).</p>
<ul>
  <li><code>GET /coupons?page=N</code>: the catalog, 10 per page (signed in)</li>
  <li><code>GET /coupons/:id</code>: one item</li>
  <li><code>POST /coupons/:id/issue</code>: claim a coupon (signed in, <code>X-CSRFToken</code>)</li>
  <li><code>GET /stats</code>: stock, issued codes and distinct holders per coupon</li>
  <li><code>WebSocket /live</code>: a live "coupons left" feed (signed in; send <code>{"type":"ping"}</code> for a pong)</li>
  <li><code>GET /live/events</code>: the same feed as Server-Sent Events (signed in)</li>
</ul>`,
  );
}

/** The sign-in form; `csrfToken` is the value of the `csrftoken` cookie set with it. */
export function signinPage(csrfToken: string): string {
  return page(
    "Sign in",
    `<h1>Sign in</h1>
<form method="post" action="/signin">
  <input type="hidden" name="csrfmiddlewaretoken" value="${csrfToken}">
  <label>Username <input name="username" required></label>
  <label>Password <input name="password" type="password" required></label>
  <button type="submit">Sign in</button>
</form>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title></head>
<body>
${body}
</body>
</html>
`;
}
