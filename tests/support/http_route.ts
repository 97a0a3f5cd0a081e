/** An HTTP route to a test provider, as a gateway's routing entry (tests only). */
import type { Route } from "../../lib/delivery/route.ts";
import { parseHttpRoute } from "../../lib/routes/http/config.ts";
import { httpRoute } from "../../lib/routes/http/route.ts";
import type { Provider } from "./provider.ts";

/**
 * A routing entry with an HTTP route "http" posting `{ to, text }` as JSON to `provider` (no
 * DLR: a 2xx makes the message ACCEPTD); `extra` keys override the route config.
 */
export function providerRoute(
  provider: Provider,
  extra: Record<string, unknown> = {},
): { route: Route } {
  return {
    route: httpRoute(parseHttpRoute({
      name: "http",
      type: "http",
      url: provider.url,
      params: { to: "{dest}", text: "{text}" },
      ...extra,
    }, "routes[0]")),
  };
}
