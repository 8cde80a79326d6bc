import { describe, expect, it } from 'vitest';
import { ipAddress } from './ip-address.ts';
import { matched } from './testing.ts';

describe('ip-address', () => {
  it('finds public IPv4 and IPv6 addresses', () => {
    expect(matched(ipAddress, 'Failed password for root from 81.2.69.142 port 22')).toEqual(['81.2.69.142']);
    expect(matched(ipAddress, 'from 2001:db8:85a3::8a2e:370:7334 and 2a00:1450:4001:81c::200e.')).toEqual(['2001:db8:85a3::8a2e:370:7334', '2a00:1450:4001:81c::200e']);
  });
  it('leaves private, loopback and link-local addresses, versions, times and MACs alone', () => {
    expect(matched(ipAddress, '127.0.0.1 10.1.2.3 172.16.0.1 192.168.1.1 169.254.1.1 100.64.0.1 0.0.0.0 ::1 fe80::1 fd00::1')).toEqual([]);
    expect(matched(ipAddress, 'v1.2.3.4 Chrome/120.0.0.0 version 2.4.1.0 1.2.3.4.5 256.1.1.1 01.02.03.04')).toEqual([]);
    expect(matched(ipAddress, '12:30:45 00:1A:2B:3C:4D:5E std::map a::b 2024-01-15T10:30:00')).toEqual([]);
  });
});
