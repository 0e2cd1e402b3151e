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

/**
 * Why a webhook URL may not be called, or undefined when it may: not http(s), or a host that is (or
 * resolves to) a private address. The check resolves the name itself, so it runs before each attempt.
 */
export async function webhookDestinationProblem(url: string): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the webhook URL is not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'the webhook URL must be http(s)';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) !== 0 ? [host] : (await lookup(host, { all: true })).map((entry) => entry.address);
  } catch (error) {
    return `the webhook host ${host} does not resolve (${(error as Error).message})`;
  }
  const blocked = addresses.find(isPrivateAddress);
  return blocked === undefined
    ? undefined
    : `the webhook host ${host} is a private address (${blocked}); private networks are not allowed`;
}
