// IP address and CIDR syntax checks with upstream's messages.

// ---- IP addresses --------------------------------------------------------------------------------

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(value: string): boolean {
  return IPV4_RE.test(value);
}

export function isIPv6(value: string): boolean {
  if (!value.includes(':') || value.includes('%')) return false;
  let rest = value;
  let groupsNeeded = 8;
  const lastColon = rest.lastIndexOf(':');
  const tail = rest.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    rest = rest.slice(0, lastColon + 1) + '0:0';
  }
  const halves = rest.split('::');
  if (halves.length > 2) return false;
  const group = /^[0-9a-fA-F]{1,4}$/;
  const parse = (s: string): string[] | undefined => {
    if (s === '') return [];
    const parts = s.split(':');
    return parts.every((p) => group.test(p)) ? parts : undefined;
  };
  const head = parse(halves[0] ?? '');
  if (!head) return false;
  if (halves.length === 1) return head.length === groupsNeeded;
  const back = parse(halves[1] ?? '');
  if (!back) return false;
  groupsNeeded -= 1; // "::" stands for at least one group of zeros
  return head.length + back.length <= groupsNeeded;
}

export function isIP(value: string): boolean {
  return isIPv4(value) || isIPv6(value);
}

/** The problems with an IP address string, phrased like upstream validation.IsValidIP. */
export function isValidIP(value: string): string[] {
  if (isIP(value)) return [];
  return ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'];
}

export function isValidCIDR(value: string): string[] {
  const slash = value.indexOf('/');
  if (slash > 0) {
    const ip = value.slice(0, slash);
    const bits = value.slice(slash + 1);
    const max = isIPv4(ip) ? 32 : isIPv6(ip) ? 128 : -1;
    if (max > 0 && /^\d{1,3}$/.test(bits) && Number(bits) <= max) return [];
  }
  return ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];
}
