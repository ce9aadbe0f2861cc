// A small JSON server for the benchmarks, run as its own process so that it
// has the second core. It prints its port, then serves until stdin closes.
const body = JSON.stringify({
  id: "b7f3",
  name: "churn-model",
  version: 3,
  state: { type: "RUNNING" },
});
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (request) => {
    if (request.body) await request.body.cancel();
    return new Response(body, {
      headers: { "content-type": "application/json" },
    });
  },
);
// deno-lint-ignore no-console
console.log(server.addr.port);
for await (
  const _ of Deno.stdin.readable
) { /* wait for the parent to close stdin */ }
await server.shutdown();
