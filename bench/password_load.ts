import { median } from "./_stats.ts";
import { fixed, type Row } from "./_row.ts";
import type { BenchServer } from "./_bench_server.ts";

const REQUESTS = 300;
const WRONG_LOGINS = 64;

/** Sequential `GET /projects` with these headers: each request's milliseconds. */
async function timedGets(
  url: string,
  headers: Record<string, string>,
  count: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    await response.body?.cancel();
    if (response.status !== 200) {
      throw new Error(`GET /projects answered ${response.status}`);
    }
    times.push(performance.now() - started);
  }
  return times;
}

/**
 * Password work on the reference server: a warm HTTP Basic GET against a
 * token GET, alternated; then the token GET's median while 64 clients send
 * wrong passwords as fast as they are answered, against its median idle.
 */
export async function passwordLoad(server: BenchServer): Promise<Row[]> {
  const target = `${server.url.replace(/\/$/, "")}/api/v1/projects`;
  const token = {
    authorization: `Bearer ${server.token}`,
    "x-runplane-tenant": "bench",
  };
  const basic = {
    authorization: `Basic ${btoa(`${server.username}:${server.password}`)}`,
    "x-runplane-tenant": "bench",
  };
  await timedGets(target, basic, 1);
  const tokenTimes: number[] = [];
  const basicTimes: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    tokenTimes.push(...await timedGets(target, token, 1));
    basicTimes.push(...await timedGets(target, basic, 1));
  }
  const basicRatio = median(basicTimes) / median(tokenTimes);

  const idle = median(await timedGets(target, token, REQUESTS));
  let attacking = true;
  const attackers = Array.from({ length: WRONG_LOGINS }, async (_, i) => {
    for (let n = 0; attacking; n++) {
      const response = await fetch(target, {
        headers: { authorization: `Basic ${btoa(`guess-${i}-${n}:wrong`)}` },
      });
      await response.body?.cancel();
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const underAttack = median(await timedGets(target, token, REQUESTS));
  attacking = false;
  await Promise.all(attackers);
  const attackRatio = underAttack / idle;
  return [
    {
      name: "Reference server: HTTP Basic GET vs token GET, warm (median)",
      figure: `${fixed(basicRatio)}x`,
      goal: "<= 1.5x",
      met: basicRatio <= 1.5,
    },
    {
      name:
        `Reference server: token GET under ${WRONG_LOGINS} concurrent wrong logins vs idle (median)`,
      figure: `${fixed(attackRatio)}x (${fixed(underAttack)} ms vs ${
        fixed(idle)
      } ms)`,
      goal: "<= 3x",
      met: attackRatio <= 3,
    },
  ];
}
