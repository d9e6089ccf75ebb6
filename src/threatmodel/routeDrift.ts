import type { ThreatModel } from './model.ts';

/** A live route as the server registered it (App.routes), reduced to what the model checks. */
export interface LiveRoute {
  readonly method: string;
  readonly url: string;
  readonly audience: 'public' | 'authenticated' | 'admin';
}

/**
 * Does a flow's route selector cover this route? `GET /a/*` covers GET (and the HEAD Fastify
 * adds beside it) on /a and on every path beneath /a; without a method, every method.
 */
export function selectorMatches(selector: string, route: LiveRoute): boolean {
  const [method, pattern] = selector.includes(' ') ? selector.split(' ', 2) as [string, string] : [undefined, selector];
  if (method !== undefined && method !== route.method && !(method === 'GET' && route.method === 'HEAD')) return false;
  if (pattern.endsWith('/*')) {
    const base = pattern.slice(0, -2);
    return route.url === base || route.url.startsWith(base + '/');
  }
  return route.url === pattern;
}

/**
 * Where the model disagrees with the server: a route no flow carries, a flow modelled as
 * authenticated that carries a public route, a route selector that matches nothing.
 */
export function routeDrift(model: ThreatModel, routes: readonly LiveRoute[]): string[] {
  const problems: string[] = [];
  const carriers = model.flows.filter((f) => (f.routes ?? []).length > 0);
  for (const route of routes) {
    if (!carriers.some((f) => f.routes!.some((s) => selectorMatches(s, route)))) {
      problems.push(`route ${route.method} ${route.url} is carried by no modelled flow`);
    }
  }
  for (const flow of carriers) {
    for (const selector of flow.routes!) {
      const matched = routes.filter((r) => selectorMatches(selector, r));
      if (matched.length === 0) problems.push(`flow "${flow.id}": route group "${selector}" matches no live route`);
      const open = matched.filter((r) => r.audience === 'public');
      if (flow.authenticated && open.length > 0) {
        problems.push(`flow "${flow.id}" is modelled as authenticated but carries public route ${open[0]!.method} ${open[0]!.url}${open.length > 1 ? ` (and ${open.length - 1} more)` : ''}`);
      }
    }
  }
  return problems;
}
