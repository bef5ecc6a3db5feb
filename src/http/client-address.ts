import { isIPv4, isIPv6 } from 'node:net'

/** The eight 16-bit groups of an IPv6 address, `::` expanded and an embedded IPv4 tail converted. */
function ipv6Groups (address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase()
  const ipv4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1]
  if (ipv4Tail !== undefined) {
    const [a, b, c, d] = ipv4Tail.split('.').map(Number) as [number, number, number, number]
    text = text.slice(0, -ipv4Tail.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const zeros = tail === undefined ? [] : Array.from({ length: 8 - headGroups.length - tailGroups.length }, () => '0')
  return [...headGroups, ...zeros, ...tailGroups].map((group) => Number.parseInt(group, 16))
}

/**
 * Who a client is, for rate limits and bans: an IPv4 address as it is, an IPv6
 * address by its /64 (one subscriber's whole network, which can hand out any
 * address inside it). IPv4-mapped IPv6 addresses count as the IPv4 address.
 */
export function clientKey (address: string): string {
  if (isIPv4(address)) return address
  if (!isIPv6(address)) return address
  const groups = ipv6Groups(address)
  const isIpv4Mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff
  if (isIpv4Mapped) return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.')
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(':')}::/64`
}
