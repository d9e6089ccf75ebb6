// The part of autocannon's API this benchmark uses (the package ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface Client { setHeaders(headers: Record<string, string>): void }
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      overallRate?: number;
      headers?: Record<string, string>;
      setupClient?: (client: Client) => void;
    }
    interface Result {
      requests: { average: number; total: number };
      latency: { p50: number; p99: number; max: number };
      non2xx: number;
      statusCodeStats: Record<string, { count: number }>;
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export default autocannon;
}
