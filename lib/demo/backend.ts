const SUMMARIES = ["Sunny", "Cloudy", "Rain", "Snow", "Windy", "Fog"];

/** A repeatable forecast per city and day, so the demo answers the same way twice. */
function forecast(city: string) {
  const seed = [...city.toLowerCase()].reduce((n, c) => (n * 31 + c.charCodeAt(0)) >>> 0, 7);
  const today = new Date();
  return Array.from({ length: 3 }, (_, i) => {
    const date = new Date(today.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    const n = (seed + i * 97) % 1000;
    const high = (n % 30) - 5;
    return { date, summary: SUMMARIES[n % SUMMARIES.length], highC: high, lowC: high - 4 - (n % 5) };
  });
}

export async function demoBackendResponse(request: Request, path: string[]): Promise<Response> {
  const url = new URL(request.url);
  const [service, ...rest] = path;
  const resource = rest.join("/");
  if (service === "weather") {
    if (resource === "forecast" || resource === "") {
      const city = url.searchParams.get("city") || "Oslo";
      return Response.json({ city, days: forecast(city) });
    }
  } else if (service === "billing") {
    if (resource === "invoices" || resource === "") {
      return Response.json({
        invoices: [
          { id: "inv-1001", amount: 120.5, currency: "EUR", status: "paid" },
          { id: "inv-1002", amount: 75, currency: "EUR", status: "open" },
        ],
      });
    }
  } else if (service === "echo") {
    const body = request.method === "GET" || request.method === "HEAD" ? "" : await request.text();
    return Response.json({
      method: request.method,
      path: `/${resource}`,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(request.headers),
      body,
    });
  }
  return Response.json({ error: "not_found", path: `/${path.join("/")}` }, { status: 404 });
}
