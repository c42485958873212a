/**
 * Request bodies for the benchmark: distinct, valid identities, so the sample
 * app's dedupe and cache do not hide upstream calls (unless a contender is
 * meant to hit its cache), all answered `0` by the sandbox.
 */
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅志文';
const FAMILY = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';

/** `count` distinct valid names (family name + two given characters). */
export function distinctNames(count: number): string[] {
  const names: string[] = [];
  for (const family of FAMILY) {
    for (const a of GIVEN) {
      for (const b of GIVEN) {
        names.push(family + a + b);
        if (names.length === count) return names;
      }
    }
  }
  return names;
}

/** A JSON body in AceData's shape for a name, on the sandbox's "always 0" phone. */
export function bodyFor(name: string): string {
  return JSON.stringify({
    name,
    phone: '13800000000',
    id_card: '11010519491231002X',
  });
}

/** A rotating source of bodies over `count` distinct identities. */
export function bodySource(count: number): () => string {
  const bodies = distinctNames(count).map(bodyFor);
  let next = 0;
  return () => bodies[next++ % bodies.length];
}
