import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook must not reach unless the deployment allows private networks: loopback, private
 * ranges, link-local (the cloud metadata service at 169.254.169.254), unique-local, CGNAT, unspecified
 * and multicast. A client-supplied webhook URL is otherwise a way to make the worker call inside the VPC.
 */
const privateNetworks = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  privateNetworks.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  privateNetworks.addSubnet(network, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const mapped = family === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] : undefined;
  if (mapped !== undefined) return privateNetworks.check(mapped, 'ipv4');
  return privateNetworks.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Resolves a host name to its addresses (`dns.promises.lookup` with `all: true` by default). */
export type HostResolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolver: HostResolver = (host) => lookup(host, { all: true });

/** Where a webhook goes: the URL, and the one address that was checked and must be connected to. */
export type WebhookDestination =
  | { ok: true; url: URL; address: string; family: 4 | 6 }
  | { ok: false; problem: string };

/**
 * Resolves a webhook URL's host once and checks the answer: not http(s), a name that does not resolve,
 * or (unless `allowPrivateNetworks`) any private address refuses it. The caller connects to `address`,
 * never resolving the name again, so a DNS answer that changes after the check (DNS rebinding) cannot
 * steer the request to a private address.
 */
export async function resolveWebhookDestination(
  url: string,
  options: { allowPrivateNetworks?: boolean | undefined; resolver?: HostResolver | undefined } = {},
): Promise<WebhookDestination> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, problem: 'the webhook URL is not a URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return { ok: false, problem: 'the webhook URL must be http(s)' };
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  try {
    const literal = isIP(host);
    addresses =
      literal !== 0 ? [{ address: host, family: literal }] : await (options.resolver ?? systemResolver)(host);
  } catch (error) {
    return { ok: false, problem: `the webhook host ${host} does not resolve (${(error as Error).message})` };
  }
  if (options.allowPrivateNetworks !== true) {
    const blocked = addresses.find((entry) => isPrivateAddress(entry.address));
    if (blocked !== undefined) {
      return {
        ok: false,
        problem: `the webhook host ${host} is a private address (${blocked.address}); private networks are not allowed`,
      };
    }
  }
  const first = addresses.find((entry) => isIP(entry.address) !== 0);
  if (first === undefined) return { ok: false, problem: `the webhook host ${host} has no address` };
  return { ok: true, url: parsed, address: first.address, family: isIP(first.address) === 6 ? 6 : 4 };
}

/**
 * Why a webhook URL may not be called, or undefined when it may: not http(s), or a host that is (or
 * resolves to) a private address.
 */
export async function webhookDestinationProblem(url: string): Promise<string | undefined> {
  const destination = await resolveWebhookDestination(url);
  return destination.ok ? undefined : destination.problem;
}
